import { hashPassword } from '../../src/local-service/users/passwords.ts';
import type { RunningLocalService } from './local-service.ts';
import { restClient, sessionsFor } from './rest-client.ts';

export const PASSWORD = 'correct-horse-battery';

// Hashing is slow on purpose; users with the same password share one hash.
const hashes = new Map<string, Promise<string>>();
const hashOf = (password: string) => {
  let hash = hashes.get(password);
  if (!hash) {
    hash = hashPassword(password);
    hashes.set(password, hash);
  }
  return hash;
};

export interface UserFields {
  password?: string;
  email?: string | null;
  full_name?: string | null;
  phone?: string | null;
  external_id?: string | null;
  facebook_id?: string | null;
  twitter_id?: string | null;
  user_tags?: string[];
  avatar?: string | null;
  custom_data?: string | null;
  timezone?: number | null;
  website?: string | null;
}

/** Puts a user straight into the local service's store (no HTTP), for tests that need one. */
export async function insertUser(local: RunningLocalService, login: string, fields: UserFields = {}) {
  const { password = PASSWORD, ...columns } = fields;
  return local.service.deps.users.insert({
    application_id: local.application.id,
    login,
    email: `${login}@example.test`,
    ...columns,
    password_hash: await hashOf(password),
  });
}

/** A user straight in the store, logged in over HTTP: the user row and a user token. */
export async function userWithToken(local: RunningLocalService, login: string, fields: UserFields = {}) {
  const user = await insertUser(local, login, fields);
  const token = await sessionsFor(restClient(local.url), local.application).userToken(
    login,
    fields.password ?? PASSWORD,
  );
  return { user, token };
}
