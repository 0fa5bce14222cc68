import type { Plugin } from 'graphql-yoga';
import { currentRequestScope } from '../observability/request-scope.ts';
import { runInOperationScope } from './operation-scope.ts';

/**
 * Bounds each operation's upstream fan-out: its resolvers (and the DataLoaders they start)
 * run in an operation scope whose upstream calls are at most `concurrency` at once
 * (UPSTREAM_CONCURRENCY_PER_OPERATION); the rest queue. 300 aliases of `file(uid:)` are
 * then 300 queued calls, never 300 sockets at once.
 */
export function useUpstreamFanOut(concurrency: number): Plugin {
  // The request log's id when there is one (HTTP), so that both name the request alike.
  const requestIdOf = (contextValue: unknown) =>
    currentRequestScope()?.requestId ??
    (contextValue as { request?: Request } | undefined)?.request?.headers.get('x-request-id');
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const requestId = requestIdOf(args.contextValue);
      setExecuteFn((execArgs) => runInOperationScope({ concurrency, requestId }, () => executeFn(execArgs)));
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const requestId = requestIdOf(args.contextValue);
      setSubscribeFn((subArgs) => runInOperationScope({ concurrency, requestId }, () => subscribeFn(subArgs)));
    },
  };
}
