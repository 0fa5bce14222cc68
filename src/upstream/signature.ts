import { createHmac, randomInt } from 'node:crypto';

/**
 * The session-creation signature of the upstream: lowercase hex HMAC-SHA1, keyed with the
 * application's auth secret, of every parameter except `signature`, flattened Rails-style
 * (`user[login]=john`), sorted by name and joined as `key=value&key=value`.
 */
export function flatten(params: Record<string, unknown>, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    const name = prefix ? `${prefix}[${key}]` : key;
    if (typeof value === 'object' && !Array.isArray(value)) {
      out.push(...flatten(value as Record<string, unknown>, name));
    } else {
      out.push([name, String(value)]);
    }
  }
  return out;
}

export function signatureBase(params: Record<string, unknown>): string {
  return flatten(params)
    .filter(([k]) => k !== 'signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function sign(params: Record<string, unknown>, secret: string): string {
  return createHmac('sha1', secret).update(signatureBase(params)).digest('hex');
}

/** Adds `nonce`, `timestamp` and `signature` to session-creation parameters. */
export function signed(params: Record<string, unknown>, secret: string, now = Date.now()): Record<string, unknown> {
  const withNonce = { ...params, nonce: randomInt(1, 2 ** 31 - 1), timestamp: Math.floor(now / 1000) };
  return { ...withNonce, signature: sign(withNonce, secret) };
}
