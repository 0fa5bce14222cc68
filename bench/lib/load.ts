import { fileURLToPath } from 'node:url';
import { LOAD_CORE, spawnNode } from './processes.ts';

/**
 * One load run with autocannon, in a child process on the load core. Either a fixed number of
 * connections as fast as the server goes (throughput), or a paced overall rate (latency at a
 * fixed load; latencies then are corrected for coordinated omission).
 */

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
  /** Requests per second over all connections; unset = as fast as possible. */
  rate?: number;
}

export interface LoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  rps: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const child = spawnNode([fileURLToPath(import.meta.url), JSON.stringify(options)], {}, LOAD_CORE);
  const line = await child.waitFor(/^(\{.*\})$/, (options.seconds + 30) * 1000);
  await child.stop();
  return JSON.parse(line) as LoadResult;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { default: autocannon } = await import('autocannon');
  const o = JSON.parse(process.argv[2] as string) as LoadOptions;
  const result = await autocannon({
    url: o.url,
    method: o.method ?? 'POST',
    headers: o.headers,
    body: o.body,
    connections: o.connections,
    duration: o.seconds,
    ...(o.rate && { overallRate: o.rate }),
  });
  const summary: LoadResult = {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    rps: result.requests.total / o.seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    p999: result.latency.p99_9,
    max: result.latency.max,
  };
  console.log(JSON.stringify(summary));
  process.exit(0);
}
