import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ServerContext } from '../server/yoga.ts';
import type { GatewayMetrics } from './metrics.ts';
import { operationInfo } from './operation-info.ts';

export const METRICS_PATH = '/metrics';

/**
 * Operation counts and durations (HTTP, SSE and WebSocket operations all pass through here),
 * running subscriptions and open SSE streams; and `GET /metrics` on the public port unless
 * `METRICS_PORT` moved it (`servePublic` false).
 */
export function useMetrics(
  metrics: GatewayMetrics,
  { servePublic }: { servePublic: boolean },
): Plugin<Record<string, unknown>, ServerContext> {
  return {
    // Synchronous for every other path: a promise here would be one more per GraphQL request.
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (!servePublic || url.pathname !== METRICS_PATH || request.method !== 'GET') return;
      return metrics.registry
        .metrics()
        .then((text) =>
          endResponse(new fetchAPI.Response(text, { headers: { 'content-type': metrics.registry.contentType } })),
        );
    },
    onValidate({ params }) {
      return ({ valid }) => {
        if (valid) return;
        const { name, type } = operationInfo(params.documentAST, undefined);
        metrics.operation(name, type, 'invalid');
      };
    },
    onExecute({ args }) {
      const started = performance.now();
      const { name, type } = operationInfo(args.document, args.operationName);
      return {
        onExecuteDone({ result }) {
          const failed = !isAsyncIterable(result) && !!result.errors?.length;
          metrics.operation(name, type, failed ? 'error' : 'success', (performance.now() - started) / 1000);
        },
      };
    },
    onSubscribe({ args }) {
      const started = performance.now();
      const { name, type } = operationInfo(args.document, args.operationName);
      return {
        onSubscribeResult({ result }) {
          const seconds = (performance.now() - started) / 1000;
          if (!isAsyncIterable(result)) {
            metrics.operation(name, type, result.errors?.length ? 'error' : 'success', seconds);
            return;
          }
          metrics.operation(name, type, 'success', seconds);
          metrics.subscriptionStarted();
          // The metrics' own function: nothing of this call is kept for the stream's life.
          return { onEnd: metrics.subscriptionEnded };
        },
        onSubscribeError() {
          metrics.operation(name, type, 'error', (performance.now() - started) / 1000);
        },
      };
    },
    onResponse({ response, serverContext }) {
      const res = serverContext.res;
      if (!res || !response.headers.get('content-type')?.startsWith('text/event-stream')) return;
      metrics.sseStreamOpened();
      res.once('close', () => metrics.sseStreamClosed());
    },
  };
}
