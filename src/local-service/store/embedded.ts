import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Db } from './database.ts';
import { migrateToLatest } from './migrate.ts';
import { pglitePool } from './pglite-pool.ts';
import type { Database } from './schema.ts';
import { copyTemplate, storeTemplate } from './template.ts';

/**
 * The embedded store: PGlite with its files in `<dataDir>/pglite`. A new one starts as a copy
 * of the migrated template (template.ts) rather than running initdb.
 */
export async function openEmbedded(dataDir: string): Promise<Db> {
  const dir = join(dataDir, 'pglite');
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    const template = await embeddedTemplate();
    await mkdir(dataDir, { recursive: true });
    if (template) await copyTemplate(template, dir);
  }
  return open(dir);
}

/**
 * The migrated template new stores are copied from, made the first time it is asked for.
 * It keeps only the `postgres` database the store uses: initdb's `template0` and `template1`
 * are two thirds of its ≈ 1,000 files, and copying files, not bytes, is what a new store's
 * start waits for (≈ 0.6 ms a file here). An embedded store never runs CREATE DATABASE.
 */
export function embeddedTemplate(): Promise<string | undefined> {
  return storeTemplate('migrated; postgres database only', async (empty) => {
    const db = await open(empty);
    await migrateToLatest(db);
    await sql`UPDATE pg_database SET datistemplate = false WHERE datname IN ('template0', 'template1')`.execute(db);
    await sql`DROP DATABASE template0`.execute(db);
    await sql`DROP DATABASE template1`.execute(db);
    await sql`CHECKPOINT`.execute(db);
    await db.destroy();
  });
}

async function open(dir: string): Promise<Db> {
  await mkdir(dir, { recursive: true });
  const pglite = await PGlite.create(dir, {
    startParams: [
      ...PGlite.defaultStartParams,
      // Statements are prepared once (pglite-pool.ts) to be planned once. Left to choose,
      // PostgreSQL re-plans on every call those whose generic plan it guesses dearer (a
      // LIMIT given as a parameter is enough); on this store's small tables it never is.
      '-c',
      'plan_cache_mode=force_generic_plan',
      // PostgreSQL's default 128 MB of buffers is all set up at start and stays resident in
      // this process; a development store's tables fit in far less (~0.1 s, ~120 MB saved).
      '-c',
      'shared_buffers=16MB',
    ],
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: pglitePool(pglite) }) });
}
