import { randomBytes, randomUUID } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { deleteKeys, redisUrl, reportRedisSkip } from '../sessions/support.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { expectEndsOnceWith, sseSubscribe, wsConnect } from '../support/session-clients.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

/**
 * Two gateway instances on one real Redis and one upstream: the cause happens on one, the
 * subscribers sit on the other (and on both, to show nothing is delivered twice).
 */

const TTL_SECONDS = 4;
const LEAD_SECONDS = 2;

reportRedisSkip('gateway instances sharing session events (redis)');

describe.runIf(redisUrl)('sessionEvents across two gateway instances (Redis)', () => {
  const keyPrefix = `test-gateway:${randomUUID()}:`;
  const sessionEnv = {
    REDIS_URL: redisUrl as string,
    SESSION_TOKEN_HASH_KEY: randomBytes(24).toString('hex'),
    REDIS_KEY_PREFIX: keyPrefix,
    SESSION_EXPIRING_LEAD_SECONDS: String(LEAD_SECONDS),
    SESSION_EXTENDED_THROTTLE_SECONDS: '1',
  };
  /** Subscribers connect here; it also owns the local service. */
  let sub: RunningGateway;
  let userCount = 0;

  beforeAll(async () => {
    sub = await startGateway({ local: { sessionTtlSeconds: TTL_SECONDS }, env: sessionEnv });
  });
  afterAll(async () => {
    await sub?.close();
    await deleteKeys(keyPrefix);
  });

  /** The instance where causes happen, on the same upstream and Redis. */
  async function causeInstance(): Promise<{ app: GatewayApp; url: string; gql: typeof sub.gql }> {
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      UPSTREAM_URL: sub.local.url,
      CUBE_APPLICATION_ID: String(sub.local.application.id),
      CUBE_AUTH_KEY: sub.local.application.authKey,
      CUBE_AUTH_SECRET: sub.local.application.authSecret,
      UPSTREAM_RETRIES: '0',
      ...sessionEnv,
    });
    if (!config.upstream) throw new Error('unreachable: UPSTREAM_URL is set');
    const app = buildApp({ ...config, upstream: config.upstream });
    const url = await app.start(0, '127.0.0.1');
    const gql: typeof sub.gql = async (query, variables, { token } = {}) => {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    };
    return { app, url, gql };
  }

  async function login(gql: typeof sub.gql, name: string) {
    const res = await gql(
      `mutation($input: LoginInput!) { login(input: $input) { ... on LoginSuccess { session { token databaseId } } } }`,
      { input: { login: name, password: PASSWORD } },
    );
    return res.data.login.session as { token: string; databaseId: number };
  }

  async function newUser(): Promise<string> {
    const name = `multi_${++userCount}`;
    await insertUser(sub.local, name);
    return name;
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('the instance that saw the last activity stops; the other delivers EXTENDED, EXPIRING and EXPIRED once', async () => {
    const cause = await causeInstance();
    let stopped = false;
    try {
      const { token } = await login(cause.gql, await newUser());
      const ws = wsConnect(sub.url, { token });
      const overWs = ws.subscribe();
      const overSse = sseSubscribe(sub.url, token);
      await overWs.waitFor('EXTENDED');
      await overSse.waitFor('EXTENDED');
      await sleep(1_200);
      const me = await cause.gql('{ me { id } }', {}, { token });
      expect(me.errors).toBeUndefined();
      for (const log of [overWs, overSse]) {
        await expect.poll(() => log.events.length, { timeout: 3_000 }).toBe(2);
      }
      await cause.app.stop();
      stopped = true;
      for (const log of [overWs, overSse]) {
        await log.waitForCompletion(10_000);
        expect(log.types()).toEqual(['EXTENDED', 'EXTENDED', 'EXPIRING', 'EXPIRED']);
      }
      await sleep(500);
      expect(overWs.types()).toHaveLength(4);
      expect(overSse.types()).toHaveLength(4);
      expect((await sub.gql('{ me { id } }', {}, { token })).errors?.[0]?.extensions?.code).toBe('SESSION_EXPIRED');
      await ws.dispose();
    } finally {
      if (!stopped) await cause.app.stop();
    }
  });

  it('LOGGED_OUT, DESTROYED (current, by id, others, deleteMe) and a 401 EXPIRED reach the other instance once', async () => {
    const cause = await causeInstance();
    try {
      const name = await newUser();
      const [a, b, c, d] = [
        await login(cause.gql, name),
        await login(cause.gql, name),
        await login(cause.gql, name),
        await login(cause.gql, name),
      ] as const;
      // Subscribers on both instances for `a`: each must see each event exactly once.
      const subs = {
        a: sseSubscribe(sub.url, a.token),
        aOnCause: sseSubscribe(cause.url, a.token),
        b: sseSubscribe(sub.url, b.token),
        c: sseSubscribe(sub.url, c.token),
        d: sseSubscribe(sub.url, d.token),
      };
      for (const log of Object.values(subs)) await log.waitFor('EXTENDED');

      await cause.gql('mutation { logout { __typename } }', {}, { token: a.token });
      await subs.a.waitForCompletion();
      await subs.aOnCause.waitForCompletion();
      expectEndsOnceWith(subs.a, 'LOGGED_OUT');
      expectEndsOnceWith(subs.aOnCause, 'LOGGED_OUT');

      await cause.gql(
        'mutation($id: ID!) { destroySession(input: { id: $id }) { __typename } }',
        { id: encodeGlobalID('Session', b.databaseId) },
        {
          token: c.token,
        },
      );
      await subs.b.waitForCompletion();
      expectEndsOnceWith(subs.b, 'DESTROYED');

      await cause.gql('mutation { destroyOtherSessions { __typename } }', {}, { token: c.token });
      await subs.d.waitForCompletion();
      expectEndsOnceWith(subs.d, 'DESTROYED');

      await cause.gql('mutation { deleteMe { __typename } }', {}, { token: c.token });
      await subs.c.waitForCompletion();
      expectEndsOnceWith(subs.c, 'DESTROYED');

      // 401 from the upstream on the cause instance: EXPIRED on the other at once.
      const e = await login(cause.gql, await newUser());
      const onE = sseSubscribe(sub.url, e.token);
      await onE.waitFor('EXTENDED');
      await fetch(`${sub.local.url}/session`, { method: 'DELETE', headers: { 'CB-Token': e.token } });
      const me = await cause.gql('{ me { id } }', {}, { token: e.token });
      expect(me.errors?.[0]?.extensions?.code).toBe('SESSION_EXPIRED');
      await onE.waitForCompletion(2_000);
      expectEndsOnceWith(onE, 'EXPIRED');

      await sleep(300);
      for (const log of Object.values(subs)) expect(log.types().filter((t) => t !== 'EXTENDED')).toHaveLength(1);
    } finally {
      await cause.app.stop();
    }
  });
});
