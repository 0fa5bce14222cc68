import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Params } from '../http/request-params.ts';

/** `user[login]=john` style pairs for every leaf of a nested parameter object. */
function flatten(params: Params, prefix = ''): [string, string][] {
  return Object.entries(params).flatMap(([key, value]): [string, string][] => {
    const name = prefix ? `${prefix}[${key}]` : key;
    if (value && typeof value === 'object') return flatten(value as Params, name);
    return [[name, value === undefined || value === null ? '' : String(value)]];
  });
}

/**
 * The string older SDKs sign: every parameter except `signature`, flattened Rails-style,
 * sorted by name and joined as `key=value&key=value`.
 */
export function signatureBaseString(params: Params): string {
  return flatten(params)
    .filter(([name]) => name !== 'signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

export function sign(params: Params, authSecret: string): string {
  return createHmac('sha1', authSecret).update(signatureBaseString(params)).digest('hex');
}

export function signatureMatches(params: Params, authSecret: string, signature: string): boolean {
  const expected = Buffer.from(sign(params, authSecret), 'hex');
  const given = Buffer.from(signature.toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
