import type { SessionRow, UserRow } from '../store/schema.ts';
import { isoSeconds } from '../time-format.ts';
import { serializeUser } from '../users/serialize.ts';

/** `user_id` is 0 for application sessions, as the real service answers. */
export function serializeSession(session: SessionRow, token: string, user: UserRow | null) {
  return {
    id: session.id,
    user_id: session.user_id ?? 0,
    application_id: session.application_id,
    nonce: Number(session.nonce),
    token,
    ts: session.ts,
    created_at: isoSeconds(session.created_at),
    updated_at: isoSeconds(session.updated_at),
    ...(user && { user: serializeUser(user) }),
  };
}
