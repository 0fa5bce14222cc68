import { type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Db } from './database.ts';
import * as initial from './migrations/0001-initial.ts';
import * as serviceSecrets from './migrations/0002-service-secrets.ts';
import * as accountSecurity from './migrations/0003-account-security.ts';
import * as signatureNonces from './migrations/0004-signature-nonces.ts';

/** Migrations are listed in code so they ship inside the module graph, in order. */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-service-secrets': serviceSecrets,
  '0003-account-security': accountSecurity,
  '0004-signature-nonces': signatureNonces,
};

const MIGRATION_TABLE = 'schema_migrations';
const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Brings the schema up to date; Kysely's migrator takes a lock so instances can race safely.
 * A store that has run exactly these migrations (every start but a store's first) is told by
 * one query: the migrator's own checks read the whole catalog first, a second of WASM on the
 * embedded store.
 */
export async function migrateToLatest(db: Db): Promise<void> {
  if (await isUpToDate(db)) return;
  const migrator = new Migrator({ db, provider, migrationTableName: MIGRATION_TABLE });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

async function isUpToDate(db: Db): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`SELECT name FROM ${sql.table(MIGRATION_TABLE)}`.execute(db);
    const applied = rows.map((row) => row.name).sort();
    const known = Object.keys(migrations).sort();
    return applied.length === known.length && applied.every((name, i) => name === known[i]);
  } catch {
    // No migration table yet: a new store.
    return false;
  }
}
