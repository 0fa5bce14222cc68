import { createLocalService } from './app.ts';
import { loadLocalServiceConfig } from './config.ts';

// Process entry for `npm run local-service`: the local users service on its own.
const config = loadLocalServiceConfig();
const service = await createLocalService(config);
const baseUrl = await service.listen({ port: config.port, host: config.host });

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
