import { contextCacheSymbol } from '@pothos/core';
import { RequestCache } from '@pothos/plugin-scope-auth';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/**
 * Lets a request's data be collected with the request. Pothos keeps each plugin's per-request
 * data (scope-auth's cache of the caller's scopes, the loaders) in `WeakMap`s keyed by the
 * object under the context's `contextCacheSymbol`, and that data holds the context, which
 * holds the key. V8's young-generation collector cannot clear an entry that leads back to its
 * own key, so every request's context and everything it references (the request, its loaders
 * and their records) reached the old generation and waited there for a full collection:
 * ≈ 10 KB a request, a mark-compact every few seconds under load (bench/RESULTS.md).
 *
 * Once an execution has finished nothing reads those caches again, so scope-auth's is cleared
 * (its own `RequestCache.clearForContext`) and the context lets go of the key, which frees the
 * other plugins' entries with it. Registered last, so every other plugin's `onExecuteDone` has
 * run. A stream (a subscription, incremental delivery) keeps its caches for its life. Every
 * execution has a context of its own (HTTP requests are not batched; a WebSocket operation
 * gets its own), so none is cleared under another.
 */
export function useReleaseRequestCaches(): Plugin {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result)) return;
          RequestCache.clearForContext(args.contextValue);
          Reflect.set(args.contextValue, contextCacheSymbol, undefined);
        },
      };
    },
  };
}
