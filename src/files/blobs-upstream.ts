import { Readable } from 'node:stream';
import { type Dispatcher, interceptors } from 'undici';
import { BlobsUpstreamError } from './errors.ts';
import { type MultipartFile, multipartBody } from './multipart-body.ts';

/** A blob as the upstream sends it (structurally the gateway's `UpstreamBlob`). */
export interface BlobRecord {
  id: number;
  uid: string;
  content_type: string;
  name: string;
  size: number | null;
  public: boolean;
  created_at: string;
  updated_at: string;
  blob_status?: string | null;
  set_completed_at?: string | null;
  blob_object_access?: {
    object_access_type?: string;
    params?: string;
    download_url?: string;
    expires?: string;
  };
}

export interface DownloadResponse {
  status: number;
  headers: Headers;
  /** Null for HEAD and for statuses without a body; always consumed or cancelled by the caller. */
  body: ReadableStream<Uint8Array> | null;
}

/**
 * What the files feature needs from the upstream. The gateway's upstream client can satisfy
 * it later; `createBlobsUpstream` is the implementation until then. Tokens travel only as
 * `CB-Token` headers.
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
  ): Promise<Record<string, unknown>>;
}

/**
 * undici's headers timer already runs while the request body is being sent and is only
 * refreshed on socket back-pressure; a client uploading 100 MB slowly needs far more than a
 * normal call's timeout.
 */
export const DEFAULT_UPLOAD_TIMEOUT_MS = 10 * 60_000;
const MAX_DOWNLOAD_REDIRECTS = 3;

export interface BlobsUpstreamOptions {
  /** The REST API's base URL, e.g. `https://api.connectycube.com`. */
  baseUrl: string;
  /**
   * Built once per process. It must route by origin (an undici `Agent`): the signed upload
   * URL and download URLs may live on another host than the API (S3 for the real service).
   */
  dispatcher: Dispatcher;
  uploadTimeoutMs?: number;
}

export function createBlobsUpstream(options: BlobsUpstreamOptions): BlobsUpstream {
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const { dispatcher } = options;
  const downloads = dispatcher.compose(interceptors.redirect({ maxRedirections: MAX_DOWNLOAD_REDIRECTS }));
  const uploadTimeoutMs = options.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;

  async function api<T>(operation: string, method: Dispatcher.HttpMethod, path: string, token: string, json?: unknown) {
    const headers: Record<string, string> = { accept: 'application/json', 'cb-token': token };
    if (json !== undefined) headers['content-type'] = 'application/json';
    const res = await dispatcher.request({
      origin: base.origin,
      method,
      path: `${prefix}${path}`,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await res.body.text();
    const body = parseJson(text);
    if (res.statusCode >= 400) throw new BlobsUpstreamError(operation, res.statusCode, body);
    return body as T;
  }

  return {
    async createBlob(token, input) {
      const body = await api<{ blob: BlobRecord }>('create blob', 'POST', '/blobs', token, {
        blob: { name: input.name, content_type: input.contentType, public: input.isPublic },
      });
      if (!body?.blob?.blob_object_access?.params) throw new BlobsUpstreamError('create blob', 502, null);
      return body.blob;
    },

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
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new BlobsUpstreamError('upload', res.statusCode, parseJson(text));
    },

    async completeBlob(token, id, size) {
      await api('complete blob', 'PUT', `/blobs/${id}/complete`, token, { blob: { size } });
    },

    async deleteBlob(token, id) {
      await api('delete blob', 'DELETE', `/blobs/${id}`, token);
    },

    async getDownloadUrl(token, uid) {
      const body = await api<{ blob: BlobRecord }>(
        'read blob',
        'GET',
        `/blobs/${encodeURIComponent(uid)}/object?download_url=1`,
        token,
      );
      const access = body?.blob?.blob_object_access;
      if (!access?.download_url) throw new BlobsUpstreamError('read blob', 502, null);
      const expiresAt = access.expires ? new Date(access.expires) : null;
      return {
        url: access.download_url,
        expiresAt: expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : null,
      };
    },

    publicBlobUrl(uid) {
      return `${base.origin}${prefix}/blobs/${encodeURIComponent(uid)}`;
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

    async updateUserAvatar(token, userId, fields) {
      const body = await api<{ user: Record<string, unknown> }>('set avatar', 'PUT', `/users/${userId}`, token, {
        user: fields,
      });
      return body.user;
    },
  };
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
