import { type AliasedRawBuilder, sql } from 'kysely';
import type { UserRow } from '../store/schema.ts';
import { isoSeconds, isoSecondsSql } from '../time-format.ts';

/** The wire shape of a user; the password hash and internal identities never leave. */
export function serializeUser(user: UserRow) {
  return {
    id: user.id,
    login: user.login,
    email: user.email,
    full_name: user.full_name,
    phone: user.phone,
    website: user.website,
    created_at: isoSeconds(user.created_at),
    updated_at: isoSeconds(user.updated_at),
    last_request_at: isoSeconds(user.last_request_at),
    external_user_id: user.external_user_id,
    external_id: user.external_id,
    facebook_id: user.facebook_id,
    twitter_id: user.twitter_id,
    custom_data: user.custom_data,
    user_tags: user.user_tags.length > 0 ? user.user_tags.join(',') : null,
    avatar: user.avatar,
    blob_id: user.blob_id,
    timezone: user.timezone,
    is_guest: user.is_guest,
  };
}

export type SerializedUser = ReturnType<typeof serializeUser>;

const column = (name: keyof UserRow) => sql.ref(`users.${name}`).as(name);
const timestamp = (name: 'created_at' | 'updated_at' | 'last_request_at') =>
  isoSecondsSql(sql.ref(`users.${name}`)).as(name);

/**
 * `serializeUser` in SQL: a select list over `users` whose row, through `row_to_json`, is
 * the same JSON text `JSON.stringify(serializeUser(user))` gives (same names, same order,
 * same types), so that a statement can write a body without the row coming to JS. Change
 * the two together; the users-v2 tests compare them.
 */
export const WIRE_USER_COLUMNS: AliasedRawBuilder<unknown, string>[] = [
  column('id'),
  column('login'),
  column('email'),
  column('full_name'),
  column('phone'),
  column('website'),
  timestamp('created_at'),
  timestamp('updated_at'),
  timestamp('last_request_at'),
  column('external_user_id'),
  column('external_id'),
  column('facebook_id'),
  column('twitter_id'),
  column('custom_data'),
  // `join(',')` writes a null element as an empty string; array_to_string as its third argument.
  sql`CASE WHEN cardinality(users.user_tags) > 0 THEN array_to_string(users.user_tags, ',', '') END`.as('user_tags'),
  column('avatar'),
  column('blob_id'),
  column('timezone'),
  column('is_guest'),
];
