import { Readable } from 'node:stream';
import { completeBlob, createBlob, deleteBlob, getDownloadUrl, publicBlobUrl } from '../upstream/blobs.ts';
import type { UpstreamClient } from '../upstream/client.ts';
import type { UpstreamBlob, UpstreamUser } from '../upstream/types.ts';
import { type Dispatcher, interceptors } from '../upstream/undici.ts';
import { updateUser } from '../upstream/users.ts';
import { BlobsUpstreamError } from './errors.ts';
import { type MultipartFile, multipartBody } from './multipart-body.ts';

/** A blob as the upstream sends it. */
export type BlobRecord = UpstreamBlob;

export interface DownloadResponse {
  status: number;
  headers: Headers;
  /** Null for HEAD and for statuses without a body; always consumed or cancelled by the caller. */
  body: ReadableStream<Uint8Array> | null;
}

/**
 * What the files feature needs from the upstream. The REST calls go through the gateway's
 * `UpstreamClient` (its pool, error mapping and token observers); only the byte transfers to
 * and from signed URLs use a separate dispatcher. Tokens travel only as `CB-Token` headers.
 */
export interface BlobsUpstream {
  /** POST /blobs: the new blob with its signed upload URL in `blob_object_access.params`. */
  createBlob(token: string, input: { name: string; contentType: string; isPublic: boolean }): Promise<BlobRecord>;
  /** The S3 presigned-POST shape: the URL's query parameters as form fields, then `file`. */
  uploadToSignedUrl(uploadUrl: string, file: Omit<MultipartFile, 'field'>, signal?: AbortSignal): Promise<void>;
  completeBlob(token: string, id: number, size: number): Promise<void>;
  deleteBlob(token: string, id: number): Promise<void>;
  /** GET /blobs/{uid}/object?download_url=1: a URL that reads the bytes without a token header. */
  getDownloadUrl(token: string, uid: string): Promise<{ url: string; expiresAt: Date | null }>;
  /** Where a public blob is read with no token. */
  publicBlobUrl(uid: string): string;
  /** Streams bytes from a URL this upstream handed out (redirects followed). */
  openDownload(
    url: string,
    init: { method: 'GET' | 'HEAD'; range?: string | undefined; signal?: AbortSignal | undefined },
  ): Promise<DownloadResponse>;
  /** PUT /users/{id} with the avatar fields only; resolves to the updated user. */
  updateUserAvatar(
    token: string,
    userId: number,
    fields: { avatar: string | null; custom_data?: string },
  ): Promise<UpstreamUser>;
}

/**
 * undici's headers timer already runs while the request body is being sent and is only
 * refreshed on socket back-pressure; a client uploading 100 MB slowly needs far more than a
 * normal call's timeout.
 */
export const DEFAULT_UPLOAD_TIMEOUT_MS = 10 * 60_000;
const MAX_DOWNLOAD_REDIRECTS = 3;

export interface BlobsUpstreamOptions {
  /** The gateway's client for the REST API. */
  client: UpstreamClient;
  /**
   * For signed upload and download URLs. Built once per process; it must route by origin (an
   * undici `Agent`): those URLs may live on another host than the API (S3 for the real service).
   */
  dispatcher: Dispatcher;
  uploadTimeoutMs?: number;
}

export function createBlobsUpstream(options: BlobsUpstreamOptions): BlobsUpstream {
  const { client, dispatcher } = options;
  const downloads = dispatcher.compose(interceptors.redirect({ maxRedirections: MAX_DOWNLOAD_REDIRECTS }));
  const uploadTimeoutMs = options.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;

  return {
    createBlob: (token, input) => createBlob(client, token, input),
    completeBlob: (token, id, size) => completeBlob(client, token, id, size),
    deleteBlob: (token, id) => deleteBlob(client, token, id),
    getDownloadUrl: (token, uid) => getDownloadUrl(client, token, uid),
    publicBlobUrl: (uid) => publicBlobUrl(client.baseUrl, uid),
    updateUserAvatar: (token, userId, fields) => updateUser(client, token, userId, fields),

    async uploadToSignedUrl(uploadUrl, file, signal) {
      const url = new URL(uploadUrl);
      const form = multipartBody(url.searchParams, { ...file, field: 'file' });
      const headers: Record<string, string> = { 'content-type': form.contentType };
      if (form.contentLength !== undefined) headers['content-length'] = String(form.contentLength);
      const res = await dispatcher.request({
        origin: url.origin,
        method: 'POST',
        path: url.pathname,
        headers,
        body: Readable.from(form.body, { objectMode: false }),
        headersTimeout: uploadTimeoutMs,
        signal,
      });
      // The storage's error body is not needed (and may echo the signed URL): status only.
      await res.body.dump();
      if (res.statusCode >= 300) throw new BlobsUpstreamError('upload', res.statusCode, null);
    },

    async openDownload(rawUrl, init) {
      const url = new URL(rawUrl);
      const headers: Record<string, string> = {};
      if (init.range) headers.range = init.range;
      const res = await downloads.request({
        origin: url.origin,
        method: init.method,
        path: `${url.pathname}${url.search}`,
        headers,
        signal: init.signal,
      });
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
      }
      const hasBody = init.method === 'GET' && res.statusCode >= 200 && res.statusCode < 300;
      if (!hasBody) {
        await res.body.dump();
        return { status: res.statusCode, headers: responseHeaders, body: null };
      }
      return {
        status: res.statusCode,
        headers: responseHeaders,
        body: Readable.toWeb(res.body) as ReadableStream<Uint8Array>,
      };
    },
  };
}
