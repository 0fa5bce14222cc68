import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the gateway knows about the HTTP request being served, reachable from anything that
 * runs on its behalf (resolvers, the upstream client, log lines) without passing it along.
 * The request-log plugin opens one per request; nothing outlives it.
 */
export interface RequestScope {
  readonly requestId: string;
  readonly startedAt: number;
  /** Calls made to the users/auth REST API for this request. */
  upstreamCalls: number;
  operationName?: string | undefined;
  operationType?: string | undefined;
  /** Set by tracing, when it is on. */
  traceId?: string | undefined;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}
