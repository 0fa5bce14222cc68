import type { Logger } from 'pino';
import type { GatewayConfig, UpstreamConfig } from './config.ts';
import { type GatewayDeps, withHeaderResolution } from './context.ts';
import { createFilesDeps } from './files/files-deps.ts';
import { currentRequestId } from './limits/operation-scope.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { createMetricsServer } from './observability/metrics-server.ts';
import { currentRequestScope } from './observability/request-scope.ts';
import type { Tracing } from './observability/tracing.ts';
import { createAttemptLimits } from './security/attempt-limits.ts';
import { createLimiterStore } from './security/limiter-store.ts';
import { type ApqStore, createApqStore } from './server/apq-store.ts';
import { createClientAddress } from './server/client-address.ts';
import { createHttpServer } from './server/http.ts';
import { createOriginPolicy } from './server/origin-policy.ts';
import { createSessionCookie } from './server/session-cookie.ts';
import type { Readiness } from './server/use-health.ts';
import { createWarmUp } from './server/warm-up.ts';
import { createWsServer } from './server/ws.ts';
import { createGatewayYoga, type GatewayYoga } from './server/yoga.ts';
import { createSessionTracker, DEFAULT_SESSION_KEY_PREFIX } from './sessions/create-session-tracker.ts';
import { AppSession } from './upstream/app-session.ts';
import { UpstreamClient } from './upstream/client.ts';
import { getSession } from './upstream/sessions.ts';

export interface GatewayApp {
  /** In-process requests, as yoga's `fetch` (tests use it without a port). */
  fetch: GatewayYoga['fetch'];
  yoga: GatewayYoga;
  deps: GatewayDeps;
  /** Listens and resolves to the base URL, e.g. `http://127.0.0.1:4000`. */
  start(port?: number, host?: string): Promise<string>;
  /** The base URL of `GET /metrics` when `METRICS_PORT` moved it off the public port (after `start`). */
  metricsUrl: string | undefined;
  /**
   * Graceful stop: `/readyz` answers 503 at once, no new connections are taken, subscriptions
   * complete, WebSockets close with 1001, in-flight requests and uploads get up to
   * `shutdownGraceMs`, then Redis, BullMQ and the upstream pools close.
   */
  stop(): Promise<void>;
}

export interface BuildOptions {
  logger?: Logger;
  /** Replaces pieces of the dependencies (tests, and the features that extend the core). */
  deps?: Partial<Omit<GatewayDeps, 'client' | 'app' | 'appSession'>>;
  /** Tracing, started by `main.ts` (a dynamic import) when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. */
  tracing?: Tracing;
}

/**
 * Builds the gateway from validated settings. Nothing starts on import or here: the upstream
 * pool connects lazily, and the server listens only in `start`.
 */
export function buildApp(config: GatewayConfig & { upstream: UpstreamConfig }, options: BuildOptions = {}): GatewayApp {
  const logger = options.logger ?? createLogger(config.logLevel);
  const client = new UpstreamClient(config.upstream);
  const app = {
    applicationId: config.upstream.applicationId,
    authKey: config.upstream.authKey,
    authSecret: config.upstream.authSecret,
  };
  const appSession = new AppSession(client, app);
  const files = createFilesDeps({
    config: config.files,
    upstream: config.upstream,
    client,
    logger,
    defaultOrigin: `http://${config.host}:${config.port}`,
  });
  // Counters go to Redis (connecting on first use) when REDIS_URL is set, else stay in memory.
  const limiterStore = createLimiterStore({
    redisUrl: config.redisUrl,
    keyPrefix: config.redisKeyPrefix ?? DEFAULT_SESSION_KEY_PREFIX,
    onError: (err) => logger.warn({ err }, 'rate limiter store'),
  });
  const deps: GatewayDeps = {
    client,
    app,
    appSession,
    logger,
    files: files.files,
    clientAddressOf: createClientAddress(config.trustedProxies),
    security: {
      limits: createAttemptLimits(config.security.limits, limiterStore),
      publicUserFields: new Set(config.security.publicUserFields),
    },
    metrics: createMetrics(),
    sessionCookie: config.sessionCookie && createSessionCookie(config.sessionCookie),
    // With Redis this opens its connections now: the tracker's schedule must run from the start.
    sessions:
      options.deps?.sessions ??
      createSessionTracker({
        redisUrl: config.redisUrl,
        expiringLeadSeconds: config.sessionExpiringLeadSeconds,
        extendedThrottleSeconds: config.sessionExtendedThrottleSeconds,
        tokenHashKey: config.sessionTokenHashKey,
        keyPrefix: config.redisKeyPrefix,
        onError: (err) => logger.warn({ err }, 'session tracker'),
      }),
    ...options.deps,
  };
  const { sessions } = deps;
  const warn = (err: unknown) => logger.warn({ err }, 'session tracker');
  // Every upstream answer with `CB-Token-ExpirationDate` feeds the tracker; a tracker failure never fails a request.
  client.observe({
    tokenExtended: (token, expiresAt) => void sessions.observe(token, withHeaderResolution(expiresAt)).catch(warn),
    tokenGone: (token) => void sessions.expired(token).catch(warn),
    called: ({ method, route, status, seconds }) => {
      deps.metrics.upstreamCall(method, route, status, seconds);
      const scope = currentRequestScope();
      if (scope) scope.upstreamCalls += 1;
    },
  });
  client.breaker.onStateChange((state) => {
    deps.metrics.circuitState('upstream', state === 'half-open' ? 'half_open' : state);
    if (state === 'open')
      logger.warn({ breaker: state }, 'upstream circuit open: calls fail at once until it recovers');
    else logger.info({ breaker: state }, `upstream circuit ${state}`);
  });
  const shutdown = new AbortController();
  const warmUp = createWarmUp(config.warmUpRequests);
  const readiness = async (): Promise<Readiness> => {
    if (shutdown.signal.aborted) return 'shutting-down';
    if (!warmUp.done) return 'starting';
    // An open circuit is an answer already: not ready, and no call is made.
    if (client.breaker.state === 'open') return 'circuit-open';
    await appSession.use((token) => getSession(client, token));
    return 'ready';
  };
  // Upstream detail (`status 431`, `timeout`) goes to the log with the request id, never to a client.
  client.observe({
    unavailable: (detail, cause) =>
      logger.warn(
        { requestId: currentRequestScope()?.requestId ?? currentRequestId(), upstream: detail, err: cause },
        'upstream unavailable',
      ),
  });
  const originAllowed = createOriginPolicy(config.corsOrigins, config.files.publicUrl);
  const { metricsPort } = config.observability;
  const { persistedOperations } = config;
  const apq =
    persistedOperations.mode === 'apq'
      ? createApqStore({ redisUrl: config.redisUrl, keyPrefix: config.redisKeyPrefix })
      : undefined;
  const yoga = createGatewayYoga(deps, readiness, config, {
    persisted:
      persistedOperations.mode === 'only' ? persistedOperations : { mode: 'apq', store: (apq as ApqStore).store },
    publicMetrics: metricsPort === undefined,
    originAllowed,
    tracing: options.tracing?.plugin,
    shutdown: shutdown.signal,
    isWarmUp: warmUp.isWarmUp,
  });
  const http = createHttpServer(yoga);
  const ws = createWsServer(http.server, yoga, deps, config.limits, {
    originAllowed,
    production: config.env === 'production',
  });
  const metricsServer = metricsPort === undefined ? undefined : createMetricsServer(deps.metrics);
  let stopping: Promise<void> | undefined;

  return {
    fetch: yoga.fetch,
    yoga,
    deps,
    metricsUrl: undefined,
    async start(port = config.port, host = config.host) {
      const url = await http.listen(port, host);
      if (metricsServer) this.metricsUrl = await metricsServer.listen(metricsPort as number, host);
      // Private file URLs must name the port really bound (port 0 in tests).
      if (!config.files.publicUrl) deps.files.gatewayOrigin = url;
      // Before `/readyz` says ready: the first real requests then find the hot path compiled.
      await warmUp.run(url).catch((err: unknown) => logger.warn({ err }, 'warm-up failed: serving without it'));
      return url;
    },
    stop() {
      stopping ??= (async () => {
        const graceMs = config.shutdownGraceMs;
        shutdown.abort();
        logger.info({ graceMs }, 'shutdown started: not ready, no new connections, draining');
        const drained = http.close(graceMs);
        await ws.close(graceMs);
        await drained;
        await metricsServer?.close();
        await options.tracing?.shutdown();
        await sessions.close();
        await apq?.close();
        await files.close();
        await limiterStore.close();
        await client.close();
        logger.info('shutdown complete');
      })();
      return stopping;
    },
  };
}
