import { randomBytes } from 'node:crypto';
import { Pool } from '../upstream/undici.ts';

/**
 * What a new instance's first requests would pay, paid before it says it is ready: V8 runs a
 * function first in its interpreter and compiles it only once it is hot, so the first few
 * hundred requests cost several times what later ones do (at 1,000 req/s they queue behind
 * one another for the first second). The warm-up sends `requests` GraphQL requests to the
 * instance itself over loopback, through the whole HTTP and GraphQL path (Node's HTTP server,
 * yoga and every plugin, execution, the response, and undici's client, which the upstream
 * calls share), then lets V8 collect what start-up and the warm-up left in the old
 * generation (when the process runs with `--expose-gc`, as `npm start` and the image do), so
 * that this collection does not land on the first real requests either. `/readyz` answers
 * 503 `starting` until it is done.
 *
 * The operation (`query WarmUp { __typename }`) calls no upstream. Its requests carry a
 * secret of this process in `x-cube-warm-up`, by which the request log writes them at debug
 * level only; the operation metrics count them under the name `WarmUp`.
 */

export const WARM_UP_HEADER = 'x-cube-warm-up';
/** Enough for V8 to compile the hot path (WARM_UP_REQUESTS); ≈ 0.2 s of a start. */
export const DEFAULT_WARM_UP_REQUESTS = 300;
const WARM_UP_BODY = JSON.stringify({ query: 'query WarmUp { __typename }', operationName: 'WarmUp' });
/** Requests in flight at once: a few, as real traffic has, without queueing in the pool. */
const CONCURRENCY = 4;

export interface WarmUp {
  /** Whether the request is one of this process's own warm-up requests. */
  isWarmUp(request: Request): boolean;
  /** Whether the warm-up has run (or there is none). */
  readonly done: boolean;
  /** Sends the warm-up's requests to the gateway at `baseUrl`, then collects garbage; rejects if one failed. */
  run(baseUrl: string): Promise<void>;
}

export function createWarmUp(requests: number): WarmUp {
  const secret = randomBytes(16).toString('hex');
  let done = requests === 0;
  return {
    isWarmUp: (request) => request.headers.get(WARM_UP_HEADER) === secret,
    get done() {
      return done;
    },
    async run(baseUrl) {
      if (done) return;
      const pool = new Pool(baseUrl, { connections: CONCURRENCY });
      const headers = { 'content-type': 'application/json', [WARM_UP_HEADER]: secret };
      const one = async () => {
        const res = await pool.request({ path: '/graphql', method: 'POST', headers, body: WARM_UP_BODY });
        await res.body.dump();
      };
      try {
        for (let sent = 0; sent < requests; sent += CONCURRENCY) {
          await Promise.all(Array.from({ length: Math.min(CONCURRENCY, requests - sent) }, one));
        }
      } finally {
        // A failed warm-up (the caller logs it) still ends: the instance serves, only colder.
        done = true;
        await pool.close();
        (globalThis as { gc?: () => void }).gc?.();
      }
    },
  };
}
