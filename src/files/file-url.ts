import { grantDownloadUrl } from '../upstream/blobs.ts';
import type { BlobRecord, BlobsUpstream } from './blobs-upstream.ts';
import type { FileUrlSigner } from './signed-file-url.ts';

export interface FileUrlDeps {
  signer: FileUrlSigner;
  upstream: Pick<BlobsUpstream, 'publicBlobUrl' | 'getDownloadUrl'>;
  /** A public file's URL as configured (`FilesDeps.publicFileUrl`); the upstream's when absent. */
  publicFileUrl?: (uid: string) => string;
  /** The gateway's public origin, e.g. `https://api.example.com` (no trailing slash). */
  gatewayOrigin: string;
}

/**
 * `File.url`: a public blob's URL from `publicFileUrl`; for a private one, a gateway URL that wraps
 * the upstream's download URL. That URL comes with the record when it was read with
 * `download_url=1`; otherwise it costs one call with the caller's token.
 */
export async function fileUrl(blob: BlobRecord, token: string, deps: FileUrlDeps): Promise<string> {
  if (blob.public) return deps.publicFileUrl ? deps.publicFileUrl(blob.uid) : deps.upstream.publicBlobUrl(blob.uid);
  const access = blob.blob_object_access;
  const granted = grantDownloadUrl(access);
  const download = granted
    ? { url: granted, expiresAt: access?.expires ? new Date(access.expires) : null }
    : await deps.upstream.getDownloadUrl(token, blob.uid);
  const notAfter = download.expiresAt && !Number.isNaN(download.expiresAt.getTime()) ? download.expiresAt : null;
  return `${deps.gatewayOrigin}${deps.signer.sign({ uid: blob.uid, source: download.url, notAfter })}`;
}
