import { createHmac, randomBytes } from 'node:crypto';

/** RFC 3986 percent-encoding as OAuth 1.0a (RFC 5849 §3.6) requires. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Scheme, host (default port dropped) and path: the base string URI of RFC 5849 §3.4.1.2. */
export function baseStringUri(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * HMAC-SHA1 signature (base64) over the request method, base URI and every query and
 * oauth_* parameter except oauth_signature.
 */
export function oauth1Signature(input: {
  method: string;
  baseUri: string;
  params: ReadonlyArray<readonly [string, string]>;
  consumerSecret: string;
  tokenSecret: string;
}): string {
  const normalized = input.params
    .map(([key, value]) => [percentEncode(key), percentEncode(value)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? compare(av, bv) : compare(ak, bk)))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const baseString = [input.method.toUpperCase(), input.baseUri, normalized].map(percentEncode).join('&');
  const key = `${percentEncode(input.consumerSecret)}&${percentEncode(input.tokenSecret)}`;
  return createHmac('sha1', key).update(baseString).digest('base64');
}

/** The `Authorization: OAuth ...` header for a user-context request. */
export function oauth1AuthorizationHeader(input: {
  method: string;
  url: URL;
  consumerKey: string;
  consumerSecret: string;
  token: string;
  tokenSecret: string;
  nonce?: string;
  timestamp?: number;
}): string {
  const oauthParams: Array<[string, string]> = [
    ['oauth_consumer_key', input.consumerKey],
    ['oauth_nonce', input.nonce ?? randomBytes(16).toString('hex')],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', String(input.timestamp ?? Math.floor(Date.now() / 1000))],
    ['oauth_token', input.token],
    ['oauth_version', '1.0'],
  ];
  const signature = oauth1Signature({
    method: input.method,
    baseUri: baseStringUri(input.url),
    params: [...input.url.searchParams, ...oauthParams],
    consumerSecret: input.consumerSecret,
    tokenSecret: input.tokenSecret,
  });
  oauthParams.push(['oauth_signature', signature]);
  return `OAuth ${oauthParams.map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`).join(', ')}`;
}

// Byte order, not locale order: the spec sorts by encoded octets.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
