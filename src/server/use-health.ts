import type { Plugin } from 'graphql-yoga';

/**
 * `GET /healthz`: the process is up. `GET /readyz`: the upstream answers (the check is
 * given by the app). Both answer JSON and never say more than ok/unavailable.
 */
export function useHealth(ready: () => Promise<boolean>): Plugin {
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === '/healthz') {
        endResponse(fetchAPI.Response.json({ status: 'ok' }));
      } else if (url.pathname === '/readyz') {
        const ok = await ready().catch(() => false);
        endResponse(
          fetchAPI.Response.json(
            { status: ok ? 'ok' : 'unavailable', upstream: ok ? 'reachable' : 'unreachable' },
            { status: ok ? 200 : 503 },
          ),
        );
      }
    },
  };
}
