import { type Kysely, sql } from 'kysely';

// Signed session creation: the Flutter SDK draws its nonce below 2^32, which an integer
// column cannot hold; and every nonce+timestamp pair seen is kept until its timestamp
// leaves the allowed window, so a replayed request is refused by any instance sharing the
// database.
const statements = [
  `ALTER TABLE sessions ALTER COLUMN nonce TYPE bigint`,
  `CREATE TABLE signature_nonces (
    application_id integer NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    nonce bigint NOT NULL,
    timestamp bigint NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (application_id, nonce, timestamp)
  )`,
  `CREATE INDEX signature_nonces_expires_at ON signature_nonces (expires_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE signature_nonces`.execute(db);
  await sql`ALTER TABLE sessions ALTER COLUMN nonce TYPE integer`.execute(db);
}
