import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, redisUrl, reportRedisSkip } from '../sessions/support.ts';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { sseSubscribe, wsConnect } from '../support/session-clients.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

/**
 * Two real gateway processes (`node src/main.ts`) on one real Redis and one upstream. The
 * subscriber sits on one; the session is created and used on the other, which is then
 * killed with SIGKILL: the survivor still delivers EXPIRING and EXPIRED, each once.
 */

const TTL_SECONDS = 4;
const LEAD_SECONDS = 2;

reportRedisSkip('gateway processes sharing session events (redis)');

interface GatewayProcess {
  url: string;
  child: ChildProcess;
  gql(query: string, variables?: Record<string, unknown>, token?: string): Promise<any>;
}

describe.runIf(redisUrl)('sessionEvents across two gateway processes (Redis)', () => {
  const keyPrefix = `test-processes:${randomUUID()}:`;
  const children: ChildProcess[] = [];
  let local: RunningLocalService;

  beforeAll(async () => {
    local = await startLocalService({ sessionTtlSeconds: TTL_SECONDS });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await local?.close();
    await deleteKeys(keyPrefix);
  });

  const hashKey = randomBytes(24).toString('hex');

  async function startProcess(): Promise<GatewayProcess> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: '0',
      UPSTREAM_URL: local.url,
      CUBE_APPLICATION_ID: String(local.application.id),
      CUBE_AUTH_KEY: local.application.authKey,
      REDIS_URL: redisUrl,
      SESSION_TOKEN_HASH_KEY: hashKey,
      REDIS_KEY_PREFIX: keyPrefix,
      SESSION_EXPIRING_LEAD_SECONDS: String(LEAD_SECONDS),
      SESSION_EXTENDED_THROTTLE_SECONDS: '1',
    };
    const child = spawn(process.execPath, ['src/main.ts'], { cwd: new URL('../../', import.meta.url), env });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    await expect.poll(() => output, { timeout: 60_000, interval: 100 }).toMatch(/cube-gateway ready at http:\/\/\S+/);
    const url = /cube-gateway ready at (http:\/\/[^\s]+)/.exec(output)?.[1] ?? '';
    return {
      url,
      child,
      async gql(query, variables = {}, token) {
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
          body: JSON.stringify({ query, variables }),
        });
        return res.json();
      },
    };
  }

  /** A new user, logged in through the given process. */
  async function newUserToken(gateway: GatewayProcess, login: string): Promise<string> {
    await insertUser(local, login);
    const res = await gateway.gql(
      'mutation($input: LoginInput!) { login(input: $input) { ... on LoginSuccess { session { token } } } }',
      { input: { login, password: PASSWORD } },
    );
    return res.data.login.session.token;
  }

  it('a SIGKILLed instance leaves its scheduled EXPIRING/EXPIRED to the survivor, delivered once', async () => {
    const [survivor, doomed] = await Promise.all([startProcess(), startProcess()]);
    const token = await newUserToken(doomed, 'two_processes');

    const ws = wsConnect(survivor.url, { token });
    const overWs = ws.subscribe();
    const overSse = sseSubscribe(survivor.url, token);
    await overWs.waitFor('EXTENDED');
    await overSse.waitFor('EXTENDED');

    // The last activity happens on the process about to die; the survivor learns of it
    // through Redis (EXTENDED), then must fire the schedule that process set.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await doomed.gql('{ me { login } }', {}, token)).data.me.login).toBe('two_processes');
    for (const log of [overWs, overSse]) await expect.poll(() => log.events.length, { timeout: 3_000 }).toBe(2);
    doomed.child.kill('SIGKILL');

    for (const log of [overWs, overSse]) {
      await log.waitForCompletion(15_000);
      expect(log.types()).toEqual(['EXTENDED', 'EXTENDED', 'EXPIRING', 'EXPIRED']);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(overWs.types()).toHaveLength(4);
    expect(overSse.types()).toHaveLength(4);
    const after = await survivor.gql('{ me { login } }', {}, token);
    expect(after.errors?.[0]?.extensions?.code).toBe('SESSION_EXPIRED');
    await ws.dispose();
  });

  it('a logout on one process reaches a subscriber on the other once', async () => {
    const [first, second] = await Promise.all([startProcess(), startProcess()]);
    const token = await newUserToken(first, 'logout_across');
    const events = sseSubscribe(second.url, token);
    await events.waitFor('EXTENDED');
    const logout = await first.gql('mutation { logout { __typename } }', {}, token);
    expect(logout.data.logout.__typename).toBe('LogoutSuccess');
    await events.waitForCompletion(10_000);
    expect(events.types().filter((type) => type !== 'EXTENDED')).toEqual(['LOGGED_OUT']);
  });
});
