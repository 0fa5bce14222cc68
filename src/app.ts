import type { Logger } from 'pino';
import type { GatewayConfig, UpstreamConfig } from './config.ts';
import type { GatewayDeps } from './context.ts';
import { createLogger } from './logger.ts';
import { createHttpServer } from './server/http.ts';
import { createGatewayYoga, type GatewayYoga } from './server/yoga.ts';
import { AppSession } from './upstream/app-session.ts';
import { publicBlobUrl } from './upstream/blobs.ts';
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
  const deps: GatewayDeps = {
    client,
    app,
    appSession,
    logger,
    fileUrl: (blob) => publicBlobUrl(client.baseUrl, blob.uid),
    ...options.deps,
  };
  const ready = async () => {
    await appSession.use((token) => getSession(client, token));
    return true;
  };
  const yoga = createGatewayYoga(deps, ready);
  const http = createHttpServer(yoga);

  return {
    fetch: yoga.fetch,
    yoga,
    deps,
    start: (port = config.port, host = config.host) => http.listen(port, host),
    async stop() {
      await http.close();
      await client.close();
    },
  };
}
