import type { BlobRecord, BlobsUpstream } from './blobs-upstream.ts';
import type { FileUrlSigner } from './signed-file-url.ts';

export interface FileUrlDeps {
  signer: FileUrlSigner;
  upstream: Pick<BlobsUpstream, 'publicBlobUrl'>;
  /** A public file's URL as configured (`FilesDeps.publicFileUrl`); the upstream's when absent. */
  publicFileUrl?: (uid: string) => string;
  /** The gateway's public origin, e.g. `https://api.example.com` (no trailing slash). */
  gatewayOrigin: string;
}

/**
 * `File.url`: a public blob's URL from `publicFileUrl` (the upstream's when absent); for a private one, the gateway's signed URL
 * for the uid (the same for everyone within a window). Neither asks the upstream anything: the
 * download route gets the bytes when the URL is used.
 */
export function fileUrl(blob: BlobRecord, deps: FileUrlDeps): string {
  if (blob.public) return deps.publicFileUrl ? deps.publicFileUrl(blob.uid) : deps.upstream.publicBlobUrl(blob.uid);
  return `${deps.gatewayOrigin}${deps.signer.sign({ uid: blob.uid })}`;
}
