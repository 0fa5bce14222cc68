import { fileURLToPath } from 'node:url';
import type { LoadOptions, LoadResult } from './load.ts';
import { LOAD_CORE, spawnNode } from './processes.ts';
import { percentile } from './stats.ts';

/**
 * Latency at a constant arrival rate (an open model, as wrk2 and k6's constant-arrival-rate
 * executor measure it): request i is sent at start + i / rate whether or not earlier answers
 * have come back, and its latency runs from that moment to the end of its answer, in
 * microseconds. A server that stalls therefore pays for every request that arrives during the
 * stall, and the load itself stays at the rate asked for.
 *
 * autocannon's `overallRate` is not this: each connection sends back to back until it has
 * made its share of the second, then waits for the next second's tick, so "1,000 req/s" is a
 * burst at full speed over 16 connections at the start of every second followed by silence,
 * and its latencies (whole milliseconds, filled in for an expected interval of 1 ms) measure
 * that burst's queue.
 */

/** Enough connections that a stall of a few hundred milliseconds never queues in the client. */
const CONNECTIONS = 64;

export async function runPacedLoad(options: LoadOptions & { rate: number }): Promise<LoadResult> {
  const child = spawnNode([fileURLToPath(import.meta.url), JSON.stringify(options)], {}, LOAD_CORE);
  const line = await child.waitFor(/^(\{.*\})$/, (options.seconds + 30) * 1000);
  await child.stop();
  return JSON.parse(line) as LoadResult;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { Pool } = await import('undici');
  const o = JSON.parse(process.argv[2] as string) as LoadOptions & { rate: number };
  const url = new URL(o.url);
  const pool = new Pool(url.origin, { connections: CONNECTIONS, pipelining: 1 });
  const total = Math.round(o.rate * o.seconds);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  const send = () => {
    const at = performance.now();
    pool
      .request({ path: url.pathname, method: o.method ?? 'POST', headers: o.headers, body: o.body })
      .then(async (res) => {
        await res.body.dump();
        latencies.push((performance.now() - at) * 1000);
        if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
      })
      .catch(() => {
        errors++;
      });
  };
  const start = performance.now();
  await new Promise<void>((resolve) => {
    // Timers fire late by up to about a millisecond; every tick sends what is due by now, so
    // the rate holds and no request is sent later than the next tick.
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * o.rate) / 1000) + 1);
      while (sent < due) {
        sent++;
        send();
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  // The last answers, or a timeout as failures.
  const deadline = performance.now() + 10_000;
  while (latencies.length + errors < total && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  errors += total - latencies.length - errors;
  const ms = (p: number) => percentile(latencies, p) / 1000;
  const summary: LoadResult = {
    requests: latencies.length,
    non2xx,
    errors,
    rps: latencies.length / ((performance.now() - start) / 1000),
    p50: ms(50),
    p99: ms(99),
    p999: ms(99.9),
    max: ms(100),
  };
  console.log(JSON.stringify(summary));
  process.exit(0);
}
