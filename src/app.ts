import type { Logger } from 'pino';
import type { GatewayConfig, UpstreamConfig } from './config.ts';
import { type GatewayDeps, withHeaderResolution } from './context.ts';
import { createFilesDeps } from './files/files-deps.ts';
import { currentRequestId } from './limits/operation-scope.ts';
import { createLogger } from './logger.ts';
import { createClientAddress } from './server/client-address.ts';
import { createHttpServer } from './server/http.ts';
import { createWsServer } from './server/ws.ts';
import { createGatewayYoga, type GatewayYoga } from './server/yoga.ts';
import { createSessionTracker } from './sessions/create-session-tracker.ts';
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
  stop(): Promise<void>;
}

export interface BuildOptions {
  logger?: Logger;
  /** Replaces pieces of the dependencies (tests, and the features that extend the core). */
  deps?: Partial<Omit<GatewayDeps, 'client' | 'app' | 'appSession'>>;
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
  const deps: GatewayDeps = {
    client,
    app,
    appSession,
    logger,
    files: files.files,
    clientAddressOf: createClientAddress(config.trustedProxies),
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
  });
  const ready = async () => {
    await appSession.use((token) => getSession(client, token));
    return true;
  };
  // Upstream detail (`status 431`, `timeout`) goes to the log with the request id, never to a client.
  client.observe({
    unavailable: (detail, cause) =>
      logger.warn({ requestId: currentRequestId(), upstream: detail, err: cause }, 'upstream unavailable'),
  });
  const yoga = createGatewayYoga(deps, ready, config);
  const http = createHttpServer(yoga);
  const ws = createWsServer(http.server, yoga, deps, config.limits);

  return {
    fetch: yoga.fetch,
    yoga,
    deps,
    async start(port = config.port, host = config.host) {
      const url = await http.listen(port, host);
      // Private file URLs must name the port really bound (port 0 in tests).
      if (!config.files.publicUrl) deps.files.gatewayOrigin = url;
      return url;
    },
    async stop() {
      await ws.close();
      await http.close();
      await sessions.close();
      await files.close();
      await client.close();
    },
  };
}
