import type { UpstreamClient } from './client.ts';
import type { UpstreamBlob } from './types.ts';

/** `/blobs`: what the core schema reads. Uploads live with the files feature. */

/** GET /blobs/{uid}/object: a blob's info by uid, or null when there is none. */
export async function getBlobByUid(client: UpstreamClient, token: string, uid: string): Promise<UpstreamBlob | null> {
  try {
    const res = await client.request<{ blob: UpstreamBlob }>({
      method: 'GET',
      path: `/blobs/${encodeURIComponent(uid)}/object`,
      token,
      context: { resource: 'File' },
    });
    return res.body.blob;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'NOT_FOUND') return null;
    throw err;
  }
}

/** The upstream's public URL of a blob: `GET /blobs/{uid}` streams a public blob with no token. */
export function publicBlobUrl(baseUrl: string, uid: string): string {
  return `${baseUrl}/blobs/${encodeURIComponent(uid)}`;
}
