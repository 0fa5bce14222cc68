import DataLoader from 'dataloader';
import type { UpstreamClient } from '../upstream/client.ts';
import type { UpstreamUser } from '../upstream/types.ts';
import { searchUsers, USERS_PAGE_MAX } from '../upstream/users.ts';

/** The ways a user can be looked up, and the `/users/v2` field each one filters on. */
export const userLookups = {
  id: 'id',
  login: 'login',
  email: 'email',
  phone: 'phone',
  externalId: 'external_id',
  facebookId: 'facebook_id',
  twitterId: 'twitter_id',
} as const satisfies Record<string, keyof UpstreamUser>;
export type UserLookup = keyof typeof userLookups;
export type UserKey = string | number;

/** Logins and emails are matched without regard to case, as the upstream does. */
const caseInsensitive = new Set<UserLookup>(['login', 'email']);

/**
 * Batch function for one lookup kind: one `/users/v2` call with the `in` operator for up to
 * 100 keys (callers split larger batches: DataLoader's `maxBatchSize`), results in key order,
 * null where no user matched.
 */
export function batchUsersBy(client: UpstreamClient, token: string, lookup: UserLookup) {
  const field = userLookups[lookup];
  const norm = (v: unknown) => {
    const s = String(v);
    return caseInsensitive.has(lookup) ? s.toLowerCase() : s;
  };
  return async (keys: readonly UserKey[]): Promise<(UpstreamUser | null)[]> => {
    const page = await searchUsers(client, token, {
      [field]: { in: [...new Set(keys.map(String))] },
      limit: USERS_PAGE_MAX,
    });
    const found = new Map<string, UpstreamUser>();
    for (const user of page.items) {
      const value = user[field];
      if (value !== null && value !== undefined && !found.has(norm(value))) found.set(norm(value), user);
    }
    return keys.map((key) => found.get(norm(key)) ?? null);
  };
}

/** Per-request loaders for every lookup but `id` (that one is the User node's own loader). */
export function createUserLoaders(
  client: UpstreamClient,
  token: string,
  onBatch?: (lookup: UserLookup, size: number) => void,
) {
  const loaders = new Map<UserLookup, DataLoader<UserKey, UpstreamUser | null, string>>();
  return (lookup: UserLookup) => {
    let loader = loaders.get(lookup);
    if (!loader) {
      const batch = batchUsersBy(client, token, lookup);
      loader = new DataLoader<UserKey, UpstreamUser | null, string>(
        (keys) => {
          onBatch?.(lookup, keys.length);
          return batch(keys);
        },
        {
          maxBatchSize: USERS_PAGE_MAX,
          cacheKeyFn: (key) => (caseInsensitive.has(lookup) ? String(key).toLowerCase() : String(key)),
        },
      );
      loaders.set(lookup, loader);
    }
    return loader;
  };
}
