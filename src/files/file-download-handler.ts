import type { AppSession } from '../upstream/app-session.ts';
import type { BlobsUpstream } from './blobs-upstream.ts';
import { fileResponse, plainResponse } from './file-response.ts';
import type { FileUrlSigner } from './signed-file-url.ts';

export interface FileDownloadHandlerOptions {
  signer: FileUrlSigner;
  upstream: Pick<BlobsUpstream, 'getDownloadUrl' | 'openDownload' | 'publicBlobUrl'>;
  /**
   * The gateway's application session: it asks the upstream for a download URL when a link is
   * used (any token of the application may read a private blob).
   */
  appSession: Pick<AppSession, 'use'>;
  /**
   * Hosts the upstream's download URLs may point at: bytes are streamed from nowhere else.
   * Default: the upstream's own origin (add the storage host for the real service).
   */
  allowedSourceOrigins?: readonly string[];
  /** Told about upstream failures; messages never hold a URL or token. */
  onError?: (error: unknown) => void;
}

/** The one answer to every link refused (malformed, altered, expired, another key or file). */
const REFUSED_LINK_MESSAGE = 'This file link is not valid.';

/**
 * Serves `/files/<uid>?exp&sig`: checks the signature and expiry, asks the upstream for a
 * download URL with the application session, then streams the bytes as they arrive (Range
 * passed through). A WHATWG handler, so it mounts as a yoga plugin or any fetch-style route.
 */
export function createFileDownloadHandler(
  options: FileDownloadHandlerOptions,
): (request: Request) => Promise<Response> {
  const { signer, upstream, appSession } = options;
  const allowedOrigins = new Set(options.allowedSourceOrigins ?? [new URL(upstream.publicBlobUrl('x')).origin]);
  const unavailable = (error: unknown) => {
    options.onError?.(error);
    return plainResponse(502, 'The file could not be read: try again later.');
  };

  return async (request) => {
    const method = request.method === 'HEAD' ? 'HEAD' : request.method === 'GET' ? 'GET' : null;
    if (!method) return plainResponse(405, 'Method not allowed.', { allow: 'GET, HEAD' });

    const check = signer.verify(request.url);
    if (!check.ok) return plainResponse(403, REFUSED_LINK_MESSAGE);
    const { uid, expiresAt } = check.claims;

    let from: string;
    try {
      from = (await appSession.use((token) => upstream.getDownloadUrl(token, uid))).url;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'NOT_FOUND') return plainResponse(404, 'No such file.');
      return unavailable(error);
    }
    if (!allowedOrigins.has(new URL(from).origin)) {
      return unavailable(new Error('Upstream download URL is on a host not in FILE_SOURCE_ORIGINS'));
    }

    let res: Awaited<ReturnType<BlobsUpstream['openDownload']>>;
    try {
      res = await upstream.openDownload(from, {
        method,
        range: request.headers.get('range') ?? undefined,
        signal: request.signal,
      });
    } catch (error) {
      return unavailable(error);
    }

    if (res.status >= 300 && res.status !== 416) {
      await res.body?.cancel();
      if (res.status === 404 || res.status === 410) return plainResponse(404, 'No such file.');
      return unavailable(new Error(`Upstream download answered ${res.status}`));
    }

    // As long as the link lives, not longer: a cached copy is never served past its expiry.
    const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
    return fileResponse(res, uid, `private, max-age=${maxAge}`);
  };
}
