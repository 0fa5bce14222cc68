import type { Plugin } from 'graphql-yoga';

/**
 * What `/readyz` reports: ready, or why not (the instance is still warming up, the upstream
 * did not answer, its circuit breaker is open, or the process is shutting down).
 */
export type Readiness = 'ready' | 'starting' | 'unreachable' | 'circuit-open' | 'shutting-down';

const notReadyBodies: Record<Exclude<Readiness, 'ready'>, Record<string, string>> = {
  starting: { status: 'starting' },
  unreachable: { status: 'unavailable', upstream: 'unreachable' },
  'circuit-open': { status: 'unavailable', upstream: 'circuit-open' },
  'shutting-down': { status: 'shutting-down' },
};

/**
 * `GET /healthz`: the process is up. `GET /readyz`: the gateway should get traffic (the
 * check is given by the app). Both answer JSON and never say more than the state.
 */
export function useHealth(readiness: () => Promise<Readiness>): Plugin {
  return {
    // Synchronous for every other path: a promise here would be one more per GraphQL request.
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === '/healthz') {
        endResponse(fetchAPI.Response.json({ status: 'ok' }));
      } else if (url.pathname === '/readyz') {
        return readiness()
          .catch((): Readiness => 'unreachable')
          .then((state) =>
            endResponse(
              state === 'ready'
                ? fetchAPI.Response.json({ status: 'ok', upstream: 'reachable' })
                : fetchAPI.Response.json(notReadyBodies[state], { status: 503 }),
            ),
          );
      }
    },
  };
}
