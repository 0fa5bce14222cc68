import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { type EventLog, expectEndsOnceWith, sseSubscribe, wsConnect } from '../support/session-clients.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

/**
 * `sessionEvents` end to end: a real graphql-ws client and a real SSE client against a
 * gateway whose upstream (the local service) expires sessions 4 s after their last use.
 */

const TTL_SECONDS = 4;
const LEAD_SECONDS = 2;
/**
 * EXPIRED must come no earlier than the upstream's real expiry (a call right after it fails)
 * and at most this long after the announced expiry: `CB-Token-ExpirationDate` has whole
 * seconds, so the gateway waits out the rest of that second, plus delivery.
 */
const EXPIRED_TOLERANCE_MS = 500;

let gw: RunningGateway;
let userCount = 0;

beforeAll(async () => {
  gw = await startGateway({
    local: { sessionTtlSeconds: TTL_SECONDS },
    env: { SESSION_EXPIRING_LEAD_SECONDS: String(LEAD_SECONDS), SESSION_EXTENDED_THROTTLE_SECONDS: '1' },
  });
});
afterAll(() => gw?.close());

async function newUser(): Promise<string> {
  const name = `events_${++userCount}`;
  await insertUser(gw.local, name);
  return name;
}

async function login(name: string): Promise<{ token: string; databaseId: number; expiresAt: string }> {
  const res = await gw.gql(
    `mutation($input: LoginInput!) { login(input: $input) { __typename ... on LoginSuccess { session { token databaseId expiresAt } } } }`,
    { input: { login: name, password: PASSWORD } },
  );
  expect(res.data?.login.__typename).toBe('LoginSuccess');
  return res.data.login.session;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function meCode(token: string): Promise<string | undefined> {
  const me = await gw.gql('{ me { id } }', {}, { token });
  return me.errors?.[0]?.extensions?.code;
}

async function checkLifecycle(log: EventLog, token: string) {
  const first = await log.waitFor('EXTENDED');
  expect(log.events[0]?.type).toBe('EXTENDED');
  // The header has whole seconds: activity in the login's second would not move the expiry.
  await sleep(1_200);
  expect(await meCode(token)).toBeUndefined();
  await vi_waitForCount(log, 2);
  const extended = log.events[1];
  expect(extended?.type).toBe('EXTENDED');
  expect(Date.parse(extended?.expiresAt as string)).toBeGreaterThan(Date.parse(first.expiresAt as string));

  const announced = Date.parse(extended?.expiresAt as string);
  const expiring = await log.waitFor('EXPIRING', 8_000);
  expect(expiring.receivedAt).toBeGreaterThanOrEqual(announced - LEAD_SECONDS * 1000 - 50);
  expect(expiring.receivedAt).toBeLessThanOrEqual(announced - LEAD_SECONDS * 1000 + EXPIRED_TOLERANCE_MS);

  const expired = await log.waitFor('EXPIRED', 8_000);
  // Never early: the upstream already rejects the token when EXPIRED arrives.
  expect(await meCode(token)).toBe('SESSION_EXPIRED');
  expect(expired.receivedAt).toBeGreaterThanOrEqual(announced - 1_000);
  expect(expired.receivedAt).toBeLessThanOrEqual(announced + EXPIRED_TOLERANCE_MS);
  await log.waitForCompletion();
  expect(log.types()).toEqual(['EXTENDED', 'EXTENDED', 'EXPIRING', 'EXPIRED']);
  expect(log.errors).toEqual([]);
}

async function vi_waitForCount(log: EventLog, count: number) {
  const deadline = Date.now() + 5_000;
  while (log.events.length < count && Date.now() < deadline) await sleep(10);
  expect(log.events.length).toBeGreaterThanOrEqual(count);
}

describe('sessionEvents over the session lifetime', () => {
  it('graphql-ws: current state, EXTENDED on activity, EXPIRING, EXPIRED at the real expiry; then the socket closes', async () => {
    const { token } = await login(await newUser());
    const ws = wsConnect(gw.url, { authorization: `Bearer ${token}` });
    try {
      const log = ws.subscribe();
      await checkLifecycle(log, token);
      expect(await ws.waitForClose()).toEqual({ code: 4403, reason: 'SESSION_EXPIRED: session expired' });
    } finally {
      await ws.dispose();
    }
  });

  it('SSE: the same sequence, and the stream completes after EXPIRED', async () => {
    const { token } = await login(await newUser());
    const log = sseSubscribe(gw.url, token);
    await checkLifecycle(log, token);
  });
});

describe('sessionEvents from mutations', () => {
  it('logout: LOGGED_OUT, and the socket stays open (the token is an application session)', async () => {
    const { token } = await login(await newUser());
    const ws = wsConnect(gw.url, { token });
    try {
      const log = ws.subscribe();
      await log.waitFor('EXTENDED');
      const res = await gw.gql('mutation { logout { __typename } }', {}, { token });
      expect(res.data.logout.__typename).toBe('LogoutSuccess');
      await log.waitFor('LOGGED_OUT');
      await log.waitForCompletion();
      expectEndsOnceWith(log, 'LOGGED_OUT');
      const after = await ws.client.iterate({ query: '{ session { kind } }' }).next();
      expect(after.value?.data).toEqual({ session: { kind: 'APPLICATION' } });
      expect(ws.closed()).toBeUndefined();
    } finally {
      await ws.dispose();
    }
  });

  it('destroySession: DESTROYED for the current token (and its socket closes) or another by id', async () => {
    const name = await newUser();
    const a = await login(name);
    const b = await login(name);
    const ws = wsConnect(gw.url, { authorization: `Bearer ${a.token}` });
    try {
      const onA = ws.subscribe();
      const onB = sseSubscribe(gw.url, b.token);
      await onA.waitFor('EXTENDED');
      await onB.waitFor('EXTENDED');
      const byId = await gw.gql(
        'mutation($id: ID!) { destroySession(input: { id: $id }) { __typename } }',
        { id: encodeGlobalID('Session', b.databaseId) },
        { token: a.token },
      );
      expect(byId.data.destroySession.__typename).toBe('DestroySessionSuccess');
      await onB.waitFor('DESTROYED');
      await onB.waitForCompletion();
      expectEndsOnceWith(onB, 'DESTROYED');

      const current = await gw.gql('mutation { destroySession { __typename } }', {}, { token: a.token });
      expect(current.data.destroySession.__typename).toBe('DestroySessionSuccess');
      await onA.waitFor('DESTROYED');
      await onA.waitForCompletion();
      expectEndsOnceWith(onA, 'DESTROYED');
      expect(await ws.waitForClose()).toEqual({ code: 4403, reason: 'SESSION_EXPIRED: session destroyed' });
    } finally {
      await ws.dispose();
    }
  });

  it('destroyOtherSessions: DESTROYED for the other tokens, nothing for the caller', async () => {
    const name = await newUser();
    const keep = await login(name);
    const other1 = await login(name);
    const other2 = await login(name);
    const onKeep = sseSubscribe(gw.url, keep.token);
    const on1 = sseSubscribe(gw.url, other1.token);
    const ws = wsConnect(gw.url, { token: other2.token });
    try {
      const on2 = ws.subscribe();
      for (const log of [onKeep, on1, on2]) await log.waitFor('EXTENDED');
      const res = await gw.gql('mutation { destroyOtherSessions { __typename } }', {}, { token: keep.token });
      expect(res.data.destroyOtherSessions.__typename).toBe('DestroyOtherSessionsSuccess');
      for (const log of [on1, on2]) {
        await log.waitForCompletion();
        expectEndsOnceWith(log, 'DESTROYED');
      }
      await sleep(200);
      expect(onKeep.types().filter((t) => t !== 'EXTENDED')).toEqual([]);
      expect(onKeep.completed()).toBe(false);
      expect(await meCode(other1.token)).toBe('SESSION_EXPIRED');
    } finally {
      onKeep.stop();
      await ws.dispose();
    }
  });

  it('deleteMe: DESTROYED for every token of the user', async () => {
    const name = await newUser();
    const a = await login(name);
    const b = await login(name);
    const onA = sseSubscribe(gw.url, a.token);
    const onB = sseSubscribe(gw.url, b.token);
    await onA.waitFor('EXTENDED');
    await onB.waitFor('EXTENDED');
    const res = await gw.gql('mutation { deleteMe { __typename } }', {}, { token: a.token });
    expect(res.data.deleteMe.__typename).toBe('DeleteMeSuccess');
    for (const log of [onA, onB]) {
      await log.waitForCompletion();
      expectEndsOnceWith(log, 'DESTROYED');
    }
  });

  it('an upstream 401 "Required session does not exist" answers EXPIRED at once', async () => {
    const { token } = await login(await newUser());
    const log = sseSubscribe(gw.url, token);
    await log.waitFor('EXTENDED');
    // Destroyed behind the gateway's back: the next call through the gateway learns it.
    const upstream = await fetch(`${gw.local.url}/session`, { method: 'DELETE', headers: { 'CB-Token': token } });
    expect(upstream.status).toBe(200);
    expect(await meCode(token)).toBe('SESSION_EXPIRED');
    await log.waitForCompletion(2_000);
    expect(log.types()).toEqual(['EXTENDED', 'EXPIRED']);
  });
});

describe('rejected tokens', () => {
  it('closes the socket with 4401 and a reason without a token', async () => {
    const ws = wsConnect(gw.url, {});
    expect(await ws.waitForClose()).toEqual({
      code: 4401,
      reason:
        'UNAUTHENTICATED: send the token as connectionParams.authorization ("Bearer <token>") or connectionParams.token',
    });
    await ws.dispose();
  });

  it('closes the socket with 4403 and a reason for an unknown or expired token', async () => {
    const ws = wsConnect(gw.url, { authorization: 'Bearer 0123456789abcdef0123456789abcdef01234567' });
    expect(await ws.waitForClose()).toEqual({
      code: 4403,
      reason: 'SESSION_EXPIRED: session token expired or unknown',
    });
    await ws.dispose();
  });

  it('over SSE an unknown token gets EXPIRED and the stream completes; no token is UNAUTHENTICATED', async () => {
    const unknown = sseSubscribe(gw.url, '0123456789abcdef0123456789abcdef01234567');
    await unknown.waitForCompletion();
    expect(unknown.types()).toEqual(['EXPIRED']);
    const none = sseSubscribe(gw.url, null);
    await none.waitForCompletion();
    expect(none.events).toEqual([]);
    expect(none.errors).toMatchObject([{ extensions: { code: 'UNAUTHENTICATED' } }]);
  });
});

describe('session settings', () => {
  const base = { UPSTREAM_URL: 'http://127.0.0.1:9', CUBE_APPLICATION_ID: '1', CUBE_AUTH_KEY: 'key' };

  it('REDIS_URL needs a SESSION_TOKEN_HASH_KEY of 16+ characters', () => {
    expect(() => loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/SESSION_TOKEN_HASH_KEY/);
    expect(() => loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379', SESSION_TOKEN_HASH_KEY: 'short' })).toThrow(
      ConfigError,
    );
    const config = loadConfig({
      ...base,
      REDIS_URL: 'redis://127.0.0.1:6379',
      SESSION_TOKEN_HASH_KEY: 'a-shared-secret-of-32-characters',
      REDIS_KEY_PREFIX: 'blue:',
      SESSION_EXTENDED_THROTTLE_SECONDS: '5',
    });
    expect(config).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      redisKeyPrefix: 'blue:',
      sessionExtendedThrottleSeconds: 5,
      sessionExpiringLeadSeconds: 300,
    });
  });

  it('without Redis no key is needed and the throttle defaults to 60 s', () => {
    expect(loadConfig(base)).toMatchObject({ redisUrl: undefined, sessionExtendedThrottleSeconds: 60 });
  });
});
