import { type Kysely, sql } from 'kysely';

const statements = [
  `CREATE TABLE applications (
    id serial PRIMARY KEY,
    auth_key text NOT NULL UNIQUE,
    auth_secret text NOT NULL,
    users_list_allowed boolean NOT NULL DEFAULT true,
    app_sessions_allowed boolean NOT NULL DEFAULT true,
    cidp_url text,
    cidp_request_params jsonb,
    cidp_response_params jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE users (
    id serial PRIMARY KEY,
    application_id integer NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    login text,
    email text,
    password_hash text,
    full_name text,
    phone text,
    website text,
    external_user_id integer,
    external_id text,
    facebook_id text,
    twitter_id text,
    firebase_uid text,
    custom_data text,
    user_tags text[] NOT NULL DEFAULT '{}',
    avatar text,
    blob_id integer,
    timezone integer,
    is_guest boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    last_request_at timestamptz
  )`,
  `CREATE UNIQUE INDEX users_login_unique ON users (application_id, lower(login))`,
  `CREATE UNIQUE INDEX users_email_unique ON users (application_id, lower(email))`,
  `CREATE UNIQUE INDEX users_external_id_unique ON users (application_id, external_id)`,
  `CREATE UNIQUE INDEX users_facebook_id_unique ON users (application_id, facebook_id)`,
  `CREATE UNIQUE INDEX users_twitter_id_unique ON users (application_id, twitter_id)`,
  `CREATE UNIQUE INDEX users_firebase_uid_unique ON users (application_id, firebase_uid)`,
  `CREATE INDEX users_phone ON users (application_id, phone)`,
  `CREATE INDEX users_full_name ON users (application_id, full_name)`,
  `CREATE INDEX users_tags ON users USING gin (user_tags)`,
  `CREATE TABLE sessions (
    id serial PRIMARY KEY,
    application_id integer NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    user_id integer REFERENCES users (id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    nonce integer NOT NULL,
    ts integer NOT NULL,
    fixed_expiry boolean NOT NULL DEFAULT false,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX sessions_user ON sessions (user_id)`,
  `CREATE INDEX sessions_expires_at ON sessions (expires_at)`,
  `CREATE TABLE blobs (
    id serial PRIMARY KEY,
    uid text NOT NULL UNIQUE,
    application_id integer NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_type text NOT NULL,
    name text NOT NULL,
    size integer,
    public boolean NOT NULL DEFAULT false,
    blob_status text,
    set_completed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX blobs_user ON blobs (user_id)`,
  `CREATE TABLE password_resets (
    token_hash text PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE outbox (
    id serial PRIMARY KEY,
    to_address text NOT NULL,
    subject text NOT NULL,
    text text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  // Owned by rate-limiter-flexible's PostgreSQL store; created here so migrations own the schema.
  `CREATE TABLE login_rate_limits (
    key varchar(255) PRIMARY KEY,
    points integer NOT NULL DEFAULT 0,
    expire bigint
  )`,
];

// One statement per query: the extended protocol (used by both drivers) takes one at a time.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE login_rate_limits, outbox, password_resets, blobs, sessions, users, applications`.execute(db);
}
