import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createSchema, createYoga } from 'graphql-yoga';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobsUpstream } from '../../src/files/blobs-upstream.ts';
import { FileValidationError } from '../../src/files/errors.ts';
import { createFileDownloadHandler } from '../../src/files/file-download-handler.ts';
import { fileUrl } from '../../src/files/file-url.ts';
import { multipartBody } from '../../src/files/multipart-body.ts';
import { createFileUrlSigner } from '../../src/files/signed-file-url.ts';
import { uploadLimits } from '../../src/files/upload-limits.ts';
import { type UploadSource, uploadToUpstream } from '../../src/files/upload-pipeline.ts';
import { useFileDownloads } from '../../src/files/use-file-downloads.ts';
import { useStreamingUploads } from '../../src/files/use-streaming-uploads.ts';
import {
  type FilesFixture,
  generatedSource,
  PNG_BYTES,
  sha256,
  sha256OfResponse,
  startFilesFixture,
} from './fixtures.ts';

const MB = 1024 * 1024;
const limits = uploadLimits();
const signer = createFileUrlSigner({ secret: 'streaming-uploads-test-secret-0123456789' });

let fx: FilesFixture;
let gatewayOrigin: string;
let graphqlUrl: string;
let closeGraphql: () => Promise<void>;
/** How many bytes the client had produced when the gateway created the blob. */
let producedAtCreate: number | undefined;
let clientProduced: (() => number) | undefined;
/** When set, the upstream takes each chunk only after a pause, and notes how far the client ran ahead. */
let slowUpstream: { aheadMost: number } | undefined;

/**
 * A stand-in schema with the real files machinery behind it: enough to drive the streaming
 * parser through yoga over HTTP. The gateway's schema wires the same pieces in phase 2.
 */
function buildYoga(upstream: BlobsUpstream) {
  const watched: BlobsUpstream = {
    ...upstream,
    createBlob: (token, input) => {
      producedAtCreate = clientProduced?.();
      return upstream.createBlob(token, input);
    },
    uploadToSignedUrl: (url, file, signal) =>
      upstream.uploadToSignedUrl(
        url,
        slowUpstream ? { ...file, chunks: slowly(file.chunks, slowUpstream) } : file,
        signal,
      ),
  };
  return createYoga<{ req: { headers: Record<string, string | undefined> } }>({
    maskedErrors: false,
    // As in the gateway: the streaming parser bounds the body (yoga's wrapper has no back-pressure).
    maxRequestBodySize: false,
    plugins: [
      useStreamingUploads({ maxFileBytes: limits.maxBytes, maxFiles: 2, maxFieldBytes: 64 * 1024 }),
      useFileDownloads(createFileDownloadHandler({ signer, upstream, appSession: fx.appSession })),
    ],
    schema: createSchema({
      typeDefs: /* GraphQL */ `
        scalar Upload
        type Query { ok: Boolean }
        type UploadedFile { uid: String!, size: Int!, contentType: String!, url: String! }
        type Mutation {
          uploadFile(file: Upload!, isPublic: Boolean, avatar: Boolean): UploadedFile
          ignoreFile(file: Upload!): Boolean
        }
      `,
      resolvers: {
        Mutation: {
          async uploadFile(_root, args: { file: UploadSource; isPublic?: boolean; avatar?: boolean }, ctx) {
            const token = ctx.req.headers['cb-token'] ?? '';
            try {
              const { blob } = await uploadToUpstream({
                file: args.file,
                isPublic: !!args.isPublic,
                token,
                limits,
                upstream: watched,
                purpose: args.avatar ? 'avatar' : 'file',
              });
              const url = fileUrl(blob, { signer, upstream, gatewayOrigin });
              return { uid: blob.uid, size: blob.size, contentType: blob.content_type, url };
            } catch (error) {
              if (error instanceof FileValidationError) throw new Error(`VALIDATION_FAILED: ${error.message}`);
              throw error;
            }
          },
          ignoreFile: () => true,
        },
      },
    }),
  });
}

/** Passes chunks on after a pause each, recording the most bytes the client was ahead by. */
async function* slowly(chunks: AsyncIterable<Uint8Array>, watch: { aheadMost: number }) {
  let taken = 0;
  for await (const chunk of chunks) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    taken += chunk.byteLength;
    watch.aheadMost = Math.max(watch.aheadMost, (clientProduced?.() ?? 0) - taken);
    yield chunk;
  }
}

beforeAll(async () => {
  fx = await startFilesFixture();
  const server = createServer(buildYoga(fx.upstream));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gatewayOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  graphqlUrl = `${gatewayOrigin}/graphql`;
  closeGraphql = () => new Promise<void>((resolve) => server.close(() => resolve()));
});

afterAll(async () => {
  await closeGraphql?.();
  await fx?.close();
});

const UPLOAD =
  'mutation ($file: Upload!, $isPublic: Boolean, $avatar: Boolean) { uploadFile(file: $file, isPublic: $isPublic, avatar: $avatar) { uid size contentType url } }';

function operations(query: string, variables: Record<string, unknown>) {
  return JSON.stringify({ query, variables: { ...variables, file: null } });
}

async function postForm(token: string, form: FormData): Promise<any> {
  const response = await fetch(graphqlUrl, { method: 'POST', headers: { 'cb-token': token }, body: form });
  return { status: response.status, body: await response.json() };
}

describe('streaming GraphQL multipart uploads', () => {
  it.each([true, false])('round-trips a file sent by a multipart client (isPublic: %s)', async (isPublic) => {
    const { token } = await fx.newUser();
    const form = new FormData();
    form.set('operations', operations(UPLOAD, { isPublic }));
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new Blob([PNG_BYTES], { type: 'image/png' }), 'pixel.png');
    const { status, body } = await postForm(token, form);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data.uploadFile).toMatchObject({ size: PNG_BYTES.byteLength, contentType: 'image/png' });
    const url = body.data.uploadFile.url as string;
    // Private files are served by the same yoga instance, at its signed /files/ route.
    expect(url.startsWith(isPublic ? fx.service.url : `${gatewayOrigin}/files/`)).toBe(true);
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-length')).toBe(String(PNG_BYTES.byteLength));
    expect((await sha256OfResponse(download)).digest).toBe(sha256(PNG_BYTES));
  });

  it('starts the upstream upload before the client has sent the whole 20 MB file', async () => {
    const { token } = await fx.newUser();
    const generated = generatedSource(20 * MB, { name: 'big.txt' });
    clientProduced = generated.produced;
    producedAtCreate = undefined;
    const form = multipartBody(
      [
        ['operations', operations(UPLOAD, {})],
        ['map', JSON.stringify({ 0: ['variables.file'] })],
      ],
      {
        field: '0',
        filename: 'big.txt',
        contentType: 'text/plain',
        size: 20 * MB,
        chunks: generated.source.stream() as unknown as AsyncIterable<Uint8Array>,
      },
    );
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'cb-token': token, 'content-type': form.contentType, 'content-length': String(form.contentLength) },
      body: Readable.toWeb(Readable.from(form.body)),
      duplex: 'half',
    } as RequestInit);
    const body = (await response.json()) as any;
    clientProduced = undefined;
    expect(body.errors).toBeUndefined();
    expect(body.data.uploadFile.size).toBe(20 * MB);
    // Socket buffers on both ends hold a few MB; yoga's own parser would have waited for all 20.
    expect(producedAtCreate).toBeLessThan(10 * MB);
    const download = await fetch(body.data.uploadFile.url);
    expect(await sha256OfResponse(download)).toEqual({ digest: generated.sha256(), bytes: 20 * MB });
  });

  it('holds a fast client back to a slow upstream’s pace instead of buffering the file', async () => {
    const { token } = await fx.newUser();
    const size = 32 * MB;
    const generated = generatedSource(size, { name: 'big.txt' });
    clientProduced = generated.produced;
    slowUpstream = { aheadMost: 0 };
    const form = multipartBody(
      [
        ['operations', operations(UPLOAD, {})],
        ['map', JSON.stringify({ 0: ['variables.file'] })],
      ],
      {
        field: '0',
        filename: 'big.txt',
        contentType: 'text/plain',
        chunks: generated.source.stream() as unknown as AsyncIterable<Uint8Array>,
      },
    );
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'cb-token': token, 'content-type': form.contentType },
      body: Readable.toWeb(Readable.from(form.body)),
      duplex: 'half',
    } as RequestInit);
    const body = (await response.json()) as any;
    const { aheadMost } = slowUpstream;
    clientProduced = undefined;
    slowUpstream = undefined;
    expect(body.errors).toBeUndefined();
    expect(body.data.uploadFile.size).toBe(size);
    // Only socket and stream buffers lie between the two; a gateway reading the request as
    // fast as it arrives would hold most of the 32 MB.
    expect(aheadMost).toBeLessThan(12 * MB);
  });

  it('answers, and leaves no blob, when the file is refused after its first bytes', async () => {
    const { token } = await fx.newUser();
    const form = new FormData();
    form.set('operations', operations(UPLOAD, { avatar: true }));
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new Blob(['not a picture, '.repeat(100_000)], { type: 'image/png' }), 'me.png');
    const { body } = await postForm(token, form);
    expect(body.errors?.[0]?.message).toMatch(/^VALIDATION_FAILED: An avatar must be an image/);
    expect(await fx.blobCount(token)).toBe(0);
  });

  it('reads the rest of a refused file, so its connection serves the next request', async () => {
    const { token } = await fx.newUser();
    const form = new FormData();
    form.set('operations', operations(UPLOAD, { avatar: true }));
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new Blob(['not a picture, '.repeat(400_000)], { type: 'image/png' }), 'me.png');
    const encoded = new Response(form);
    // One connection: the second request waits for the first one's body to be read to its end.
    const connection = new Client(gatewayOrigin, { pipelining: 1 });
    try {
      const refused = await connection.request({
        method: 'POST',
        path: '/graphql',
        headers: { 'cb-token': token, 'content-type': encoded.headers.get('content-type')! },
        body: Buffer.from(await encoded.arrayBuffer()),
      });
      expect(((await refused.body.json()) as any).errors?.[0]?.message).toMatch(/^VALIDATION_FAILED/);
      const next = await connection.request({ method: 'GET', path: '/graphql?query=%7Bok%7D' });
      expect(await next.body.json()).toEqual({ data: { ok: null } });
    } finally {
      await connection.close();
    }
  });

  it('answers when a resolver never reads its file', async () => {
    const { token } = await fx.newUser();
    const form = new FormData();
    form.set(
      'operations',
      JSON.stringify({ query: 'mutation ($file: Upload!) { ignoreFile(file: $file) }', variables: { file: null } }),
    );
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new Blob([new Uint8Array(4 * MB)]), 'zeros.bin');
    const { body } = await postForm(token, form);
    expect(body).toEqual({ data: { ignoreFile: true } });
  });

  it('refuses a file sent before operations and map', async () => {
    const form = new FormData();
    form.set('0', new Blob(['x']), 'x.txt');
    form.set('operations', operations(UPLOAD, {}));
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    const { status, body } = await postForm('', form);
    expect(status).toBe(400);
    expect(body.errors[0].message).toBe('A file came before "operations" and "map".');
  });

  it('refuses a map that reaches for the prototype', async () => {
    const form = new FormData();
    form.set('operations', operations(UPLOAD, {}));
    form.set('map', JSON.stringify({ 0: ['__proto__.polluted'] }));
    form.set('0', new Blob(['x']), 'x.txt');
    const { status } = await postForm('', form);
    expect(status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
