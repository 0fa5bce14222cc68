import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What a new operator hits first: a busy port, a malformed or unreachable DATABASE_URL, a
// production start with no upstream. Both real processes (`npm start` = src/main.ts, `npm
// run local-service` = src/local-service/main.ts) must end with exit code 1 and exactly one
// stderr line that names the setting: no stack trace, no password.

const root = new URL('../../', import.meta.url);
const SETTINGS = [
  'UPSTREAM_URL',
  'CUBE_APPLICATION_ID',
  'CUBE_AUTH_KEY',
  'CUBE_AUTH_SECRET',
  'DATABASE_URL',
  'REDIS_URL',
  'NODE_ENV',
  'LOCAL_SERVICE_EMBEDDED',
  'FILE_URL_SIGNING_KEY',
  'HOST',
  'PORT',
  'LOCAL_SERVICE_PORT',
  'LOCAL_SERVICE_HOST',
];

let dataDir: string;
let busy: Server;
let busyPort: number;
/** A port nothing listens on: connections to it are refused at once. */
let closedPort: number;
beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  dataDir = await mkdtemp(join(tmpdir(), 'cube-startup-'));
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

async function run(entry: string, vars: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  // A store of its own each time: a process killed mid-start must not spoil the next one's.
  const store = await mkdtemp(join(dataDir, 'run-'));
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'error', DATA_DIR: store };
  for (const name of SETTINGS) delete env[name];
  Object.assign(env, vars);
  const child = spawn(process.execPath, [entry], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stderr };
}

/** Exit 1 and a single line: the setting's name first, no stack frame. */
function expectOneLine(result: { code: number | null; stderr: string }, setting: string): string {
  expect(result.code).toBe(1);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(lines[0]).toContain(setting);
  return lines[0] ?? '';
}

const GATEWAY = 'src/main.ts';
const LOCAL = 'src/local-service/main.ts';

describe('a busy port', () => {
  it('the gateway names PORT', async () => {
    const line = expectOneLine(
      await run(GATEWAY, { PORT: String(busyPort), HOST: '127.0.0.1', LOCAL_SERVICE_PORT: '0' }),
      'PORT',
    );
    expect(line).toMatch(new RegExp(`^PORT: port ${busyPort} is already in use`));
  }, 150_000);

  it("the gateway's embedded local service names LOCAL_SERVICE_PORT", async () => {
    const line = expectOneLine(
      await run(GATEWAY, { PORT: '0', LOCAL_SERVICE_PORT: String(busyPort) }),
      'LOCAL_SERVICE_PORT',
    );
    expect(line).toMatch(new RegExp(`^LOCAL_SERVICE_PORT: port ${busyPort} is already in use`));
  }, 150_000);

  it('the local service names LOCAL_SERVICE_PORT', async () => {
    const line = expectOneLine(
      await run(LOCAL, { LOCAL_SERVICE_PORT: String(busyPort), LOCAL_SERVICE_HOST: '127.0.0.1' }),
      'LOCAL_SERVICE_PORT',
    );
    expect(line).toMatch(new RegExp(`^LOCAL_SERVICE_PORT: port ${busyPort} is already in use`));
  }, 150_000);
});

describe('DATABASE_URL', () => {
  for (const [name, entry] of [
    ['the gateway', GATEWAY],
    ['the local service', LOCAL],
  ] as const) {
    it(`${name}: a malformed one is named, its text never printed`, async () => {
      const line = expectOneLine(
        await run(entry, { PORT: '0', LOCAL_SERVICE_PORT: '0', DATABASE_URL: 'postgres//admin:hunter2-secret@db' }),
        'DATABASE_URL',
      );
      expect(line).toBe(
        'Invalid local service settings: DATABASE_URL: must be a PostgreSQL URL such as postgres://user:password@host:5432/database',
      );
    }, 150_000);

    it(`${name}: an unreachable server is named, the password never printed`, async () => {
      const line = expectOneLine(
        await run(entry, {
          PORT: '0',
          LOCAL_SERVICE_PORT: '0',
          DATABASE_URL: `postgres://admin:hunter2-secret@127.0.0.1:${closedPort}/db`,
        }),
        'DATABASE_URL',
      );
      expect(line).toMatch(/^DATABASE_URL: cannot use the PostgreSQL database \(/);
      expect(line).not.toContain('hunter2-secret');
    }, 150_000);
  }
});

describe('NODE_ENV=production without UPSTREAM_URL', () => {
  const production = {
    NODE_ENV: 'production',
    FILE_URL_SIGNING_KEY: 'k'.repeat(40),
    PORT: '0',
    LOCAL_SERVICE_PORT: '0',
  };

  it('refuses to start the embedded store unasked', async () => {
    const line = expectOneLine(await run(GATEWAY, production), 'UPSTREAM_URL');
    expect(line).toBe(
      'Invalid gateway settings: NODE_ENV=production needs UPSTREAM_URL (set LOCAL_SERVICE_EMBEDDED=1 to run the embedded local users service on purpose).',
    );
  }, 150_000);

  it('starts it with LOCAL_SERVICE_EMBEDDED=1 (a busy port then shows it got past the settings)', async () => {
    const result = await run(GATEWAY, {
      ...production,
      LOCAL_SERVICE_EMBEDDED: '1',
      PORT: String(busyPort),
      HOST: '127.0.0.1',
    });
    expect(expectOneLine(result, 'PORT')).toMatch(/^PORT: port \d+ is already in use/);
  }, 150_000);
});
