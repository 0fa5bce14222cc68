import { type Kysely, sql } from 'kysely';

// Account security (issue 8):
// - Firebase identities are (project, uid): the same uid in another project is another
//   person. Rows from before keep their uid with no project and are claimed by the first
//   login from an allowed project.
// - The application names the Firebase projects and the Facebook app it accepts tokens of.
// - `app_sessions_allowed` misread ConnectyCube's "Session creation without an existing
//   user entity"; it is replaced by `session_creates_user` (Deny, the recommended setting).
const statements = [
  `ALTER TABLE users ADD COLUMN firebase_project text`,
  `DROP INDEX users_firebase_uid_unique`,
  `CREATE UNIQUE INDEX users_firebase_identity_unique ON users (application_id, firebase_project, firebase_uid)`,
  `ALTER TABLE applications ADD COLUMN firebase_project_ids text[] NOT NULL DEFAULT '{}'`,
  `ALTER TABLE applications ADD COLUMN facebook_app_id text`,
  `ALTER TABLE applications ADD COLUMN facebook_app_secret text`,
  `ALTER TABLE applications ADD COLUMN session_creates_user boolean NOT NULL DEFAULT false`,
  `ALTER TABLE applications DROP COLUMN app_sessions_allowed`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const reverse = [
    `ALTER TABLE applications ADD COLUMN app_sessions_allowed boolean NOT NULL DEFAULT true`,
    `ALTER TABLE applications DROP COLUMN session_creates_user, DROP COLUMN facebook_app_secret,
       DROP COLUMN facebook_app_id, DROP COLUMN firebase_project_ids`,
    `DROP INDEX users_firebase_identity_unique`,
    `CREATE UNIQUE INDEX users_firebase_uid_unique ON users (application_id, firebase_uid)`,
    `ALTER TABLE users DROP COLUMN firebase_project`,
  ];
  for (const statement of reverse) await sql.raw(statement).execute(db);
}
