import type { Plugin } from 'graphql-yoga';
import { FILE_URL_PATH_PREFIX } from './signed-file-url.ts';

/** Mounts the signed-download handler on yoga: `GET|HEAD /files/<uid>?…` never reaches GraphQL. */
export function useFileDownloads(
  handler: (request: Request) => Promise<Response>,
  pathPrefix: string = FILE_URL_PATH_PREFIX,
): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname.startsWith(pathPrefix)) endResponse(await handler(request));
    },
  };
}
