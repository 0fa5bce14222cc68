import type { BlobsUpstream } from './blobs-upstream.ts';
import { fileResponse, plainResponse } from './file-response.ts';

/** Public files on the gateway's own origin: `GET|HEAD /files/public/<uid>`. */
export const PUBLIC_FILE_PATH_PREFIX = '/files/public/';

/** Blob uids are short opaque words; anything else is refused before the upstream is asked. */
const UID = /^[\w-]{1,128}$/;
/** Public bytes never change under one uid; browsers and proxies may keep them a while. */
const CACHE_SECONDS = 3600;

export interface PublicFileHandlerOptions {
  upstream: Pick<BlobsUpstream, 'openDownload' | 'publicBlobUrl'>;
  /** Told about upstream failures; messages never hold a URL or token. */
  onError?: (error: unknown) => void;
}

/**
 * Streams a public blob from the upstream's public URL (no token is sent, so a private blob
 * answers 404 like a missing one). This is what makes avatars and public `File.url`s work
 * when the upstream sits on a loopback port or a private network a browser cannot reach.
 */
export function createPublicFileHandler(options: PublicFileHandlerOptions): (request: Request) => Promise<Response> {
  const { upstream } = options;
  return async (request) => {
    const method = request.method === 'HEAD' ? 'HEAD' : request.method === 'GET' ? 'GET' : null;
    if (!method) return plainResponse(405, 'Method not allowed.', { allow: 'GET, HEAD' });
    const { pathname } = new URL(request.url);
    const uid = pathname.slice(PUBLIC_FILE_PATH_PREFIX.length);
    if (!UID.test(uid)) return plainResponse(404, 'No such file.');

    let res: Awaited<ReturnType<BlobsUpstream['openDownload']>>;
    try {
      res = await upstream.openDownload(upstream.publicBlobUrl(uid), {
        method,
        range: request.headers.get('range') ?? undefined,
        signal: request.signal,
      });
    } catch (error) {
      options.onError?.(error);
      return plainResponse(502, 'The file could not be read: try again later.');
    }
    if (res.status >= 300 && res.status !== 416) {
      await res.body?.cancel();
      // A private blob (401/403) is not told apart from a missing one.
      if (res.status === 404 || res.status === 410 || res.status === 401 || res.status === 403) {
        return plainResponse(404, 'No such file.');
      }
      options.onError?.(new Error(`Upstream public file answered ${res.status}`));
      return plainResponse(502, 'The file could not be read: try again later.');
    }
    return fileResponse(res, uid, `public, max-age=${CACHE_SECONDS}`);
  };
}
