import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { OriginAllowed } from './origin-policy.ts';

/**
 * The header a browser page sends to prove its request was preflighted. Any header a plain
 * form or `<img>` cannot send proves the same, so `Authorization` and `CB-Token` count too
 * (a client sending its token that way is not riding on the cookie anyway).
 */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

/**
 * Cookie mode's cross-site request forgery guard, on every GraphQL request: an `Origin`
 * outside the allowed ones is refused (`FORBIDDEN_ORIGIN`), and a request a page could send
 * without a preflight (GET, or a form's content type) must carry `X-GraphQL-Yoga-CSRF`
 * (yoga's CSRF prevention plugin; `CSRF_HEADER_REQUIRED`). Both answer HTTP 403.
 */
export function useCookieCsrf(originAllowed: OriginAllowed): Plugin {
  const csrf = useCSRFPrevention({ requestHeaders: [CSRF_HEADER, 'authorization', 'cb-token'] });
  return {
    onRequestParse(payload) {
      const { request } = payload;
      const origin = request.headers.get('origin');
      if (!originAllowed(origin, new URL(request.url).host)) {
        throw createGraphQLError(
          `Origin ${origin} may not call this gateway: list it in the gateway's CORS_ORIGINS setting`,
          { extensions: { code: 'FORBIDDEN_ORIGIN', http: { status: 403 } } },
        );
      }
      try {
        csrf.onRequestParse?.(payload);
      } catch {
        throw createGraphQLError(
          `This request could come from any web page: send the ${CSRF_HEADER} header (any value) or a JSON body`,
          { extensions: { code: 'CSRF_HEADER_REQUIRED', http: { status: 403 } } },
        );
      }
    },
  };
}
