import { buildApp } from './app.ts';
import { ConfigError, type GatewayConfig, loadConfig, type UpstreamConfig } from './config.ts';
import { createLocalService, type LocalService } from './local-service/app.ts';
import { LocalServiceConfigError, loadLocalServiceConfig } from './local-service/config.ts';
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

const app = buildApp({ ...config, upstream });
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

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void (async () => {
      for (const stop of stops) await stop();
    })().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed', error);
        process.exit(1);
      },
    );
  });
}
