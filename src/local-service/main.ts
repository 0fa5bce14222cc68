import { listenFailure, storeFailure } from '../startup-error.ts';
import { createLocalService, type LocalService } from './app.ts';
import { type LocalServiceConfig, LocalServiceConfigError, loadLocalServiceConfig } from './config.ts';

// Process entry for `npm run local-service`: the local users service on its own. What stops
// it at start (settings, store, port) ends in one line naming the setting, not a stack trace.

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let config: LocalServiceConfig;
try {
  config = loadLocalServiceConfig();
} catch (error) {
  fail(error instanceof LocalServiceConfigError ? error.message : String(error));
}

let service: LocalService;
try {
  service = await createLocalService(config);
} catch (error) {
  fail(storeFailure(error, config));
}

let baseUrl: string;
try {
  baseUrl = await service.listen({ port: config.port, host: config.host });
} catch (error) {
  fail(
    listenFailure(error, {
      port: config.port,
      host: config.host,
      portSetting: 'LOCAL_SERVICE_PORT',
      hostSetting: 'LOCAL_SERVICE_HOST',
    }),
  );
}

const { id, authKey, authSecret } = service.application;
console.log(`local users service ready at ${baseUrl}`);
console.log(
  service.seeded
    ? `created application ${id}: auth key ${authKey}, auth secret ${authSecret} (set LOCAL_AUTH_KEY/LOCAL_AUTH_SECRET to choose them)`
    : `serving application ${id} (auth key ${authKey})`,
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed', error);
        process.exit(1);
      },
    );
  });
}
