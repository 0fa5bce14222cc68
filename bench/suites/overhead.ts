import { type LoadResult, runLoad } from '../lib/load.ts';
import { cpuSeconds } from '../lib/processes.ts';
import { type RunningServer, type ServerKind, startServer, startStandInUpstream } from '../lib/servers.ts';
import type { Settings, Table } from '../lib/table.ts';

/**
 * 1. The gateway's own cost: `user(id:)` through this gateway against bare yoga `{ hello }`
 * and a minimal one-hop yoga+undici gateway, over the same canned stand-in upstream.
 * Throughput and CPU per request at a fixed concurrency; latency paced at 1,000 req/s warm;
 * and paced from the moment a new process first answers ready, in consecutive windows.
 */

const kinds: ServerKind[] = ['gateway', 'bare-yoga', 'one-hop'];
const PACED_RATE = 1_000;

export async function overhead(settings: Settings, table: Table): Promise<void> {
  const upstream = await startStandInUpstream();
  try {
    for (let round = 0; round < settings.rounds; round++) {
      for (const kind of kinds) {
        const server = await startServer(kind, upstream.url);
        try {
          await warm(server, settings);
          const cpuBefore = cpuSeconds(server.process.pid);
          const busy = await load(server, settings.seconds);
          const cpu = cpuSeconds(server.process.pid) - cpuBefore;
          const paced = await load(server, settings.seconds, PACED_RATE);
          const t = `overhead: ${server.name}`;
          table.add(t, 'req/s (32 connections)', busy.rps);
          table.add(t, 'CPU µs per request', (cpu * 1e6) / Math.max(1, busy.requests));
          table.add(t, 'p50 / p99 ms at 32 connections', [busy.p50, busy.p99]);
          table.add(t, `p50 / p99 / p99.9 ms paced ${PACED_RATE}/s, warm`, [paced.p50, paced.p99, paced.p999]);
          table.add(t, 'errors', busy.errors + busy.non2xx + paced.errors + paced.non2xx);
        } finally {
          await server.process.stop();
        }
      }
      // From the first ready answer of a new process: the gateway against bare yoga.
      for (const kind of ['gateway', 'bare-yoga'] as const) {
        const server = await startServer(kind, upstream.url);
        try {
          for (let w = 0; w < settings.windows; w++) {
            const paced = await load(server, settings.windowSeconds, PACED_RATE);
            table.add(
              `cold start: ${server.name}`,
              `p99 ms, window ${w + 1} (${w * settings.windowSeconds}–${(w + 1) * settings.windowSeconds} s after ready)`,
              paced.p99,
            );
          }
        } finally {
          await server.process.stop();
        }
      }
    }
  } finally {
    await upstream.process.stop();
  }
}

async function warm(server: RunningServer, settings: Settings): Promise<void> {
  await load(server, settings.warmSeconds);
}

function load(server: RunningServer, seconds: number, rate?: number): Promise<LoadResult> {
  return runLoad({
    url: `${server.url}/graphql`,
    method: 'POST',
    headers: server.request.headers,
    body: server.request.body,
    connections: rate ? 16 : 32,
    seconds,
    ...(rate && { rate }),
  });
}
