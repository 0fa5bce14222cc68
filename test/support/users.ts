import { hashPassword } from '../../src/local-service/users/passwords.ts';
import type { RunningLocalService } from './local-service.ts';

export const PASSWORD = 'correct-horse-battery';

let sharedHash: Promise<string> | undefined;

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
}

/** Puts a user straight into the local service's store (no HTTP), for tests that need one. */
export async function insertUser(local: RunningLocalService, login: string, fields: UserFields = {}) {
  const { password, ...columns } = fields;
  // Hashing is slow on purpose; users with the default password share one hash.
  sharedHash ??= hashPassword(PASSWORD);
  const password_hash = password ? await hashPassword(password) : await sharedHash;
  return local.service.deps.users.insert({
    application_id: local.application.id,
    login,
    email: `${login}@example.test`,
    ...columns,
    password_hash,
  });
}
