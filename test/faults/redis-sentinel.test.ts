import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { wsConnect } from '../support/session-clients.ts';
import { userWithToken } from '../support/users.ts';
import { type GatewayOver, gatewayOver } from './gateway-over.ts';
import { freePort, type OwnRedis, redisServerAvailable, reportRedisServerSkip, startOwnRedis } from './redis-server.ts';

// Session events through Redis Sentinel: one master and one `redis-server --sentinel` of the
// test's own; the gateways are given only the Sentinel (`redis+sentinel://…/<master name>`)
// and find the master through it.

const MASTER_NAME = 'cube-test-master';

reportRedisServerSkip('session events through Redis Sentinel');

describe.runIf(redisServerAvailable)('session events through Redis Sentinel', () => {
  let master: OwnRedis;
  let sentinel: ChildProcess;
  let sentinelPort: number;
  let local: RunningLocalService;
  const gateways: GatewayOver[] = [];

  beforeAll(async () => {
    master = await startOwnRedis();
    sentinelPort = await freePort();
    const config = join(master.dir, 'sentinel.conf');
    await writeFile(
      config,
      `port ${sentinelPort}\nbind 127.0.0.1\nsentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 1\n`,
    );
    sentinel = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
    await vi.waitFor(
      async () => {
        const { Redis } = await import('ioredis');
        const probe = new Redis({ port: sentinelPort, lazyConnect: true, retryStrategy: () => null });
        try {
          await probe.connect();
          expect(await probe.call('sentinel', 'get-master-addr-by-name', MASTER_NAME)).toEqual([
            '127.0.0.1',
            String(master.port),
          ]);
        } finally {
          probe.disconnect();
        }
      },
      { timeout: 20_000, interval: 200 },
    );
    local = await startLocalService();
  }, 60_000);
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await local?.close();
    sentinel?.kill('SIGKILL');
    await master?.destroy();
  });

  it('events caused on one instance reach a subscriber on the other, through the master the Sentinel names', async () => {
    const env = {
      REDIS_URL: `redis+sentinel://127.0.0.1:${sentinelPort}/${MASTER_NAME}`,
      SESSION_TOKEN_HASH_KEY: randomBytes(24).toString('hex'),
      REDIS_KEY_PREFIX: 'faults-sentinel:',
    };
    const [first, second] = [await gatewayOver(local.url, local, env), await gatewayOver(local.url, local, env)];
    gateways.push(first, second);
    const { token } = await userWithToken(local, 'sentinel_user');
    const ws = wsConnect(first.url, { token });
    const events = ws.subscribe();
    await events.waitFor('EXTENDED');
    const logout = await second.gql('mutation { logout { __typename } }', token);
    expect(logout.data).toEqual({ logout: { __typename: 'LogoutSuccess' } });
    await events.waitForCompletion();
    expect(events.types().filter((type) => type !== 'EXTENDED')).toEqual(['LOGGED_OUT']);
    // The records are on the master.
    expect(await master.cli('--scan', '--pattern', 'faults-sentinel:*')).not.toBe('');
    await ws.dispose();
  }, 60_000);
});
