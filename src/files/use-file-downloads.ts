import type { Plugin } from 'graphql-yoga';
import { FILE_URL_PATH_PREFIX } from './signed-file-url.ts';

/** Mounts the signed-download handler on yoga: `GET|HEAD /files/<uid>?…` never reaches GraphQL. */
export function useFileDownloads(
  handler: (request: Request) => Promise<Response>,
  pathPrefix: string = FILE_URL_PATH_PREFIX,
): Plugin {
  return {
    // Synchronous for every other path: a promise here would be one more per GraphQL request.
    onRequest({ request, url, endResponse }) {
      if (url.pathname.startsWith(pathPrefix)) return handler(request).then(endResponse);
    },
  };
}
