import { type LoadResult, runLoad } from '../lib/load.ts';
import { runPacedLoad } from '../lib/paced-load.ts';
import { cpuSeconds } from '../lib/processes.ts';
import { type RunningServer, type ServerKind, startServer, startStandInUpstream } from '../lib/servers.ts';
import type { Settings, Table } from '../lib/table.ts';

/**
 * 1. The gateway's own cost: `user(id:)` through this gateway against bare yoga `{ hello }`
 * and a minimal one-hop yoga+undici gateway, over the same canned stand-in upstream.
 * Throughput and CPU per request at a fixed concurrency (autocannon); latency at a constant
 * arrival rate (bench/lib/paced-load.ts: each request sent on schedule whether or not earlier
 * ones have been answered, timed in microseconds), warm; and paced from the moment a new
 * process first answers ready, in consecutive windows.
 *
 * The paced rate is 1,000 req/s where the gateway's capacity is ≈ 4,000 req/s or more (the
 * machine issue 13 was measured on); on a slower machine it is a quarter of the gateway's
 * throughput measured in the same round, so that latency is read under the same moderate load
 * everywhere and never at saturation. Every server of the round is paced at that one rate.
 */

const kinds: ServerKind[] = ['gateway', 'bare-yoga', 'one-hop'];
const MAX_PACED_RATE = 1_000;
const PACED_SHARE_OF_CAPACITY = 0.25;

export async function overhead(settings: Settings, table: Table): Promise<void> {
  const upstream = await startStandInUpstream();
  try {
    for (let round = 0; round < settings.rounds; round++) {
      // Set by the gateway's busy run, the first of the round.
      let pacedRate = MAX_PACED_RATE;
      const warmP99 = new Map<ServerKind, number>();
      for (const kind of kinds) {
        const server = await startServer(kind, upstream.url);
        try {
          await warm(server, settings);
          const cpuBefore = cpuSeconds(server.process.pid);
          const busy = await load(server, settings.seconds);
          const cpu = cpuSeconds(server.process.pid) - cpuBefore;
          if (kind === 'gateway') {
            pacedRate = Math.min(MAX_PACED_RATE, Math.round((busy.rps * PACED_SHARE_OF_CAPACITY) / 10) * 10);
            table.add('overhead: paced rate', 'req/s (min(1,000, ¼ of the gateway’s req/s))', pacedRate, 0);
          }
          const paced = await load(server, settings.seconds, pacedRate);
          warmP99.set(kind, paced.p99);
          const t = `overhead: ${server.name}`;
          table.add(t, 'req/s (32 connections)', busy.rps);
          table.add(t, 'CPU µs per request', (cpu * 1e6) / Math.max(1, busy.requests));
          table.add(t, 'p50 / p99 ms at 32 connections', [busy.p50, busy.p99]);
          table.add(t, 'p50 / p99 / p99.9 ms paced, warm', [paced.p50, paced.p99, paced.p999], 2);
          table.add(t, 'errors', busy.errors + busy.non2xx + paced.errors + paced.non2xx);
        } finally {
          await server.process.stop();
        }
      }
      table.add('ratios', 'gateway p99 ÷ bare yoga p99, paced, warm (target ≤ 2 in every round)', ratioOf(warmP99), 2);
      // From the first ready answer of a new process: the gateway against bare yoga.
      const windowP99 = new Map<ServerKind, number[]>();
      for (const kind of ['gateway', 'bare-yoga'] as const) {
        const server = await startServer(kind, upstream.url);
        try {
          const p99s: number[] = [];
          for (let w = 0; w < settings.windows; w++) {
            const paced = await load(server, settings.windowSeconds, pacedRate);
            p99s.push(paced.p99);
            table.add(`cold start: ${server.name}`, `p99 ms, ${windowName(w, settings)}`, paced.p99, 2);
          }
          windowP99.set(kind, p99s);
        } finally {
          await server.process.stop();
        }
      }
      for (let w = 0; w < settings.windows; w++) {
        const gateway = windowP99.get('gateway')?.[w] ?? Number.NaN;
        const bare = windowP99.get('bare-yoga')?.[w] ?? Number.NaN;
        table.add('ratios', `gateway p99 ÷ bare yoga p99, ${windowName(w, settings)} (target ≤ 2)`, gateway / bare, 2);
      }
    }
  } finally {
    await upstream.process.stop();
  }
}

function windowName(w: number, settings: Settings): string {
  return `window ${w + 1} (${w * settings.windowSeconds}–${(w + 1) * settings.windowSeconds} s after ready)`;
}

function ratioOf(p99: Map<ServerKind, number>): number {
  return (p99.get('gateway') ?? Number.NaN) / (p99.get('bare-yoga') ?? Number.NaN);
}

async function warm(server: RunningServer, settings: Settings): Promise<void> {
  await load(server, settings.warmSeconds);
}

function load(server: RunningServer, seconds: number, rate?: number): Promise<LoadResult> {
  const options = {
    url: `${server.url}/graphql`,
    method: 'POST' as const,
    headers: server.request.headers,
    body: server.request.body,
    connections: 32,
    seconds,
  };
  return rate ? runPacedLoad({ ...options, rate }) : runLoad(options);
}
