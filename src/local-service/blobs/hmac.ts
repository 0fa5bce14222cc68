import { createHmac, timingSafeEqual } from 'node:crypto';

export function hmac(key: Buffer, message: string): string {
  return createHmac('sha256', key).update(message).digest('base64url');
}

/** Constant-time comparison, so a forger learns nothing from response times. */
export function hmacMatches(key: Buffer, message: string, signature: string): boolean {
  const expected = Buffer.from(hmac(key, message));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
