import type { Plugin } from 'graphql-yoga';
import type { SessionCookie } from './session-cookie.ts';

/** What a resolver says about the caller's cookie; the response then sets or clears it. */
export interface SessionCookieIntent {
  /** A login created a session for this browser. */
  issued(token: string): void;
  /** The session this browser used ended (logout, destroySession, deleteMe). */
  ended(): void;
}

/**
 * Cookie sessions, the response side: HTTP operations get `sessionCookie` in their context,
 * and the response carries the `Set-Cookie` the last resolver asked for. (Over WebSocket no
 * response can set a cookie, so there is no intent there.)
 */
export function useSessionCookie(cookie: SessionCookie): Plugin<{ sessionCookie?: SessionCookieIntent }> {
  const pending = new WeakMap<Request, string>();
  return {
    onContextBuilding({ context, extendContext }) {
      const request = context.request as Request | undefined;
      if (!request?.url) return;
      extendContext({
        sessionCookie: {
          issued: (token) => pending.set(request, cookie.issue(token, request.url)),
          ended: () => pending.set(request, cookie.clear(request.url)),
        },
      });
    },
    onResponse({ request, response }) {
      const setCookie = pending.get(request);
      if (setCookie) response.headers.append('set-cookie', setCookie);
    },
  };
}
