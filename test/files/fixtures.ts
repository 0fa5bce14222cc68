import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { Agent } from 'undici';
import { type BlobsUpstream, createBlobsUpstream } from '../../src/files/blobs-upstream.ts';
import type { UploadSource } from '../../src/files/upload-pipeline.ts';
import { AppSession } from '../../src/upstream/app-session.ts';
import { UpstreamClient } from '../../src/upstream/client.ts';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { restClient, sessionsFor } from '../support/rest-client.ts';

/** A 1×1 PNG. */
export const PNG_BYTES = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

export interface FilesFixture {
  service: RunningLocalService;
  upstream: BlobsUpstream;
  /** The application's own session, as the gateway's download route uses it. */
  appSession: AppSession;
  /** A new user's session token (one user per test keeps blob counts independent). */
  newUser(fields?: Record<string, unknown>): Promise<{ token: string; id: number; user: any }>;
  blobCount(token: string): Promise<number>;
  close(): Promise<void>;
}

let userSeq = 0;

export async function startFilesFixture(): Promise<FilesFixture> {
  const service = await startLocalService();
  const api = restClient(service.url);
  const sessions = sessionsFor(api, service.application);
  const agent = new Agent({ connections: 8, connectTimeout: 5_000, headersTimeout: 15_000, bodyTimeout: 30_000 });
  const client = new UpstreamClient({
    url: service.url,
    applicationId: service.application.id,
    authKey: service.application.authKey,
    connections: 8,
    connectTimeoutMs: 5_000,
    headersTimeoutMs: 15_000,
    bodyTimeoutMs: 30_000,
    retries: 0,
  });
  const upstream = createBlobsUpstream({ client, dispatcher: agent });
  const appSession = new AppSession(client, {
    applicationId: service.application.id,
    authKey: service.application.authKey,
    authSecret: service.application.authSecret,
  });
  return {
    service,
    upstream,
    appSession,
    async newUser(fields = {}) {
      const login = `files_${process.pid}_${++userSeq}_${randomBytes(3).toString('hex')}`;
      const user = await sessions.signUp({ login, password: 'secret-password-1', ...fields });
      return { token: await sessions.userToken(login, 'secret-password-1'), id: user.id, user };
    },
    async blobCount(token) {
      const res = await api.get('/blobs', { token, query: { per_page: 100 } });
      if (res.status !== 200) throw new Error(`GET /blobs answered ${res.status}`);
      return res.body.total_entries;
    },
    async close() {
      await agent.close();
      await client.close();
      await service.close();
    },
  };
}

/** An upload source over bytes in memory (small files only). */
export function bytesSource(
  bytes: Uint8Array,
  name: string,
  type: string,
  size: number | undefined = bytes.byteLength,
) {
  return {
    name,
    type,
    size,
    stream: () => new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(),
  } satisfies UploadSource;
}

/**
 * `size` pseudo-random bytes generated chunk by chunk as they are pulled, never held whole;
 * `sha256()` is the digest of what was produced so far.
 */
export function generatedSource(size: number, options: { name?: string; type?: string; announceSize?: boolean } = {}) {
  const hash = createHash('sha256');
  const chunkSize = 64 * 1024;
  let produced = 0;
  const block = randomBytes(chunkSize);
  const source: UploadSource = {
    name: options.name ?? 'data.txt',
    type: options.type ?? 'text/plain',
    size: options.announceSize === false ? undefined : size,
    stream: () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (produced >= size) return controller.close();
          const n = Math.min(chunkSize, size - produced);
          // Printable bytes, so the sniffer sees text; varied per chunk, so a dropped or
          // repeated chunk changes the hash.
          const chunk = new Uint8Array(n);
          for (let i = 0; i < n; i++) chunk[i] = 0x20 + ((block[i]! + produced / chunkSize) % 0x5e);
          produced += n;
          hash.update(chunk);
          controller.enqueue(chunk);
        },
      }),
  };
  return { source, sha256: () => hash.copy().digest('hex'), produced: () => produced };
}

/** Serves a WHATWG handler over real HTTP, streaming both ways. */
export async function serveHandler(handler: (request: Request) => Promise<Response>) {
  const server = createServer(async (req, res) => {
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const response = await handler(
      new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method ?? 'GET',
        headers: req.headers as Record<string, string>,
        signal: controller.signal,
      }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body) Readable.fromWeb(response.body as never).pipe(res);
    else res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function sha256OfResponse(response: Response): Promise<{ digest: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { digest: hash.digest('hex'), bytes };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
