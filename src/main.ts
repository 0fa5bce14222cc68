import { buildApp } from './app.ts';
import { ConfigError, type GatewayConfig, loadConfig, type UpstreamConfig } from './config.ts';
import { createLocalService } from './local-service/app.ts';
import { loadLocalServiceConfig } from './local-service/config.ts';

// Process entry for `npm start`: settings, start, graceful stop. With UPSTREAM_URL unset the
// local users service starts in this process too, on a loopback port, and the gateway uses
// the application it serves.

let config: GatewayConfig;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const stops: (() => Promise<void>)[] = [];
let upstream: UpstreamConfig;
if (config.upstream) {
  upstream = config.upstream;
} else {
  // Its request log would drown the gateway's own output; warnings and errors still show.
  // The gateway in this process reaches it from 127.0.0.1 and forwards the client address
  // (X-Forwarded-For): trusted without configuration, so login limits count real clients.
  const serviceConfig = loadLocalServiceConfig();
  const localConfig = {
    ...serviceConfig,
    logLevel: 'warn',
    trustedProxies: [...serviceConfig.trustedProxies, '127.0.0.1'],
  };
  const local = await createLocalService(localConfig);
  const url = await local.listen({ port: localConfig.port, host: '127.0.0.1' });
  stops.push(() => local.close());
  const { id, authKey, authSecret } = local.application;
  upstream = { ...config.upstreamDefaults, url, applicationId: id, authKey, authSecret };
  console.log(
    `local users service ready at ${url} (data in ${localConfig.databaseUrl ? 'PostgreSQL' : localConfig.dataDir})`,
  );
  console.log(`application ${id}: auth key ${authKey}, auth secret ${authSecret}`);
}

const app = buildApp({ ...config, upstream });
const url = await app.start();
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
