import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobsUpstream } from '../../src/files/blobs-upstream.ts';
import { BlobsUpstreamError, FileUploadError, FileValidationError } from '../../src/files/errors.ts';
import { createFileDownloadHandler } from '../../src/files/file-download-handler.ts';
import { fileUrl } from '../../src/files/file-url.ts';
import { createFileUrlSigner } from '../../src/files/signed-file-url.ts';
import { uploadLimits } from '../../src/files/upload-limits.ts';
import { uploadToUpstream } from '../../src/files/upload-pipeline.ts';
import {
  bytesSource,
  type FilesFixture,
  generatedSource,
  PNG_BYTES,
  serveHandler,
  sha256,
  sha256OfResponse,
  startFilesFixture,
} from './fixtures.ts';

const SECRET = 'files-pipeline-test-secret-0123456789abcdef';
const MB = 1024 * 1024;

let fx: FilesFixture;
let gateway: { origin: string; close(): Promise<void> };
const signer = createFileUrlSigner({ secret: SECRET });
const limits = uploadLimits();

beforeAll(async () => {
  fx = await startFilesFixture();
  gateway = await serveHandler(createFileDownloadHandler({ signer, upstream: fx.upstream, appSession: fx.appSession }));
});

afterAll(async () => {
  await gateway?.close();
  await fx?.close();
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('uploadToUpstream + signed download', () => {
  it.each([true, false])('returns the same bytes through File.url (isPublic: %s)', async (isPublic) => {
    const { token } = await fx.newUser();
    const bytes = Buffer.concat([PNG_BYTES, Buffer.from('trailing bytes after IEND')]);
    const { blob } = await uploadToUpstream({
      file: bytesSource(bytes, 'pixel.png', 'image/png'),
      isPublic,
      token,
      limits,
      upstream: fx.upstream,
    });
    expect(blob).toMatchObject({
      name: 'pixel.png',
      content_type: 'image/png',
      size: bytes.byteLength,
      public: isPublic,
    });
    expect(blob.blob_object_access).toBeUndefined();

    const url = fileUrl(blob, { signer, upstream: fx.upstream, gatewayOrigin: gateway.origin });
    expect(url).not.toContain(token);
    if (isPublic) {
      expect(url).toBe(fx.upstream.publicBlobUrl(blob.uid));
    } else {
      expect(url.startsWith(`${gateway.origin}/files/${blob.uid}?`)).toBe(true);
      expect(url).not.toContain('signature=');
    }
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('content-length')).toBe(String(bytes.byteLength));
    expect((await sha256OfResponse(response)).digest).toBe(sha256(bytes));

    // The gateway also serves public files through a signed link of its own.
    if (isPublic) {
      const viaGateway = await fetch(`${gateway.origin}${signer.sign({ uid: blob.uid })}`);
      expect(viaGateway.status).toBe(200);
      expect(viaGateway.headers.get('content-disposition')).toMatch(/^inline; filename="pixel.png"/);
      expect(viaGateway.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await sha256OfResponse(viaGateway)).digest).toBe(sha256(bytes));
    }
  });

  it('streams a 20 MB upload of unknown length and serves it back byte-identical', async () => {
    const { token } = await fx.newUser();
    const generated = generatedSource(20 * MB, { name: 'big.txt', announceSize: false });
    const { blob } = await uploadToUpstream({
      file: generated.source,
      isPublic: false,
      token,
      limits,
      upstream: fx.upstream,
    });
    expect(blob.size).toBe(20 * MB);
    expect(blob.content_type).toBe('text/plain');
    const url = fileUrl(blob, { signer, upstream: fx.upstream, gatewayOrigin: gateway.origin });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(20 * MB));
    expect(await sha256OfResponse(response)).toEqual({ digest: generated.sha256(), bytes: 20 * MB });
  });

  it('refuses an announced size over the limit before creating anything', async () => {
    const { token } = await fx.newUser();
    const generated = generatedSource(2 * MB);
    const error = await rejection(
      uploadToUpstream({
        file: generated.source,
        isPublic: false,
        token,
        limits: uploadLimits({ maxBytes: MB }),
        upstream: fx.upstream,
      }),
    );
    expect(error).toBeInstanceOf(FileValidationError);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'file', message: expect.stringMatching(/1 MB/) });
    expect(generated.produced()).toBe(0);
    expect(await fx.blobCount(token)).toBe(0);
  });

  it('cuts off an upload that grows over the limit, and leaves no blob upstream', async () => {
    const { token } = await fx.newUser();
    const generated = generatedSource(3 * MB, { announceSize: false });
    const error = await rejection(
      uploadToUpstream({
        file: generated.source,
        isPublic: false,
        token,
        limits: uploadLimits({ maxBytes: MB }),
        upstream: fx.upstream,
      }),
    );
    expect(error).toBeInstanceOf(FileValidationError);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'file', cleanup: 'deleted' });
    // Stopped near the limit rather than reading the whole file.
    expect(generated.produced()).toBeLessThan(2 * MB);
    expect(await fx.blobCount(token)).toBe(0);
  });

  it('refuses a client whose bytes outrun its announced size', async () => {
    const { token } = await fx.newUser();
    const generated = generatedSource(MB);
    const lying = { ...generated.source, size: MB / 2 };
    const error = await rejection(
      uploadToUpstream({ file: lying, isPublic: false, token, limits, upstream: fx.upstream }),
    );
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', cleanup: 'deleted' });
    expect(await fx.blobCount(token)).toBe(0);
  });

  it('refuses a text file as avatar even when declared image/png', async () => {
    const { token } = await fx.newUser();
    const error = await rejection(
      uploadToUpstream({
        file: bytesSource(Buffer.from('I am not a picture\n'), 'me.png', 'image/png'),
        isPublic: true,
        token,
        limits,
        upstream: fx.upstream,
        purpose: 'avatar',
      }),
    );
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'file' });
    expect(await fx.blobCount(token)).toBe(0);
  });

  it.each([
    ['complete', (up: BlobsUpstream): BlobsUpstream => ({ ...up, completeBlob: failWith503 })],
    [
      'upload',
      (up: BlobsUpstream): BlobsUpstream => ({
        ...up,
        // The signed URL is tampered with: the real service refuses it.
        uploadToSignedUrl: (url, file, signal) => up.uploadToSignedUrl(tamperSignature(url), file, signal),
      }),
    ],
  ] as const)('deletes the orphan blob when the %s step fails', async (step, inject) => {
    const { token } = await fx.newUser();
    const error = await rejection(
      uploadToUpstream({
        file: bytesSource(Buffer.from('some notes\n'), 'notes.txt', 'text/plain'),
        isPublic: false,
        token,
        limits,
        upstream: inject(fx.upstream),
      }),
    );
    expect(error).toBeInstanceOf(FileUploadError);
    expect(error).toMatchObject({ step, cleanup: 'deleted', message: expect.stringContaining(`"${step}"`) });
    expect(await fx.blobCount(token)).toBe(0);
  });

  it('deletes the orphan blob when the client goes away mid-upload', async () => {
    const { token } = await fx.newUser();
    let sent = 0;
    const dropping = {
      name: 'half.txt',
      type: 'text/plain',
      stream: () =>
        new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= MB) return controller.error(new Error('client disconnected'));
            sent += 64 * 1024;
            controller.enqueue(new Uint8Array(64 * 1024).fill(0x61));
          },
        }),
    };
    const error = await rejection(
      uploadToUpstream({ file: dropping, isPublic: false, token, limits, upstream: fx.upstream }),
    );
    expect(error).toMatchObject({ step: 'upload', cleanup: 'deleted' });
    expect(await fx.blobCount(token)).toBe(0);
  });

  it('deletes the blob when the finish step (set-avatar) fails', async () => {
    const { token } = await fx.newUser();
    const error = await rejection(
      uploadToUpstream({
        file: bytesSource(PNG_BYTES, 'me.png', 'image/png'),
        isPublic: true,
        token,
        limits,
        upstream: fx.upstream,
        purpose: 'avatar',
        finish: { step: 'set-avatar', run: () => failWith503() },
      }),
    );
    expect(error).toMatchObject({ step: 'set-avatar', cleanup: 'deleted', status: 503 });
    expect(await fx.blobCount(token)).toBe(0);
  });
});

describe('the download handler', () => {
  async function privateUpload() {
    const { token } = await fx.newUser();
    const bytes = Buffer.from('private words\n');
    const { blob } = await uploadToUpstream({
      file: bytesSource(bytes, 'secret.txt', 'text/plain'),
      isPublic: false,
      token,
      limits,
      upstream: fx.upstream,
    });
    const url = fileUrl(blob, { signer, upstream: fx.upstream, gatewayOrigin: gateway.origin });
    return { blob, bytes, url: new URL(url) };
  }

  it('refuses a tampered link', async () => {
    const { url } = await privateUpload();
    const sig = url.searchParams.get('sig')!;
    url.searchParams.set('sig', `${sig.startsWith('0') ? '1' : '0'}${sig.slice(1)}`);
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('This file link is not valid.');
  });

  it('refuses a link to another file made from a valid one', async () => {
    const first = await privateUpload();
    const second = await privateUpload();
    const swapped = new URL(first.url);
    swapped.pathname = `/files/${second.blob.uid}`;
    const response = await fetch(swapped);
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('This file link is not valid.');
  });

  it('refuses an expired link', async () => {
    const { url } = await privateUpload();
    // A link lives at most two windows (2 × 15 minutes by default).
    const later = createFileUrlSigner({ secret: SECRET, now: () => Date.now() + 30 * 60_000 + 1_000 });
    const handler = createFileDownloadHandler({ signer: later, upstream: fx.upstream, appSession: fx.appSession });
    const response = await handler(new Request(url));
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('This file link is not valid.');
  });

  it('refuses a link signed with another key', async () => {
    const { blob } = await privateUpload();
    const foreign = createFileUrlSigner({ secret: 'some-other-gateway-secret-0123456789abcd' });
    const response = await fetch(`${gateway.origin}${foreign.sign({ uid: blob.uid })}`);
    expect(response.status).toBe(403);
    // Refused by the gateway's own check, before anything is asked of the upstream.
    expect(await response.text()).toBe('This file link is not valid.');
  });

  it('reads a private file with the application session when the link is used', async () => {
    const { blob, bytes } = await privateUpload();
    // The link names the uid alone; nothing of the owner's session went into it.
    const response = await fetch(`${gateway.origin}${signer.sign({ uid: blob.uid })}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  it('answers 404 for a deleted file and 405 for other methods', async () => {
    const { token } = await fx.newUser();
    const { blob } = await uploadToUpstream({
      file: bytesSource(Buffer.from('short-lived\n'), 'gone.txt', 'text/plain'),
      isPublic: false,
      token,
      limits,
      upstream: fx.upstream,
    });
    const url = fileUrl(blob, { signer, upstream: fx.upstream, gatewayOrigin: gateway.origin });
    await fx.upstream.deleteBlob(token, blob.id);
    expect((await fetch(url)).status).toBe(404);
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
  });

  it('serves private text as a sandboxed, non-sniffable response with its name', async () => {
    const { url, bytes } = await privateUpload();
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(
      `inline; filename="secret.txt"; filename*=UTF-8''secret.txt`,
    );
    expect(response.headers.get('content-security-policy')).toContain('sandbox');
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(response.headers.get('cache-control') ?? '')?.[1]);
    const secondsLeft = Number(url.searchParams.get('exp')) - Date.now() / 1000;
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(secondsLeft);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });
});

function tamperSignature(uploadUrl: string): string {
  const url = new URL(uploadUrl);
  const signature = url.searchParams.get('signature')!;
  url.searchParams.set('signature', `${signature.startsWith('0') ? '1' : '0'}${signature.slice(1)}`);
  return url.toString();
}

async function failWith503(): Promise<never> {
  throw new BlobsUpstreamError('complete blob', 503, { errors: { base: ['Service Unavailable'] } });
}
