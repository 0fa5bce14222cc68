import { randomUUID } from 'node:crypto';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { ClientAddressOf } from '../server/client-address.ts';
import type { ServerContext } from '../server/yoga.ts';
import { operationInfo } from './operation-info.ts';
import { redactVariables } from './redaction.ts';
import { currentRequestScope, type RequestScope, runInRequestScope } from './request-scope.ts';

export const REQUEST_ID_HEADER = 'x-request-id';
/** An incoming `X-Request-Id` is kept when it looks like an id; anything else gets a fresh UUID. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:/+=-]{1,128}$/;
/** Probes and scrapes are logged at debug: they would drown the requests at info. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

interface LoggedScope extends RequestScope {
  outcome?: 'success' | 'error' | 'invalid';
  variables?: Record<string, unknown> | undefined;
}

/**
 * One log line per HTTP request, when its response starts: request id (an incoming sane
 * `X-Request-Id` or a new one, answered back in the same header), method, path, status,
 * operation name and type, outcome, duration, client address and upstream call count. The
 * request's scope also gives every other log line of the request its id (the logger's mixin).
 * Never the query text, a header value or a cookie; variables only at debug level, redacted.
 * Probes, scrapes and the instance's own warm-up are logged at debug level.
 */
export function useRequestLog(
  logger: Logger,
  clientAddressOf: ClientAddressOf,
  /** Requests logged at debug whatever their path: the instance's own warm-up. */
  quiet: (request: Request) => boolean = () => false,
): Plugin<Record<string, unknown>, ServerContext> {
  const scopes = new WeakMap<Request, LoggedScope>();
  const scoped = (): LoggedScope | undefined => currentRequestScope() as LoggedScope | undefined;
  const onOperation = (
    document: Parameters<typeof operationInfo>[0],
    operationName: string | null | undefined,
    variables: unknown,
  ) => {
    const scope = scoped();
    if (!scope) return undefined;
    const { name, type } = operationInfo(document, operationName);
    scope.operationName = name;
    scope.operationType = type;
    if (logger.isLevelEnabled('debug')) {
      scope.variables = redactVariables(document, variables as Record<string, unknown> | null | undefined);
    }
    return scope;
  };
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const incoming = request.headers.get(REQUEST_ID_HEADER);
        const scope: LoggedScope = {
          requestId: incoming && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID(),
          startedAt: performance.now(),
          upstreamCalls: 0,
        };
        scopes.set(request, scope);
        return runInRequestScope(scope, wrapped);
      },
    },
    onValidate() {
      return ({ valid }) => {
        const scope = scoped();
        if (scope && !valid) scope.outcome = 'invalid';
      };
    },
    onExecute({ args }) {
      const scope = onOperation(args.document, args.operationName, args.variableValues);
      return {
        onExecuteDone({ result }) {
          if (scope) scope.outcome = !isAsyncIterable(result) && result.errors?.length ? 'error' : 'success';
        },
      };
    },
    onSubscribe({ args }) {
      const scope = onOperation(args.document, args.operationName, args.variableValues);
      // Over WebSocket there is no request (nor its log line): nothing to hold for the stream.
      if (!scope) return;
      return {
        onSubscribeResult({ result }) {
          scope.outcome = !isAsyncIterable(result) && result.errors?.length ? 'error' : 'success';
        },
        onSubscribeError() {
          scope.outcome = 'error';
        },
      };
    },
    onResponse({ request, response, serverContext }) {
      const scope = scopes.get(request);
      if (!scope) return;
      response.headers.set(REQUEST_ID_HEADER, scope.requestId);
      // Nothing is gathered for a line the level leaves out (LOG_LEVEL=warn under load), not
      // even the path (debug is below info: without info, no line is written).
      if (!logger.isLevelEnabled('info')) return;
      const path = new URL(request.url).pathname;
      const level = QUIET_PATHS.has(path) || quiet(request) ? 'debug' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const line = {
        requestId: scope.requestId,
        ...(scope.traceId && { traceId: scope.traceId }),
        method: request.method,
        path,
        status: response.status,
        operationName: scope.operationName ?? null,
        operationType: scope.operationType ?? null,
        outcome: scope.outcome ?? (response.status >= 400 ? 'error' : 'success'),
        durationMs: Math.round((performance.now() - scope.startedAt) * 10) / 10,
        clientAddress: clientAddressOf(serverContext.req),
        upstreamCalls: scope.upstreamCalls,
        ...(scope.variables && { variables: scope.variables }),
      };
      logger[level](line, 'request');
    },
  };
}
