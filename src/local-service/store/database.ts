import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
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
  // Each store's driver is loaded only when that store is used.
  if (location.databaseUrl) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: location.databaseUrl, max: 10 });
    // An idle connection the server drops must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
  }
  const { openEmbedded } = await import('./embedded.ts');
  return { db: await openEmbedded(location.dataDir) };
}
