import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/**
 * Subscriptions (SSE streams and graphql-ws operations alike) complete when shutdown starts,
 * so that their clients get a clean end instead of a cut connection, and the server's
 * connections can drain. The open ones are kept in a set, not wrapped: a wrapper per
 * subscription would hold an iterator, a pending race and a listener for the whole stream.
 */
export function useEndStreamsOnShutdown(shutdown: AbortSignal): Plugin {
  const open = new Set<AsyncIterator<unknown>>();
  shutdown.addEventListener(
    'abort',
    () => {
      for (const stream of open) void stream.return?.();
      open.clear();
    },
    { once: true },
  );
  return {
    onSubscribe() {
      let stream: AsyncIterator<unknown> | undefined;
      const forget = () => {
        if (stream) open.delete(stream);
      };
      return {
        onSubscribeResult({ result }) {
          // The stream is the iterator its client reads through: returning it ends the stream.
          if (!isAsyncIterable(result)) return;
          if (shutdown.aborted) {
            void result.return?.();
            return;
          }
          stream = result;
          open.add(stream);
          return { onEnd: forget };
        },
        // A stream that fails ends without `onEnd`.
        onSubscribeError: forget,
      };
    },
  };
}
