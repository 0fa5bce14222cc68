import type { UpstreamClient } from './client.ts';
import type { UpstreamBlob } from './types.ts';

/** `/blobs`: reads, and the API steps of an upload (the byte transfer lives in `src/files`). */

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

/** POST /blobs: a new blob with its signed upload URL in `blob_object_access.params`. */
export async function createBlob(
  client: UpstreamClient,
  token: string,
  input: { name: string; contentType: string; isPublic: boolean },
): Promise<UpstreamBlob> {
  const res = await client.request<{ blob: UpstreamBlob }>({
    method: 'POST',
    path: '/blobs',
    token,
    json: { blob: { name: input.name, content_type: input.contentType, public: input.isPublic } },
  });
  if (!res.body?.blob?.blob_object_access?.params) throw client.unavailable('no upload grant');
  return res.body.blob;
}

/** PUT /blobs/{id}/complete with the size that was really sent. */
export async function completeBlob(client: UpstreamClient, token: string, id: number, size: number): Promise<void> {
  await client.request({ method: 'PUT', path: `/blobs/${id}/complete`, token, json: { blob: { size } } });
}

/** DELETE /blobs/{id}. */
export async function deleteBlob(client: UpstreamClient, token: string, id: number): Promise<void> {
  await client.request({ method: 'DELETE', path: `/blobs/${id}`, token, context: { resource: 'File' } });
}

/**
 * The download URL of a Read grant. The SDKs read `download_url`; ConnectyCube's storage
 * page shows the response of `/object?download_url=1` with the key spelled `dowload_url`:
 * either is taken, the correct spelling first.
 */
export function grantDownloadUrl(access: UpstreamBlob['blob_object_access']): string | undefined {
  return access?.download_url || access?.dowload_url || undefined;
}

/** GET /blobs/{uid}/object?download_url=1: a URL that reads the bytes without a token header. */
export async function getDownloadUrl(
  client: UpstreamClient,
  token: string,
  uid: string,
): Promise<{ url: string; expiresAt: Date | null }> {
  const res = await client.request<{ blob: UpstreamBlob }>({
    method: 'GET',
    path: `/blobs/${encodeURIComponent(uid)}/object`,
    query: { download_url: 1 },
    token,
    context: { resource: 'File' },
  });
  const access = res.body?.blob?.blob_object_access;
  const url = grantDownloadUrl(access);
  if (!url) throw client.unavailable('no download url');
  const expiresAt = access?.expires ? new Date(access.expires) : null;
  return { url, expiresAt: expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : null };
}
