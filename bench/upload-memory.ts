/**
 * Peak memory growth of the gateway while a client streams a 100 MB `uploadFile` (GraphQL
 * multipart request) through it to a local users service. The gateway runs in this process;
 * the users service and the client run in child processes, so that only the gateway's own
 * buffers are counted.
 *
 *   npm run bench:upload [-- megabytes]
 *
 * The goal is a few MB of growth, not the size of the file. The live peak is what the
 * upload holds (a few MB: stream buffers). The raw peak is mostly garbage: node:http hands
 * each body chunk over in a Buffer of its own, and V8 frees those at the next scavenge. The
 * gateway's own allocations start one only every 25–40 MB of body; npm start's
 * `--scavenger-max-new-space-capacity-mb=4` makes V8 start one once 16 MB of young Buffers
 * wait (without it, only ≈ 64 MB of external memory since the last full GC would). So the
 * script always runs under npm start's V8 flags, as the bench suite runs it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { sendStreamedUpload } from '../test/support/uploads.ts';
import { gatewayNodeFlags } from './lib/gateway-command.ts';

const DEFAULT_MEGABYTES = 100;
const CHUNK_BYTES = 64 * 1024;
const SAMPLE_EVERY_MS = 5;
const LIVE_SAMPLE_EVERY_MS = 50;
const MB = 1024 * 1024;

const UPLOAD =
  'mutation($input: UploadFileInput!) { uploadFile(input: $input) { __typename ... on UploadFileSuccess { file { size } } ... on Error { code message } } }';

if (process.argv[2] === '--client') {
  // Child mode: one streamed multipart upload, its answer on stdout.
  const [, , , graphqlUrl = '', token = '', size = '0'] = process.argv;
  const file = { filename: 'bench.txt', contentType: 'text/plain', size: Number(size), chunks: chunks(Number(size)) };
  console.log(JSON.stringify((await sendStreamedUpload(graphqlUrl, token, UPLOAD, file)).body));
  process.exit(0);
}

// Started without npm start's flags (`npm run bench:upload`): run again under them, or the
// figure would be that of a process configured unlike the gateway.
if (!gatewayNodeFlags.every((flag) => process.execArgv.includes(flag))) {
  const again = spawn(process.execPath, [...gatewayNodeFlags, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.once('SIGTERM', () => again.kill('SIGTERM'));
  const [code] = (await once(again, 'exit')) as [number | null];
  process.exit(code ?? 1);
}

const megabytes = Number(process.argv[2] ?? DEFAULT_MEGABYTES);
const dataDir = await mkdtemp(join(tmpdir(), 'cube-bench-'));
const child = spawn(process.execPath, ['src/local-service/main.ts'], {
  env: { ...process.env, DATA_DIR: dataDir, LOCAL_SERVICE_PORT: '0', LOCAL_AUTH_KEY: 'bench-auth-key' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
// The bench suite stops this script with SIGTERM once it has read its line, which skips the
// `finally` below: the users service (≈ 500 MB) would outlive it, one per round.
process.once('SIGTERM', () => {
  child.once('exit', () => void rm(dataDir, { recursive: true, force: true }).finally(() => process.exit(143)));
  child.kill('SIGTERM');
});

try {
  const { url, applicationId } = await serviceReady();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    UPSTREAM_URL: url,
    CUBE_APPLICATION_ID: String(applicationId),
    CUBE_AUTH_KEY: 'bench-auth-key',
    FILE_URL_SIGNING_KEY: 'bench-file-url-signing-key-0123456789abcdef',
  });
  const gateway = buildApp({ ...config, upstream: config.upstream! });
  const graphqlUrl = `${await gateway.start(0, '127.0.0.1')}/graphql`;
  const token = await userToken(url, applicationId);

  // Warm up: first-use allocations (sockets, JIT, parsers) are not the upload's.
  await clientUpload(graphqlUrl, token, MB);

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
    const size = await clientUpload(graphqlUrl, token, megabytes * MB);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);

    const growth = (key: keyof NodeJS.MemoryUsage) => ((peak[key] - before[key]) / MB).toFixed(1);
    console.log(
      `gateway ${live ? 'live peak' : 'peak     '} growth while streaming ${size / MB} MB in ${seconds.toFixed(2)} s: ` +
        `rss ${growth('rss')} MB, heapUsed ${growth('heapUsed')} MB, arrayBuffers ${growth('arrayBuffers')} MB`,
    );
  }
  await gateway.stop();
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  await rm(dataDir, { recursive: true, force: true });
}

/** Runs the client in a child process (its buffers are not the gateway's); the stored size. */
async function clientUpload(graphqlUrl: string, token: string, size: number): Promise<number> {
  const client = spawn(process.execPath, [process.argv[1]!, '--client', graphqlUrl, token, String(size)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  client.stdout.on('data', (chunk: Buffer) => {
    out += chunk;
  });
  const [code] = (await once(client, 'exit')) as [number];
  const answer = JSON.parse(out || '{}');
  const result = answer.data?.uploadFile;
  if (code !== 0 || result?.__typename !== 'UploadFileSuccess') {
    throw new Error(`upload failed: ${JSON.stringify(answer)}`);
  }
  return result.file.size;
}

/** Bytes made as they are pulled: one chunk at a time. */
async function* chunks(size: number): AsyncGenerator<Uint8Array> {
  const chunk = new Uint8Array(CHUNK_BYTES).fill(0x61);
  for (let produced = 0; produced < size; produced += CHUNK_BYTES) {
    yield chunk.slice(0, Math.min(CHUNK_BYTES, size - produced));
  }
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
