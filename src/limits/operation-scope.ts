import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { type BulkheadPolicy, bulkhead } from 'cockatiel';

/**
 * What one GraphQL operation carries down to the upstream client without threading it
 * through every resolver: its request id (for logs) and its share of upstream concurrency.
 */
interface OperationScope {
  requestId: string;
  concurrency: number;
  /**
   * At most N upstream calls in flight; the rest wait their turn (cockatiel's bulkhead). Made
   * at the first call: most subscriptions never make one, and hold their scope while open.
   */
  upstream?: BulkheadPolicy;
}

const storage = new AsyncLocalStorage<OperationScope>();

/** A caller's `X-Request-Id` is kept when it is a plain token; otherwise a new one. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export function runInOperationScope<T>(options: { concurrency: number; requestId?: string | null }, fn: () => T): T {
  const requestId = options.requestId && REQUEST_ID.test(options.requestId) ? options.requestId : randomUUID();
  // The queue is unbounded here: the operation limits already bound how many calls one operation can ask for.
  return storage.run({ requestId, concurrency: options.concurrency }, fn);
}

/** The request id of the operation being executed, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Runs one upstream call within the current operation's concurrency (unbounded outside an operation). */
export function withUpstreamSlot<T>(call: () => Promise<T>): Promise<T> {
  const scope = storage.getStore();
  if (!scope) return call();
  scope.upstream ??= bulkhead(scope.concurrency, Number.POSITIVE_INFINITY);
  return scope.upstream.execute(() => call());
}
