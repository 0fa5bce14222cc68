import type { IncomingMessage, ServerResponse } from 'node:http';
import { type APQStore, useAPQ } from '@graphql-yoga/plugin-apq';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { GatewayConfig } from '../config.ts';
import { type Context, createContext, type GatewayDeps, tokenFromExtensions, tokenFromHeaders } from '../context.ts';
import { createFileDownloadHandler } from '../files/file-download-handler.ts';
import { DEFAULT_MAX_FILES_PER_REQUEST, DEFAULT_MAX_MULTIPART_FIELD_BYTES } from '../files/graphql-multipart.ts';
import { createPublicFileHandler } from '../files/public-file-handler.ts';
import { useFileDownloads } from '../files/use-file-downloads.ts';
import { usePublicFiles } from '../files/use-public-files.ts';
import { useStreamingUploads } from '../files/use-streaming-uploads.ts';
import { boundedParserCache } from '../limits/document-cache.ts';
import { useCostLimit } from '../limits/use-cost-limit.ts';
import { useOperationLimits } from '../limits/use-operation-limits.ts';
import { useRequestSizeLimit } from '../limits/use-request-size-limit.ts';
import { useSseStreamLimit } from '../limits/use-sse-stream-limit.ts';
import { useUpstreamFanOut } from '../limits/use-upstream-fan-out.ts';
import { useVariablesDepthLimit } from '../limits/use-variables-depth-limit.ts';
import { useMetrics } from '../observability/use-metrics.ts';
import { useRequestLog } from '../observability/use-request-log.ts';
import { buildSchema } from '../schema/index.ts';
import { useQuietVariableErrors } from '../security/use-quiet-variable-errors.ts';
import { useRetryAfter } from '../security/use-retry-after.ts';
import { corsFromAllowList } from './cors.ts';
import { graphiqlDefaultQuery, graphiqlHeaders, renderGatewayGraphiQL } from './graphiql.ts';
import type { OriginAllowed } from './origin-policy.ts';
import { useCookieCsrf } from './use-cookie-csrf.ts';
import { useGetCacheHeaders } from './use-get-cache-headers.ts';
import { type Readiness, useHealth } from './use-health.ts';
import { useIntrospectionSwitch } from './use-introspection-switch.ts';
import { useLeanSubscribe } from './use-lean-subscribe.ts';
import { useReleaseRequestCaches } from './use-release-request-caches.ts';
import { useSessionCookie } from './use-session-cookie.ts';
import { useEndStreamsOnShutdown } from './use-shutdown.ts';
import { useTrustedDocuments } from './use-trusted-documents.ts';

/** What Node's HTTP server hands yoga with each request (absent for in-process `fetch`). */
export interface ServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
}

/** What the observability and cookie-session side of yoga needs besides the settings. */
export interface GatewayYogaOptions {
  /** Serve `GET /metrics` here (false when `METRICS_PORT` moved it). */
  publicMetrics: boolean;
  /** Cookie mode's Origin rule (also applied at the WebSocket upgrade). */
  originAllowed: OriginAllowed;
  /** The tracing plugin, when `OTEL_EXPORTER_OTLP_ENDPOINT` turned tracing on. */
  tracing?: Plugin | undefined;
  /** Aborted when shutdown starts: subscriptions then complete. */
  shutdown: AbortSignal;
  /** Automatic persisted queries, or trusted documents only (`PERSISTED_OPERATIONS`). */
  persisted: PersistedOperations;
  /** The instance's own warm-up requests (src/server/warm-up.ts): logged at debug level only. */
  isWarmUp: (request: Request) => boolean;
}

/** The settings the HTTP side of the gateway reads. */
export type YogaSettings = Pick<GatewayConfig, 'limits' | 'introspection' | 'graphiql' | 'corsOrigins'>;

export type GatewayYoga = YogaServerInstance<ServerContext, Context>;

/** Automatic persisted queries in a store, or only the trusted documents of a manifest. */
export type PersistedOperations = { mode: 'apq'; store: APQStore } | { mode: 'only'; manifest: string };

/**
 * GraphQL over HTTP on `/graphql` (GET, POST, SSE) with GraphiQL served from the package
 * (no CDN), health endpoints, and a context per request. Errors that are not GraphQLErrors
 * are masked, always: no stack, upstream URL or token reaches a client.
 */
export function createGatewayYoga(
  deps: GatewayDeps,
  readiness: () => Promise<Readiness>,
  settings: YogaSettings,
  options: GatewayYogaOptions,
): GatewayYoga {
  const { files, sessionCookie } = deps;
  const { limits } = settings;
  return createYoga<ServerContext, Context>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // The operation's own `extensions.authorization` wins, then an `Authorization` (or
    // `CB-Token`) header, then the session cookie.
    context: ({ request, req, params }) =>
      createContext(
        deps,
        tokenFromExtensions(params?.extensions) ??
          tokenFromHeaders(request.headers) ??
          sessionCookie?.tokenFrom(request.headers.get('cookie')) ??
          null,
        deps.clientAddressOf(req),
      ),
    maskedErrors: { isDev: false },
    logging: {
      debug: (...args) => deps.logger.debug(args.length === 1 ? args[0] : args),
      info: (...args) => deps.logger.info(args.length === 1 ? args[0] : args),
      warn: (...args) => deps.logger.warn(args.length === 1 ? args[0] : args),
      error: (...args) => deps.logger.error(args.length === 1 ? args[0] : args),
    },
    cors: corsFromAllowList(settings.corsOrigins),
    graphiql: settings.graphiql && {
      title: 'cube-gateway',
      defaultQuery: graphiqlDefaultQuery,
      headers: graphiqlHeaders,
      defaultEditorToolsVisibility: 'headers',
      // GraphiQL keeps its tabs, and their headers (the token pasted there), in this origin's
      // localStorage: a reload restores the same tab signed in instead of opening an empty one.
      shouldPersistHeaders: true,
    },
    renderGraphiQL: renderGatewayGraphiQL,
    parserAndValidationCache: boundedParserCache(),
    // Off: multipart bodies are bounded by the streaming parser, every other body by
    // useRequestSizeLimit. yoga's own limit wraps each body in a stream with no back-pressure
    // (which would hold most of a large upload in memory), even a body whose Content-Length
    // is known.
    maxRequestBodySize: false,
    plugins: [
      useLeanSubscribe(),
      // Outermost: every later plugin and log line runs inside the request's scope.
      useRequestLog(deps.logger, deps.clientAddressOf, options.isWarmUp),
      ...(options.tracing ? [options.tracing] : []),
      useMetrics(deps.metrics, { servePublic: options.publicMetrics }),
      ...(sessionCookie ? [useCookieCsrf(options.originAllowed), useSessionCookie(sessionCookie)] : []),
      useHealth(readiness),
      useEndStreamsOnShutdown(options.shutdown),
      useRetryAfter(),
      useQuietVariableErrors(),
      // Before the signed downloads: both live under `/files/`.
      ...(files.publicViaGateway
        ? [
            usePublicFiles(
              createPublicFileHandler({
                upstream: files.blobs,
                onError: (err) => deps.logger.warn({ err }, 'public file download failed'),
              }),
            ),
          ]
        : []),
      useGetCacheHeaders('/graphql'),
      // Automatic persisted queries as Apollo's link sends them (also the hash-only GET), or
      // trusted documents only.
      options.persisted.mode === 'apq'
        ? useAPQ({ store: options.persisted.store })
        : useTrustedDocuments(options.persisted.manifest),
      useFileDownloads(
        createFileDownloadHandler({
          signer: files.signer,
          upstream: files.blobs,
          appSession: deps.appSession,
          allowedSourceOrigins: files.allowedSourceOrigins,
          onError: (err) => deps.logger.warn({ err }, 'file download failed'),
        }),
        files.signer.pathPrefix,
      ),
      // After yoga's own parsers, so that its multipart parser (all files in memory) is replaced.
      useStreamingUploads({
        maxFileBytes: files.limits.maxBytes,
        maxFiles: DEFAULT_MAX_FILES_PER_REQUEST,
        maxFieldBytes: DEFAULT_MAX_MULTIPART_FIELD_BYTES,
      }),
      // After every request parser, so that it wraps the chosen one.
      useRequestSizeLimit(limits.maxRequestBytes),
      useSseStreamLimit(limits.maxSseStreamsPerAddress, deps.clientAddressOf),
      useVariablesDepthLimit(limits.maxVariableDepth),
      // Operation limits: parse and validation (armor), then cost as execution starts.
      useOperationLimits(limits),
      useIntrospectionSwitch(settings.introspection),
      useCostLimit(limits.maxCost),
      useUpstreamFanOut(limits.upstreamConcurrencyPerOperation),
      // Last: once every other plugin is done with an execution, its Pothos caches go.
      useReleaseRequestCaches(),
    ],
  });
}
