import { hmac, hmacMatches } from './hmac.ts';

/**
 * A private blob's download URL carries an expiring signature instead of the caller's
 * session token (as the real service hands out presigned S3 URLs): the link can be given
 * to a player or an <img> without leaking the session.
 */
const message = (uid: string, expires: number) => `download\n${uid}\n${expires}`;

export function signedDownloadQuery(uid: string, expiresAt: Date, key: Buffer): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return `expires=${expires}&signature=${hmac(key, message(uid, expires))}`;
}

export function downloadSignatureValid(
  uid: string,
  query: { expires?: unknown; signature?: unknown },
  key: Buffer,
  now: Date,
): boolean {
  const { expires, signature } = query;
  if (typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(expires)) return false;
  if (Number(expires) * 1000 <= now.getTime()) return false;
  return hmacMatches(key, message(uid, Number(expires)), signature);
}
