import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLocalService, type LocalService, type LocalServiceOptions } from '../../src/local-service/app.ts';
import { localServiceDefaults } from '../../src/local-service/config.ts';

export interface RunningLocalService {
  /** Base URL, e.g. http://127.0.0.1:54321 (no trailing slash). */
  url: string;
  application: { id: number; authKey: string; authSecret: string };
  dataDir: string;
  /** Set when the service runs on PostgreSQL (a database created for this service). */
  databaseUrl?: string;
  service: LocalService;
  close(): Promise<void>;
}

/** The vitest project `local-service:postgres` sets CUBE_TEST_STORE=postgres. */
export const storeUnderTest = process.env.CUBE_TEST_STORE === 'postgres' ? 'postgres' : 'embedded';

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A throwaway database per service, so test files never see each other's rows. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cube_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(process.env.DATABASE_URL ?? '');
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

/** A new, empty data directory: the service fills it from its migrated template. */
export function freshDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'cube-local-'));
}

/**
 * Starts a real local users service on a loopback port with a fresh data directory (and a
 * fresh PostgreSQL database under the postgres project). Pass `dataDir`/`databaseUrl` to
 * reuse a store, e.g. for restart tests; such stores are left in place on close.
 */
export async function startLocalService(overrides: Partial<LocalServiceOptions> = {}): Promise<RunningLocalService> {
  const dataDir = overrides.dataDir ?? (await freshDataDir());
  const database =
    overrides.databaseUrl === undefined && storeUnderTest === 'postgres' ? await createTestDatabase() : undefined;
  const databaseUrl = overrides.databaseUrl ?? database?.url;
  const service = await createLocalService({
    ...localServiceDefaults(),
    logLevel: process.env.LOCAL_SERVICE_LOG_LEVEL ?? 'silent',
    ...overrides,
    dataDir,
    ...(databaseUrl && { databaseUrl }),
  });
  const url = await service.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    application: service.application,
    dataDir,
    ...(databaseUrl && { databaseUrl }),
    service,
    async close() {
      await service.close();
      if (!overrides.dataDir) await rm(dataDir, { recursive: true, force: true });
      await database?.drop();
    },
  };
}
