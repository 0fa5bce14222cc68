import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface ApplicationsTable {
  id: Generated<number>;
  auth_key: string;
  auth_secret: string;
  users_list_allowed: Generated<boolean>;
  /** Firebase projects whose ID tokens log in (the client's `project_id` must be one). */
  firebase_project_ids: ColumnType<string[], string[] | undefined, string[]>;
  /** The Facebook app whose user tokens log in, checked with the Graph API's debug_token. */
  facebook_app_id: ColumnType<string | null, string | null | undefined, string | null>;
  facebook_app_secret: ColumnType<string | null, string | null | undefined, string | null>;
  /** "Session creation without an existing user entity": an unknown login + password creates that user. */
  session_creates_user: Generated<boolean>;
  cidp_url: string | null;
  cidp_request_params: ColumnType<Record<string, string> | null, string | null, string | null>;
  cidp_response_params: ColumnType<Record<string, string> | null, string | null, string | null>;
  created_at: CreatedAt;
}

export interface UsersTable {
  id: Generated<number>;
  application_id: number;
  login: string | null;
  email: string | null;
  password_hash: string | null;
  full_name: string | null;
  phone: string | null;
  website: string | null;
  external_user_id: number | null;
  external_id: string | null;
  facebook_id: string | null;
  twitter_id: string | null;
  firebase_uid: string | null;
  /** The Firebase project of `firebase_uid`; null on rows from before projects were stored. */
  firebase_project: ColumnType<string | null, string | null | undefined, string | null>;
  custom_data: string | null;
  user_tags: ColumnType<string[], string[] | undefined, string[]>;
  avatar: string | null;
  blob_id: number | null;
  timezone: number | null;
  is_guest: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  last_request_at: Date | null;
}

export interface SessionsTable {
  id: Generated<number>;
  application_id: number;
  user_id: number | null;
  /** SHA-256 of the token: a leaked database does not leak live sessions. */
  token_hash: string;
  /** bigint: the Flutter SDK's nonce goes up to 2^32. PostgreSQL drivers may hand it back as a string. */
  nonce: ColumnType<number | string, number, number>;
  ts: number;
  /** Guest sessions do not slide: they end a fixed time after creation. */
  fixed_expiry: Generated<boolean>;
  expires_at: Date;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface BlobsTable {
  id: Generated<number>;
  uid: string;
  application_id: number;
  user_id: number;
  content_type: string;
  name: string;
  size: number | null;
  public: boolean;
  blob_status: string | null;
  set_completed_at: Date | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PasswordResetsTable {
  token_hash: string;
  user_id: number;
  expires_at: Date;
  used_at: Date | null;
  created_at: CreatedAt;
}

export interface SignatureNoncesTable {
  application_id: number;
  nonce: ColumnType<number | string, number, number>;
  timestamp: ColumnType<number | string, number, number>;
  expires_at: Date;
}

export interface OutboxTable {
  id: Generated<number>;
  to_address: string;
  subject: string;
  text: string;
  created_at: CreatedAt;
}

export interface Database {
  applications: ApplicationsTable;
  users: UsersTable;
  sessions: SessionsTable;
  blobs: BlobsTable;
  password_resets: PasswordResetsTable;
  outbox: OutboxTable;
  signature_nonces: SignatureNoncesTable;
}

export type ApplicationRow = Selectable<ApplicationsTable>;
export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type BlobRow = Selectable<BlobsTable>;
