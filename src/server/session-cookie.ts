import { isIP } from 'node:net';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { SessionCookieConfig } from '../config.ts';

/**
 * Browser cookie sessions (`SESSION_COOKIE=1`): the session token travels in an `HttpOnly`,
 * `SameSite=Lax` cookie that page scripts cannot read. `Secure` is always set in production;
 * elsewhere it is left off only for a plain-HTTP request to a loopback host, where a browser
 * would otherwise drop the cookie during local development.
 */
export interface SessionCookie {
  readonly name: string;
  /** Whether `Session.token` still answers the token (otherwise an empty string). */
  readonly exposeToken: boolean;
  /** The token in a `Cookie` header, or null. */
  tokenFrom(cookieHeader: string | null | undefined): string | null;
  /** `Set-Cookie` for a new session token; `requestUrl` decides `Secure` outside production. */
  issue(token: string, requestUrl: string): string;
  /** `Set-Cookie` that removes the cookie. */
  clear(requestUrl: string): string;
}

export function createSessionCookie(config: SessionCookieConfig): SessionCookie {
  const attributes = (requestUrl: string) => ({
    name: config.name,
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.production || !isPlainLoopback(requestUrl),
    ...(config.domain && { domain: config.domain }),
  });
  return {
    name: config.name,
    exposeToken: config.exposeToken,
    tokenFrom(header) {
      if (!header) return null;
      return parseCookie(header)[config.name]?.trim() || null;
    },
    issue: (token, requestUrl) => stringifySetCookie({ ...attributes(requestUrl), value: token }),
    clear: (requestUrl) =>
      stringifySetCookie({ ...attributes(requestUrl), value: '', maxAge: 0, expires: new Date(0) }),
  };
}

function isPlainLoopback(requestUrl: string): boolean {
  const url = new URL(requestUrl);
  if (url.protocol !== 'http:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
