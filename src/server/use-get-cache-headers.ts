import type { Plugin } from 'graphql-yoga';

/**
 * GraphQL over GET answers depend on the caller's token or cookie: no shared cache may keep
 * them (`Cache-Control: private, no-store`), and any cache must key them by both (`Vary`).
 */
export function useGetCacheHeaders(graphqlEndpoint: string): Plugin {
  return {
    onResponse({ request, response }) {
      if (request.method !== 'GET' || new URL(request.url).pathname !== graphqlEndpoint) return;
      response.headers.set('cache-control', 'private, no-store');
      const vary = response.headers.get('vary');
      const names = new Set([...(vary ? vary.split(',').map((v) => v.trim()) : []), 'Authorization', 'Cookie']);
      response.headers.set('vary', [...names].filter(Boolean).join(', '));
    },
  };
}
