import { type Kysely, sql } from 'kysely';

// Secrets the service itself owns (the blob URL signing key): kept in the store, not on
// one instance's disk, so instances sharing a PostgreSQL database accept each other's URLs.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE service_secrets (
    name text PRIMARY KEY,
    secret text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE service_secrets`.execute(db);
}
