import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayArgv } from '../lib/gateway-command.ts';
import { spawnNode, waitReady } from '../lib/processes.ts';
import { startServer, startStandInUpstream } from '../lib/servers.ts';
import type { Settings, Table } from '../lib/table.ts';

/**
 * 6. Start-up: from spawning the gateway as `npm start` does to the first 200 of `/readyz`, with the
 * embedded local users service on a new and on an existing data directory, and the gateway
 * alone (over the stand-in upstream).
 */

export async function startup(settings: Settings, table: Table): Promise<void> {
  const rounds = Math.max(settings.rounds, settings.quick ? 1 : 5);
  for (let round = 0; round < rounds; round++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'cube-bench-start-'));
    try {
      table.add('start-up to /readyz', 'embedded service, new data directory (ms)', await embeddedStart(dataDir));
      table.add('start-up to /readyz', 'embedded service, existing data directory (ms)', await embeddedStart(dataDir));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  const upstream = await startStandInUpstream();
  try {
    for (let round = 0; round < rounds; round++) {
      const gateway = await startServer('gateway', upstream.url);
      table.add('start-up to /readyz', 'gateway alone (ms)', gateway.readyMs);
      await gateway.process.stop();
    }
  } finally {
    await upstream.process.stop();
  }
}

async function embeddedStart(dataDir: string): Promise<number> {
  const started = performance.now();
  const proc = spawnNode(gatewayArgv, {
    NODE_ENV: 'development',
    PORT: '0',
    LOCAL_SERVICE_PORT: '0',
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    UPSTREAM_URL: '',
    REDIS_URL: '',
    LOG_LEVEL: 'warn',
  });
  try {
    const url = await proc.waitFor(/cube-gateway ready at (http\S+?)\s/, 60_000);
    await waitReady(`${url}/readyz`);
    return performance.now() - started;
  } finally {
    await proc.stop();
  }
}
