import { isAsyncIterable, type Plugin, Repeater } from 'graphql-yoga';

/**
 * Subscriptions (SSE streams and graphql-ws operations alike) complete when shutdown starts,
 * so that their clients get a clean end instead of a cut connection, and the server's
 * connections can drain.
 */
export function useEndStreamsOnShutdown(shutdown: AbortSignal): Plugin {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(endOnAbort(result, shutdown));
        },
      };
    },
  };
}

function endOnAbort<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncIterableIterator<T> {
  return new Repeater<T>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    const onAbort = () => stop();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) stop();
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), stop.then(() => undefined)]);
        if (!next || next.done) break;
        await push(next.value);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      await iterator.return?.();
      stop();
    }
  });
}
