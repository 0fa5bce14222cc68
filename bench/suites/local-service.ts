import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatewayArgv } from '../lib/gateway-command.ts';
import { integerIdArgument } from '../lib/gateway-schema.ts';
import { runLoad } from '../lib/load.ts';
import { appToken, BENCH_AUTH_KEY, benchDatabase, logIn, signUp, startLocalService } from '../lib/local-service.ts';
import { cpuSeconds, spawnNode } from '../lib/processes.ts';
import type { Settings, Table } from '../lib/table.ts';

/**
 * 2. Through the local users service, on the embedded store and on PostgreSQL: an
 * authenticated REST lookup (`GET /users/v2?id[in][]=…`) straight to the service, the same
 * lookup through the gateway, and the floor: a bare fastify route doing one primary-key
 * SELECT on the same store.
 *
 * The service and the floor are each warmed for WARM_SECONDS before they are measured: PGlite
 * (WebAssembly and JavaScript) keeps getting faster for about ten seconds of load (≈ 180 →
 * 155 µs per lookup over consecutive 5-second windows), so a shorter warm-up measures a
 * process still compiling. Both sides get the same.
 */

const floorServer = fileURLToPath(new URL('../servers/fastify-select.ts', import.meta.url));
const PASSWORD = 'bench-password-1';
const WARM_SECONDS = 10;
const warmSecondsOf = (settings: Settings) => (settings.quick ? settings.warmSeconds : WARM_SECONDS);

export async function localService(settings: Settings, table: Table): Promise<void> {
  const database = await benchDatabase();
  const stores: { name: string; databaseUrl?: string }[] = [{ name: 'embedded (PGlite)' }];
  if (database) stores.push({ name: 'PostgreSQL', databaseUrl: database.url });
  else table.add('local service: PostgreSQL', 'SKIPPED: no PostgreSQL reachable', Number.NaN);
  try {
    for (const store of stores) await measureStore(store, settings, table);
  } finally {
    await database?.drop();
  }
}

async function measureStore(store: { name: string; databaseUrl?: string }, settings: Settings, table: Table) {
  const dataDir = await mkdtemp(join(tmpdir(), 'cube-bench-local-'));
  const section = `local service: ${store.name}`;
  try {
    let userId = 0;
    for (let round = 0; round < settings.rounds; round++) {
      let restRps = Number.NaN;
      const service = await startLocalService({
        dataDir,
        ...(store.databaseUrl && { databaseUrl: store.databaseUrl }),
      });
      try {
        const login = `bench_${round}_${Date.now()}`;
        userId = (await signUp(service, await appToken(service), { login, password: PASSWORD })).id;
        const token = await logIn(service, login, PASSWORD);
        const direct = `${service.url}/users/v2?id[in][]=${userId}`;
        await runLoad({
          url: direct,
          method: 'GET',
          headers: { 'cb-token': token },
          connections: 8,
          seconds: warmSecondsOf(settings),
        });
        const cpu0 = cpuSeconds(service.process.pid);
        const rest = await runLoad({
          url: direct,
          method: 'GET',
          headers: { 'cb-token': token },
          connections: 8,
          seconds: settings.seconds,
        });
        const cpu = cpuSeconds(service.process.pid) - cpu0;
        restRps = rest.rps;
        table.add(section, 'REST lookup straight to the service, req/s', rest.rps);
        table.add(section, 'REST lookup, service CPU µs per request', (cpu * 1e6) / Math.max(1, rest.requests));

        const gateway = spawnNode(gatewayArgv, {
          NODE_ENV: 'production',
          PORT: '0',
          LOG_LEVEL: 'warn',
          UPSTREAM_URL: service.url,
          CUBE_APPLICATION_ID: String(service.applicationId),
          CUBE_AUTH_KEY: BENCH_AUTH_KEY,
          FILE_URL_SIGNING_KEY: 'bench-file-url-signing-key-0123456789abcdef',
          REDIS_URL: '',
        });
        try {
          const url = await gateway.waitFor(/cube-gateway ready at (http\S+?)\s/);
          const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
          const arg = await integerIdArgument(`${url}/graphql`, headers, userId);
          const body = JSON.stringify({ query: `{ user(${arg}: ${userId}) { id login } }` });
          await runLoad({ url: `${url}/graphql`, headers, body, connections: 8, seconds: settings.warmSeconds });
          const through = await runLoad({
            url: `${url}/graphql`,
            headers,
            body,
            connections: 8,
            seconds: settings.seconds,
          });
          table.add(section, 'same lookup through the gateway, req/s', through.rps);
          table.add(section, 'errors', rest.errors + rest.non2xx + through.errors + through.non2xx);
        } finally {
          await gateway.stop();
        }
      } finally {
        await service.process.stop();
      }

      // The floor, on the same store once the service has let go of it.
      const floor = spawnNode([floorServer], { DATA_DIR: dataDir, DATABASE_URL: store.databaseUrl ?? '' });
      try {
        const url = await floor.waitFor(/ready at (http\S+)/, 60_000);
        await runLoad({
          url: `${url}/users/${userId}`,
          method: 'GET',
          connections: 8,
          seconds: warmSecondsOf(settings),
        });
        const bare = await runLoad({
          url: `${url}/users/${userId}`,
          method: 'GET',
          connections: 8,
          seconds: settings.seconds,
        });
        table.add(section, 'bare fastify + one primary-key SELECT, req/s', bare.rps);
        table.add(section, 'REST lookup ÷ bare SELECT, req/s (target ≥ 0.5)', restRps / bare.rps, 2);
      } finally {
        await floor.stop();
      }
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
