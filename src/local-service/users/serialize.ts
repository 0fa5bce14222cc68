import type { UserRow } from '../store/schema.ts';
import { isoSeconds } from '../time-format.ts';

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
