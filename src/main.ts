import { buildApp } from './app.ts';
import { ConfigError, type GatewayConfig, loadConfig, type UpstreamConfig } from './config.ts';
import type { LocalService } from './local-service/app.ts';
import { listenFailure, storeFailure } from './startup-error.ts';

// Process entry for `npm start`: settings, start, graceful stop. With UPSTREAM_URL unset the
// local users service starts in this process too, on a loopback port, and the gateway uses
// the application it serves. What stops it at start (settings, store, port) ends in one line
// naming the setting, not a stack trace.

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let config: GatewayConfig;
try {
  config = loadConfig();
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}

const stops: (() => Promise<void>)[] = [];
let upstream: UpstreamConfig;
if (config.upstream) {
  upstream = config.upstream;
} else {
  // Loaded only here: a gateway with UPSTREAM_URL never loads fastify, PGlite or the mailer.
  const [{ createLocalService }, { LocalServiceConfigError, loadLocalServiceConfig }] = await Promise.all([
    import('./local-service/app.ts'),
    import('./local-service/config.ts'),
  ]);
  // Its request log would drown the gateway's own output; warnings and errors still show.
  // The gateway in this process reaches it from 127.0.0.1 and forwards the client address
  // (X-Forwarded-For): trusted without configuration, so login limits count real clients.
  let serviceConfig: ReturnType<typeof loadLocalServiceConfig>;
  try {
    serviceConfig = loadLocalServiceConfig();
  } catch (error) {
    fail(error instanceof LocalServiceConfigError ? error.message : String(error));
  }
  const localConfig = {
    ...serviceConfig,
    logLevel: 'warn',
    trustedProxies: [...serviceConfig.trustedProxies, '127.0.0.1'],
  };
  let local: LocalService;
  try {
    local = await createLocalService(localConfig);
  } catch (error) {
    fail(storeFailure(error, localConfig));
  }
  let url: string;
  try {
    url = await local.listen({ port: localConfig.port, host: '127.0.0.1' });
  } catch (error) {
    fail(
      listenFailure(error, {
        port: localConfig.port,
        host: '127.0.0.1',
        portSetting: 'LOCAL_SERVICE_PORT',
        hostSetting: 'LOCAL_SERVICE_HOST',
      }),
    );
  }
  stops.push(() => local.close());
  const { id, authKey, authSecret } = local.application;
  upstream = { ...config.upstreamDefaults, url, applicationId: id, authKey, authSecret };
  console.log(
    `local users service ready at ${url} (data in ${localConfig.databaseUrl ? 'PostgreSQL' : localConfig.dataDir})`,
  );
  console.log(`application ${id}: auth key ${authKey}, auth secret ${authSecret}`);
}

// OpenTelemetry is loaded only when traces have somewhere to go.
const { tracesEndpoint, serviceName } = config.observability;
const tracing = tracesEndpoint
  ? (await import('./observability/tracing.ts')).startTracing({ endpoint: tracesEndpoint, serviceName })
  : undefined;

const app = buildApp({ ...config, upstream }, { ...(tracing && { tracing }) });
let url: string;
try {
  url = await app.start();
} catch (error) {
  await app.stop().catch(() => {});
  for (const stop of stops) await stop().catch(() => {});
  fail(listenFailure(error, { port: config.port, host: config.host, portSetting: 'PORT', hostSetting: 'HOST' }));
}
stops.unshift(() => app.stop());
console.log(`cube-gateway ready at ${url} (GraphiQL: ${url}/graphql)`);
if (app.metricsUrl) console.log(`metrics at ${app.metricsUrl}/metrics`);

/** Past the grace period, shutdown gets this much more before the process is ended anyway. */
const SHUTDOWN_MARGIN_MS = 5_000;

// Graceful stop. Nothing calls process.exit on success: with every server, socket, pool,
// Redis connection and timer closed the event loop empties and the process exits 0 by itself.
// The unref'd timer below only fires if something was left open, and says so.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    console.log(`${signal} received: shutting down (grace ${config.shutdownGraceMs} ms)`);
    setTimeout(() => {
      console.error('shutdown did not finish in time: exiting with open handles');
      process.exit(1);
    }, config.shutdownGraceMs + SHUTDOWN_MARGIN_MS).unref();
    void (async () => {
      for (const stop of stops) await stop();
    })().then(
      () => {
        console.log('shutdown complete');
        process.exitCode = 0;
      },
      (error: unknown) => {
        console.error('shutdown failed', error);
        process.exit(1);
      },
    );
  });
}
