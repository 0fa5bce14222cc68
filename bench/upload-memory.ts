/**
 * Peak memory growth of this process while the upload pipeline streams 100 MB to a local
 * users service. The service runs in a child process so that its own buffers are not counted.
 *
 *   node_modules/.bin/node --expose-gc bench/upload-memory.ts [megabytes]
 *
 * The goal is a few MB of growth, not the size of the file.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent } from 'undici';
import { createBlobsUpstream } from '../src/files/blobs-upstream.ts';
import { uploadLimits } from '../src/files/upload-limits.ts';
import { uploadToUpstream } from '../src/files/upload-pipeline.ts';

const DEFAULT_MEGABYTES = 100;
const CHUNK_BYTES = 64 * 1024;
const SAMPLE_EVERY_MS = 5;
const LIVE_SAMPLE_EVERY_MS = 50;
const MB = 1024 * 1024;

const megabytes = Number(process.argv[2] ?? DEFAULT_MEGABYTES);
const dataDir = await mkdtemp(join(tmpdir(), 'cube-bench-'));
const child = spawn(process.execPath, ['src/local-service/main.ts'], {
  env: { ...process.env, DATA_DIR: dataDir, LOCAL_SERVICE_PORT: '0', LOCAL_AUTH_KEY: 'bench-auth-key' },
  stdio: ['ignore', 'pipe', 'inherit'],
});

try {
  const { url, applicationId } = await serviceReady();
  const agent = new Agent({ connections: 4, connectTimeout: 5_000, headersTimeout: 30_000, bodyTimeout: 60_000 });
  const upstream = createBlobsUpstream({ baseUrl: url, dispatcher: agent });
  const token = await userToken(url, applicationId);
  const limits = uploadLimits();

  // Warm up: first-use allocations (sockets, JIT, parsers) are not the upload's.
  await uploadToUpstream({ file: source(MB), isPublic: false, token, limits, upstream });

  // Two passes: the plain peak (garbage the GC has not reclaimed yet included), and the
  // live peak, sampled right after forced collections (what the upload actually holds).
  for (const live of [false, true]) {
    if (live && !globalThis.gc) {
      console.log('live peak: run with --expose-gc to measure it');
      break;
    }
    globalThis.gc?.();
    const before = process.memoryUsage();
    const peak = { ...before };
    const sampler = setInterval(
      () => {
        if (live) globalThis.gc?.();
        const now = process.memoryUsage();
        for (const key of Object.keys(peak) as (keyof NodeJS.MemoryUsage)[]) peak[key] = Math.max(peak[key], now[key]);
      },
      live ? LIVE_SAMPLE_EVERY_MS : SAMPLE_EVERY_MS,
    );
    const started = performance.now();
    const { blob } = await uploadToUpstream({ file: source(megabytes * MB), isPublic: false, token, limits, upstream });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);

    const growth = (key: keyof NodeJS.MemoryUsage) => ((peak[key] - before[key]) / MB).toFixed(1);
    console.log(
      `${live ? 'live peak' : 'peak     '} growth while uploading ${(blob.size ?? 0) / MB} MB in ${seconds.toFixed(2)} s: ` +
        `rss ${growth('rss')} MB, heapUsed ${growth('heapUsed')} MB, arrayBuffers ${growth('arrayBuffers')} MB`,
    );
  }
  await agent.close();
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  await rm(dataDir, { recursive: true, force: true });
}

/** Bytes made as they are pulled: the source itself holds one chunk at a time. */
function source(size: number) {
  let produced = 0;
  const chunk = new Uint8Array(CHUNK_BYTES).fill(0x61);
  return {
    name: 'bench.txt',
    type: 'text/plain',
    size,
    stream: () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (produced >= size) return controller.close();
          const n = Math.min(CHUNK_BYTES, size - produced);
          produced += n;
          controller.enqueue(chunk.slice(0, n));
        },
      }),
  };
}

/** Reads the service's ready line and its application id; keeps draining its output. */
function serviceReady(): Promise<{ url: string; applicationId: number }> {
  return new Promise((resolve, reject) => {
    let url: string | undefined;
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      url ??= /ready at (http\S+)/.exec(line)?.[1];
      const app = /application (\d+)/.exec(line)?.[1];
      if (url && app) resolve({ url, applicationId: Number(app) });
    });
    child.once('exit', (code) => reject(new Error(`local service exited (${code}) before it was ready`)));
  });
}

async function userToken(url: string, applicationId: number): Promise<string> {
  const credentials = { application_id: applicationId, auth_key: 'bench-auth-key' };
  const user = { login: 'bench-user', password: 'bench-password-1' };
  const post = async (path: string, body: unknown, token?: string) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { 'cb-token': token }) },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
    return (await res.json()) as { session: { token: string } };
  };
  const app = await post('/session', credentials);
  await post('/users', { user }, app.session.token);
  return (await post('/session', { ...credentials, user })).session.token;
}
