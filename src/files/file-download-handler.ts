import type { BlobsUpstream } from './blobs-upstream.ts';
import type { FileUrlSigner } from './signed-file-url.ts';

export interface FileDownloadHandlerOptions {
  signer: FileUrlSigner;
  upstream: Pick<BlobsUpstream, 'openDownload' | 'publicBlobUrl'>;
  /**
   * Hosts a sealed source URL may point at. Only URLs the gateway sealed itself get this far;
   * this keeps a leaked signing key from turning the gateway into an open proxy.
   * Default: the upstream's own origin (add the storage host for the real service).
   */
  allowedSourceOrigins?: readonly string[];
  /** Told about upstream failures; messages never hold a URL or token. */
  onError?: (error: unknown) => void;
}

/** Types a browser may render in place; anything else is downloaded, never shown. */
const INLINE_TYPES =
  /^(image\/(png|jpeg|gif|webp|avif|bmp)|audio\/[\w.+-]+|video\/[\w.+-]+|application\/pdf|text\/plain)$/;
const PASSED_THROUGH = ['content-length', 'content-range', 'accept-ranges', 'etag', 'last-modified'];

/**
 * Serves `/files/<uid>?exp&src&sig`: checks the signature and expiry, then streams the bytes
 * from the upstream as they arrive (Range passed through). A WHATWG handler, so it mounts
 * as a yoga plugin or any fetch-style route.
 */
export function createFileDownloadHandler(
  options: FileDownloadHandlerOptions,
): (request: Request) => Promise<Response> {
  const { signer, upstream } = options;
  const allowedOrigins = new Set(options.allowedSourceOrigins ?? [new URL(upstream.publicBlobUrl('x')).origin]);

  return async (request) => {
    const method = request.method === 'HEAD' ? 'HEAD' : request.method === 'GET' ? 'GET' : null;
    if (!method) return plain(405, 'Method not allowed.', { allow: 'GET, HEAD' });

    const check = signer.verify(request.url);
    if (!check.ok) {
      return check.reason === 'malformed'
        ? plain(400, 'Not a file link.')
        : plain(403, check.reason === 'expired' ? 'This file link has expired.' : 'This file link is not valid.');
    }
    const { uid, source, expiresAt } = check.claims;
    const from = source ?? upstream.publicBlobUrl(uid);
    if (!allowedOrigins.has(new URL(from).origin)) return plain(403, 'This file link is not valid.');

    let res: Awaited<ReturnType<BlobsUpstream['openDownload']>>;
    try {
      res = await upstream.openDownload(from, {
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
      if (res.status === 404 || res.status === 410) return plain(404, 'No such file.');
      if (res.status === 401 || res.status === 403) return plain(403, 'This file link is no longer valid.');
      options.onError?.(new Error(`Upstream download answered ${res.status}`));
      return plain(502, 'The file could not be read: try again later.');
    }

    const contentType =
      res.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() || 'application/octet-stream';
    const headers = new Headers({
      'content-type': contentType,
      'content-disposition': disposition(contentType, filenameFrom(res.headers.get('content-disposition')) ?? uid),
      'cache-control': `private, max-age=${Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000))}`,
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

export function disposition(contentType: string, filename: string): string {
  const kind = INLINE_TYPES.test(contentType) ? 'inline' : 'attachment';
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** The name the upstream gave the bytes, if it said. */
export function filenameFrom(header: string | null): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // fall through to the plain parameter
    }
  }
  const quoted = /filename\s*=\s*"([^"]*)"/i.exec(header) ?? /filename\s*=\s*([^;]+)/i.exec(header);
  return quoted?.[1]?.trim() || undefined;
}

function plain(status: number, message: string, extra: Record<string, string> = {}): Response {
  return new Response(message, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra },
  });
}
