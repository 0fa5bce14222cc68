import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshDataDir, type RunningLocalService } from '../support/local-service.ts';
import { errorCode, type GatewayOver, gatewayOver } from './gateway-over.ts';
import { freePort } from './redis-server.ts';

// The real local users service as the upstream, in its own process: SIGKILLed under a running
// gateway, then started again on the same port and store. The gateway answers
// UPSTREAM_UNAVAILABLE (fast once the breaker is open), never crashes, and recovers by itself.

const APP = { id: 1, authKey: 'fault-suite-auth-key', authSecret: 'fault-suite-auth-secret' };
const HALF_OPEN_MS = 500;
const ME = '{ me { login } }';

describe('the upstream killed and restarted', () => {
  let service: ChildProcess | undefined;
  let dataDir: string;
  let port: number;
  let gateway: GatewayOver;

  async function startService() {
    const child = spawn(process.execPath, ['src/local-service/main.ts'], {
      cwd: new URL('../../', import.meta.url),
      env: {
        PATH: process.env.PATH,
        LOCAL_SERVICE_PORT: String(port),
        DATA_DIR: dataDir,
        LOCAL_APP_ID: String(APP.id),
        LOCAL_AUTH_KEY: APP.authKey,
        LOCAL_AUTH_SECRET: APP.authSecret,
        LOG_LEVEL: 'warn',
      },
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    await vi.waitFor(() => expect(output).toContain('local users service ready at'), {
      timeout: 60_000,
      interval: 100,
    });
    service = child;
  }

  beforeAll(async () => {
    dataDir = await freshDataDir();
    port = await freePort();
    await startService();
    const local = { application: APP } as RunningLocalService;
    gateway = await gatewayOver(`http://127.0.0.1:${port}`, local, {
      UPSTREAM_BREAKER_THRESHOLD: '2',
      UPSTREAM_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
    });
  }, 90_000);
  afterAll(async () => {
    await gateway?.close();
    service?.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('fails fast while it is down and recovers once it is back, the session intact', async () => {
    const signUp = await gateway.gql(
      'mutation { signUp(input: { login: "restart_user", email: "restart@example.test", password: "correct horse battery", logIn: true }) { ... on SignUpSuccess { session { token } } } }',
    );
    const token: string = signUp.data.signUp.session.token;
    expect((await gateway.gql(ME, token)).data).toEqual({ me: { login: 'restart_user' } });

    const killed = service;
    const gone = new Promise((resolve) => killed?.once('exit', resolve));
    killed?.kill('SIGKILL');
    await gone;

    for (let i = 0; i < 2; i++) expect(errorCode(await gateway.gql(ME, token))).toBe('UPSTREAM_UNAVAILABLE');
    expect(gateway.app.deps.client.breaker.state).toBe('open');
    expect(await gateway.readyz()).toMatchObject({ status: 503, body: { upstream: 'circuit-open' } });
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);

    await startService();
    await expect
      .poll(async () => (await gateway.gql(ME, token)).data, { timeout: 15_000, interval: 250 })
      .toEqual({ me: { login: 'restart_user' } });
    expect(await gateway.readyz()).toMatchObject({ status: 200 });
  }, 120_000);
});
