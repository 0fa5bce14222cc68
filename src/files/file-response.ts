import type { BlobsUpstream } from './blobs-upstream.ts';

/**
 * The answer that streams a file's bytes to a browser, the same for public and signed private
 * files: the upstream's content type, a disposition that renders only safe types inline, no
 * sniffing, a sandbox, and the range and validator headers passed through.
 */

/** Types a browser may render in place; anything else is downloaded, never shown. */
const INLINE_TYPES =
  /^(image\/(png|jpeg|gif|webp|avif|bmp)|audio\/[\w.+-]+|video\/[\w.+-]+|application\/pdf|text\/plain)$/;
const PASSED_THROUGH = ['content-length', 'content-range', 'accept-ranges', 'etag', 'last-modified'];

type UpstreamDownload = Awaited<ReturnType<BlobsUpstream['openDownload']>>;

export function fileResponse(res: UpstreamDownload, uid: string, cacheControl: string): Response {
  const contentType =
    res.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() || 'application/octet-stream';
  const headers = new Headers({
    'content-type': contentType,
    'content-disposition': disposition(contentType, filenameFrom(res.headers.get('content-disposition')) ?? uid),
    'cache-control': cacheControl,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'referrer-policy': 'no-referrer',
  });
  for (const name of PASSED_THROUGH) {
    const value = res.headers.get(name);
    if (value) headers.set(name, value);
  }
  return new Response(res.body, { status: res.status, headers });
}

/** A short text answer that no cache keeps (refusals, errors). */
export function plainResponse(status: number, message: string, extra: Record<string, string> = {}): Response {
  return new Response(message, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra },
  });
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
