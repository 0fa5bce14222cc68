/**
 * A user's avatar is a blob uid in `avatar`; some SDKs keep it as `avatar_uid` inside the
 * `custom_data` JSON string instead. Both are read; `avatar` wins.
 */
export interface AvatarFields {
  avatar?: string | null;
  custom_data?: string | null;
}

const CUSTOM_DATA_KEY = 'avatar_uid';

export function avatarUid(user: AvatarFields): string | null {
  if (typeof user.avatar === 'string' && user.avatar.trim()) return user.avatar.trim();
  const fromCustomData = parseCustomData(user.custom_data)?.[CUSTOM_DATA_KEY];
  return typeof fromCustomData === 'string' && fromCustomData.trim() ? fromCustomData.trim() : null;
}

/**
 * The user update that sets (or, with null, removes) the avatar. When `custom_data` already
 * carries `avatar_uid`, it is kept in step, so SDKs reading it see the same avatar and a
 * removed one does not come back through the fallback. Other custom data is left alone.
 */
export function avatarUpdate(user: AvatarFields, uid: string | null): { avatar: string | null; custom_data?: string } {
  const custom = parseCustomData(user.custom_data);
  if (!custom || !(CUSTOM_DATA_KEY in custom)) return { avatar: uid };
  const next = { ...custom };
  if (uid === null) delete next[CUSTOM_DATA_KEY];
  else next[CUSTOM_DATA_KEY] = uid;
  return { avatar: uid, custom_data: JSON.stringify(next) };
}

/** Custom data is free text: anything but a JSON object counts as "no fields". */
function parseCustomData(raw: string | null | undefined): Record<string, unknown> | null {
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
