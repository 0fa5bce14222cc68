import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../../src/local-service/store/database.ts';
import { embeddedTemplate } from '../../src/local-service/store/embedded.ts';
import { freshDataDir, type RunningLocalService, startLocalService } from '../support/local-service.ts';

// New embedded stores are copies of one migrated template (store/template.ts). A copy must
// be a store of its own: the template holds the schema and nothing any store makes for itself.
// Embedded store only: the PostgreSQL project leaves this file out (vitest.config.ts).

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('starts a new store from the migrated template, with nothing in it', async () => {
  const template = await embeddedTemplate();
  expect(template && existsSync(join(template, 'PG_VERSION'))).toBe(true);

  const dataDir = await freshDataDir();
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const { db } = await openDatabase({ dataDir });
  cleanups.push(() => db.destroy());
  const count = async (table: string) =>
    Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(db)).rows[0]?.n);
  expect(await count('schema_migrations')).toBeGreaterThan(0);
  for (const table of ['applications', 'users', 'sessions', 'service_secrets']) expect(await count(table)).toBe(0);
  // Only the database the store uses: initdb's template databases are most of a copy's files.
  const databases = await sql<{ datname: string }>`SELECT datname FROM pg_database`.execute(db);
  expect(databases.rows.map((row) => row.datname)).toEqual(['postgres']);
});

it('gives every store made from it its own credentials and keys', async () => {
  const services: RunningLocalService[] = [];
  for (let i = 0; i < 2; i++) {
    const service = await startLocalService();
    cleanups.push(service.close);
    services.push(service);
  }
  const [one, two] = services as [RunningLocalService, RunningLocalService];
  expect(one.service.seeded && two.service.seeded).toBe(true);
  expect(one.application.authKey).not.toBe(two.application.authKey);
  expect(one.application.authSecret).not.toBe(two.application.authSecret);
  expect(one.service.deps.blobs.signingKey.equals(two.service.deps.blobs.signingKey)).toBe(false);
});
