import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { pglitePool } from './pglite-pool.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  /** Present on PostgreSQL: shared with components that keep their own tables (rate limits). */
  pool?: pg.Pool;
}

export interface StoreLocation {
  /** PostgreSQL connection string; when absent the embedded store is used. */
  databaseUrl?: string;
  /** Where the embedded store keeps its files. */
  dataDir: string;
}

/**
 * One code path for both stores: PGlite is PostgreSQL compiled to WASM, so the same SQL
 * and migrations run embedded (no server, files under dataDir) or on a real server.
 */
export async function openDatabase(location: StoreLocation): Promise<OpenedDatabase> {
  if (location.databaseUrl) {
    const pool = new pg.Pool({ connectionString: location.databaseUrl, max: 10 });
    // An idle connection the server drops must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
  }
  const dir = join(location.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const pglite = await PGlite.create(dir, {
    // Statements are prepared once (pglite-pool.ts) to be planned once. Left to choose,
    // PostgreSQL re-plans on every call those whose generic plan it guesses dearer (a
    // LIMIT given as a parameter is enough); on this store's small tables it never is.
    startParams: [...PGlite.defaultStartParams, '-c', 'plan_cache_mode=force_generic_plan'],
  });
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: pglitePool(pglite) }) }) };
}
