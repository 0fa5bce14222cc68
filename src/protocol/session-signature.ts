import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

// The upstream's session-creation signature, shared by the two sides that speak it: the
// gateway signs with it (src/upstream) and the local users service verifies it.

type Params = Record<string, unknown>;

/** `user[login]=john` pairs for every leaf of a nested parameter object; empty leaves are skipped. */
function flatten(params: Params, prefix = ''): [string, string][] {
  return Object.entries(params).flatMap(([key, value]): [string, string][] => {
    if (value === undefined || value === null) return [];
    const name = prefix ? `${prefix}[${key}]` : key;
    if (typeof value === 'object') return flatten(value as Params, name);
    return [[name, String(value)]];
  });
}

/**
 * What is signed: every parameter except `signature`, flattened Rails-style, sorted by name
 * and joined as `key=value&key=value`.
 */
export function signatureBaseString(params: Params): string {
  return flatten(params)
    .filter(([name]) => name !== 'signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** Lowercase hex HMAC-SHA1 keyed with the application's auth secret. */
export function sign(params: Params, authSecret: string): string {
  return createHmac('sha1', authSecret).update(signatureBaseString(params)).digest('hex');
}

/** Adds `nonce`, `timestamp` and `signature` to session-creation parameters. */
export function signed(params: Params, authSecret: string, now = Date.now()): Params {
  const withNonce = { ...params, nonce: randomInt(1, 2 ** 31 - 1), timestamp: Math.floor(now / 1000) };
  return { ...withNonce, signature: sign(withNonce, authSecret) };
}

export function signatureMatches(params: Params, authSecret: string, signature: string): boolean {
  const expected = Buffer.from(sign(params, authSecret), 'hex');
  const given = Buffer.from(signature.toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
