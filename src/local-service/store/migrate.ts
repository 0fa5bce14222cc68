import { type Migration, type MigrationProvider, Migrator } from 'kysely';
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

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; Kysely's migrator takes a lock so instances can race safely. */
export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider, migrationTableName: 'schema_migrations' });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
