import type { BlobsUpstream } from './blobs-upstream.ts';
import { disposition, filenameFrom } from './file-download-handler.ts';

/** Public files on the gateway's own origin: `GET|HEAD /files/public/<uid>`. */
export const PUBLIC_FILE_PATH_PREFIX = '/files/public/';

/** Blob uids are short opaque words; anything else is refused before the upstream is asked. */
const UID = /^[\w-]{1,128}$/;
const PASSED_THROUGH = ['content-length', 'content-range', 'accept-ranges', 'etag', 'last-modified'];
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
    if (!method) return plain(405, 'Method not allowed.', { allow: 'GET, HEAD' });
    const { pathname } = new URL(request.url);
    const uid = pathname.slice(PUBLIC_FILE_PATH_PREFIX.length);
    if (!UID.test(uid)) return plain(404, 'No such file.');

    let res: Awaited<ReturnType<BlobsUpstream['openDownload']>>;
    try {
      res = await upstream.openDownload(upstream.publicBlobUrl(uid), {
        method,
        range: request.headers.get('range') ?? undefined,
        signal: request.signal,
      });
    } catch (error) {
      options.onError?.(error);
      return plain(502, 'The file could not be read: try again later.');
    }
    if (res.status >= 300 && res.status !== 416) {
      await res.body?.cancel();
      // A private blob (401/403) is not told apart from a missing one.
      if (res.status === 404 || res.status === 410 || res.status === 401 || res.status === 403) {
        return plain(404, 'No such file.');
      }
      options.onError?.(new Error(`Upstream public file answered ${res.status}`));
      return plain(502, 'The file could not be read: try again later.');
    }
    const contentType =
      res.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() || 'application/octet-stream';
    const headers = new Headers({
      'content-type': contentType,
      'content-disposition': disposition(contentType, filenameFrom(res.headers.get('content-disposition')) ?? uid),
      'cache-control': `public, max-age=${CACHE_SECONDS}`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'referrer-policy': 'no-referrer',
    });
    for (const name of PASSED_THROUGH) {
      const value = res.headers.get(name);
      if (value) headers.set(name, value);
    }
    return new Response(res.body, { status: res.status, headers });
  };
}

function plain(status: number, message: string, extra: Record<string, string> = {}): Response {
  return new Response(message, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra },
  });
}
