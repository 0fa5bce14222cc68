import type { Plugin } from 'graphql-yoga';
import { PUBLIC_FILE_PATH_PREFIX } from './public-file-handler.ts';

/**
 * Mounts the public-file handler on yoga: `GET|HEAD /files/public/<uid>` never reaches
 * GraphQL. Must come before the signed-download route, whose prefix (`/files/`) it shares.
 */
export function usePublicFiles(handler: (request: Request) => Promise<Response>): Plugin {
  return {
    // Synchronous for every other path: a promise here would be one more per GraphQL request.
    onRequest({ request, url, endResponse }) {
      if (url.pathname.startsWith(PUBLIC_FILE_PATH_PREFIX)) return handler(request).then(endResponse);
    },
  };
}
