import type { CORSOptions } from 'graphql-yoga';

/**
 * CORS from the CORS_ORIGINS allow-list only. yoga's default would reflect any `Origin` with
 * `Access-Control-Allow-Credentials: true`; here an origin not on the list (or any origin,
 * when the list is empty, the default) gets no CORS headers at all.
 */
export function corsFromAllowList(origins: readonly string[]) {
  const allowed = new Set(origins);
  return (request: Request): CORSOptions => {
    const origin = request.headers.get('origin');
    if (!origin || !allowed.has(origin)) return false;
    // A list of two or more makes yoga answer with the matching origin and `Vary: Origin`.
    return {
      origin: allowed.size === 1 ? origin : [...allowed],
      credentials: true,
      // Pages may read the request id the gateway answers (request log).
      exposedHeaders: ['x-request-id'],
    };
  };
}
