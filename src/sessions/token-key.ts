import { createHmac, createSecretKey, randomBytes } from 'node:crypto';

/** Shortest shared secret accepted for hashing tokens that end up in Redis. */
export const MIN_TOKEN_HASH_KEY_LENGTH = 16;

export type TokenKeyer = (token: string) => string;

/**
 * Tokens are only ever stored or published as HMAC-SHA256(token) under a secret all gateway
 * instances share, so they find each other's records while Redis never holds a usable token.
 */
export function createTokenKeyer(hashKey: string): TokenKeyer {
  // A KeyObject made once: createHmac with a string key converts and imports it on every call
  // (a third of the cost of each hash, and this runs for every upstream answer).
  const key = createSecretKey(Buffer.from(hashKey, 'utf8'));
  return (token) => createHmac('sha256', key).update(token).digest('hex');
}

/** A single process needs no shared secret: a random one keeps the keys unguessable. */
export function randomTokenHashKey(): string {
  return randomBytes(32).toString('hex');
}
