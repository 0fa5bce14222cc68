import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { RateLimitedError } from '../errors.ts';

/**
 * `Retry-After: <seconds>` on a plain HTTP answer that refused something as RATE_LIMITED:
 * a top-level error with that code, or a `RateLimitedError` payload a resolver noted with
 * `noteRetryAfter`. The longest wait wins. WebSocket and SSE results carry the wait in the
 * payload (`retryAfterSeconds`) only.
 */

const notedByContext = new WeakMap<object, number>();
const byRequest = new WeakMap<Request, number>();

/** Records a rate-limit refusal of this request (its context), for the response header. */
export function noteRetryAfter(context: object, error: unknown): void {
  if (!(error instanceof RateLimitedError)) return;
  notedByContext.set(context, Math.max(notedByContext.get(context) ?? 0, error.retryAfterSeconds));
}

export function useRetryAfter(): Plugin {
  return {
    onExecutionResult({ request, result, context }) {
      if (!isSingleResult(result)) return;
      let seconds = notedByContext.get(context) ?? 0;
      for (const error of result.errors ?? []) {
        const wait = error.extensions?.code === 'RATE_LIMITED' ? Number(error.extensions.retryAfterSeconds) : 0;
        if (Number.isFinite(wait)) seconds = Math.max(seconds, wait);
      }
      if (seconds > 0) byRequest.set(request, Math.max(byRequest.get(request) ?? 0, seconds));
    },
    onResponse({ request, response }) {
      const seconds = byRequest.get(request);
      if (seconds) response.headers.set('retry-after', String(Math.ceil(seconds)));
    },
  };
}

function isSingleResult(result: unknown): result is ExecutionResult {
  return !!result && typeof result === 'object' && !(Symbol.asyncIterator in result);
}
