import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** Shortest shared secret accepted for hashing tokens that end up in Redis. */
export const MIN_TOKEN_HASH_KEY_LENGTH = 16;

/** Keys of the most recently seen tokens, kept so that a busy caller's token is hashed once. */
const RECENT_TOKENS = 10_000;

export type TokenKeyer = (token: string) => string;

/**
 * Tokens are only ever stored or published as HMAC-SHA256(token) under a secret all gateway
 * instances share, so they find each other's records while Redis never holds a usable token.
 * Every upstream answer asks for its token's key, and an HMAC is the costliest step of that
 * (a native object per hash): the keys of recent tokens are remembered, in this process only.
 */
export function createTokenKeyer(hashKey: string): TokenKeyer {
  const key = createSecretKey(Buffer.from(hashKey, 'utf8'));
  const recent = new LRUCache<string, string>({ max: RECENT_TOKENS });
  return (token) => {
    let tokenKey = recent.get(token);
    if (tokenKey === undefined) {
      tokenKey = createHmac('sha256', key).update(token).digest('hex');
      recent.set(token, tokenKey);
    }
    return tokenKey;
  };
}

/** A single process needs no shared secret: a random one keeps the keys unguessable. */
export function randomTokenHashKey(): string {
  return randomBytes(32).toString('hex');
}
