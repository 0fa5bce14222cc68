import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

// `npm start` with no UPSTREAM_URL: the local users service starts in the same process, the
// gateway is wired to it, both lines are printed, and SIGTERM ends it cleanly.

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

it('starts the local service in-process, prints the URLs and credentials, and stops on SIGTERM', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cube-start-'));
  dirs.push(dataDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    LOCAL_SERVICE_PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  for (const name of [
    'UPSTREAM_URL',
    'CUBE_APPLICATION_ID',
    'CUBE_AUTH_KEY',
    'CUBE_AUTH_SECRET',
    'DATABASE_URL',
    'REDIS_URL',
  ]) {
    delete env[name];
  }
  const child = spawn(process.execPath, ['src/main.ts'], { cwd: new URL('../../', import.meta.url), env });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  await expect.poll(() => output, { timeout: 60_000, interval: 200 }).toMatch(/cube-gateway ready at (http:\/\/\S+)/);
  const url = /cube-gateway ready at (http:\/\/[^\s]+)/.exec(output)?.[1] ?? '';
  expect(output).toMatch(/local users service ready at http:\/\/127\.0\.0\.1:\d+/);
  expect(output).toMatch(/application \d+: auth key \S+, auth secret \S+/);
  expect(output).toContain(`GraphiQL: ${url}/graphql`);

  expect((await fetch(`${url}/readyz`)).status).toBe(200);
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation { createSession { __typename } }' }),
  });
  expect(await res.json()).toEqual({ data: { createSession: { __typename: 'CreateSessionSuccess' } } });

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 90_000);

it('refuses to start with UPSTREAM_URL but no application credentials', async () => {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: new URL('../../', import.meta.url),
    env: { ...process.env, UPSTREAM_URL: 'http://127.0.0.1:9', CUBE_APPLICATION_ID: '', CUBE_AUTH_KEY: '' },
  });
  children.push(child);
  let output = '';
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  expect(code).toBe(1);
  expect(output).toContain('CUBE_APPLICATION_ID');
}, 30_000);
