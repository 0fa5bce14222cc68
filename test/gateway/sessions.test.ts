import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

const SESSION_FIELDS = 'id databaseId token kind applicationId createdAt expiresAt user { databaseId login }';
const ERROR_FIELDS = '... on Error { code message }';

let gw: RunningGateway;

beforeAll(async () => {
  gw = await startGateway({ local: { failedLoginLimit: 3 } });
  await insertUser(gw.local, 'ada');
  await insertUser(gw.local, 'grace');
});
afterAll(() => gw?.close());

async function login(loginName: string, password = PASSWORD) {
  const res = await gw.gql(
    `mutation($input: LoginInput!) { login(input: $input) { __typename ... on LoginSuccess { session { ${SESSION_FIELDS} } } ${ERROR_FIELDS} } }`,
    { input: { login: loginName, password } },
  );
  return res.data?.login;
}

async function userToken(loginName = 'ada'): Promise<string> {
  const result = await login(loginName);
  expect(result.__typename).toBe('LoginSuccess');
  return result.session.token;
}

async function appToken(): Promise<string> {
  const res = await gw.gql(`mutation { createSession { ... on CreateSessionSuccess { session { token } } } }`);
  return res.data.createSession.session.token;
}

describe('createSession', () => {
  it('answers an application session with its expiry, signed with the auth secret', async () => {
    gw.upstream.reset();
    const res = await gw.gql(
      `mutation { createSession { __typename ... on CreateSessionSuccess { session { ${SESSION_FIELDS} } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const { session } = res.data.createSession;
    expect(res.data.createSession.__typename).toBe('CreateSessionSuccess');
    expect(session).toMatchObject({ kind: 'APPLICATION', applicationId: gw.local.application.id, user: null });
    expect(session.token).toMatch(/^[0-9a-f]{40}$/);
    expect(typeof session.databaseId).toBe('number');
    expect(Date.parse(session.expiresAt) - Date.now()).toBeGreaterThan(7000 * 1000);
    expect(gw.upstream.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /session']);
  });

  it('works unsigned too (auth key alone)', async () => {
    const unsigned = await startGateway({ signed: false });
    try {
      const res = await unsigned.gql(`mutation { createSession { __typename } }`);
      expect(res.data.createSession.__typename).toBe('CreateSessionSuccess');
    } finally {
      await unsigned.close();
    }
  });
});

describe('session and me', () => {
  it('answer null without a token, without an upstream call', async () => {
    gw.upstream.reset();
    const res = await gw.gql('{ session { id } me { id } }');
    expect(res).toMatchObject({ data: { session: null, me: null } });
    expect(res.errors).toBeUndefined();
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('describe an application token: a session without a user, and me null', async () => {
    const token = await appToken();
    const res = await gw.gql('{ session { kind token user { id } expiresAt } me { id } }', {}, { token });
    expect(res.data).toMatchObject({ session: { kind: 'APPLICATION', token, user: null }, me: null });
    expect(res.data.session.expiresAt).toBeTruthy();
  });

  it('describe a user token, with one GET /session for both fields', async () => {
    const token = await userToken();
    gw.upstream.reset();
    const res = await gw.gql('{ session { kind user { login } } me { login databaseId isGuest tags } }', {}, { token });
    expect(res.data).toMatchObject({
      session: { kind: 'USER', user: { login: 'ada' } },
      me: { login: 'ada', isGuest: false, tags: [] },
    });
    expect(gw.upstream.count('GET', '/session')).toBe(1);
    expect(gw.upstream.calls).toHaveLength(1);
  });

  it('accept the token as CB-Token too', async () => {
    const token = await userToken();
    const res = await gw.gql('{ me { login } }', {}, { headers: { 'CB-Token': token } });
    expect(res.data.me.login).toBe('ada');
  });

  it('answer SESSION_EXPIRED for an unknown token', async () => {
    const res = await gw.gql('{ me { id } }', {}, { token: 'f'.repeat(40) });
    expect(res.data?.me).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('SESSION_EXPIRED');
  });
});

describe('login', () => {
  it('logs in by login or by email (any case)', async () => {
    const byLogin = await login('ada');
    expect(byLogin.session).toMatchObject({ kind: 'USER', user: { login: 'ada' } });
    const res = await gw.gql(
      `mutation { login(input: { email: "GRACE@example.test", password: "${PASSWORD}" }) { ... on LoginSuccess { session { kind user { login } } } } }`,
    );
    expect(res.data.login.session).toMatchObject({ kind: 'USER', user: { login: 'grace' } });
  });

  it('answers INVALID_CREDENTIALS for a wrong password or unknown login', async () => {
    expect(await login('grace', 'wrong password')).toMatchObject({
      __typename: 'InvalidCredentialsError',
      code: 'INVALID_CREDENTIALS',
    });
    expect(await login('nobody')).toMatchObject({ __typename: 'InvalidCredentialsError', code: 'INVALID_CREDENTIALS' });
  });

  it('answers VALIDATION_FAILED for both or neither of login and email', async () => {
    const both = await gw.gql(
      `mutation { login(input: { login: "ada", email: "ada@example.test", password: "x" }) { __typename ... on ValidationError { code fields { field messages } } } }`,
    );
    expect(both.data.login).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(both.data.login.fields[0].field).toBe('login');
    const neither = await gw.gql(`mutation { login(input: { password: "x" }) { __typename } }`);
    expect(neither.data.login.__typename).toBe('ValidationError');
  });

  it('answers RATE_LIMITED after repeated failures for one login', async () => {
    await insertUser(gw.local, 'target');
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await login('target', `wrong-${i}`)).code);
    expect(results.slice(0, 3)).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS']);
    expect(results.at(-1)).toBe('RATE_LIMITED');
  });
});

describe('loginAsGuest', () => {
  it('creates a guest user and its session', async () => {
    const res = await gw.gql(
      `mutation { loginAsGuest(input: { fullName: "Visitor" }) { __typename ... on LoginSuccess { session { kind token user { fullName isGuest login } } } } }`,
    );
    const { session } = res.data.loginAsGuest;
    expect(session).toMatchObject({ kind: 'USER', user: { fullName: 'Visitor', isGuest: true } });
    expect(session.user.login).toMatch(/^guest_login_/);
  });

  it('answers VALIDATION_FAILED for a blank name', async () => {
    const res = await gw.gql(
      `mutation { loginAsGuest(input: { fullName: "  " }) { __typename ... on ValidationError { fields { field } } } }`,
    );
    expect(res.data.loginAsGuest).toEqual({ __typename: 'ValidationError', fields: [{ field: 'fullName' }] });
  });
});

describe('logout', () => {
  it('turns the same token into an application session', async () => {
    const token = await userToken();
    const res = await gw.gql(
      `mutation { logout { __typename ... on LogoutSuccess { session { kind token user { id } } } } }`,
      {},
      { token },
    );
    expect(res.data.logout).toMatchObject({
      __typename: 'LogoutSuccess',
      session: { kind: 'APPLICATION', token, user: null },
    });
    const after = await gw.gql('{ me { id } session { kind } }', {}, { token });
    expect(after.data).toEqual({ me: null, session: { kind: 'APPLICATION' } });
  });

  it('answers UNAUTHENTICATED without a token and SESSION_EXPIRED for a dead one', async () => {
    const none = await gw.gql(`mutation { logout { __typename } }`);
    expect(none.data).toBeNull();
    expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const dead = await gw.gql(`mutation { logout { __typename } }`, {}, { token: '0'.repeat(40) });
    expect(dead.data).toBeNull();
    expect(dead.errors?.[0]?.extensions?.code).toBe('SESSION_EXPIRED');
  });
});

describe('destroySession', () => {
  it('destroys the current session', async () => {
    const token = await userToken();
    const { data } = await gw.gql('{ session { id } }', {}, { token });
    const res = await gw.gql(
      `mutation { destroySession { __typename ... on DestroySessionSuccess { destroyedSessionId } } }`,
      {},
      { token },
    );
    expect(res.data.destroySession).toEqual({
      __typename: 'DestroySessionSuccess',
      destroyedSessionId: data.session.id,
    });
    const after = await gw.gql('{ me { id } }', {}, { token });
    expect(after.errors?.[0]?.extensions?.code).toBe('SESSION_EXPIRED');
  });

  it('destroys another session of the same user by id', async () => {
    const keep = await userToken();
    const other = await userToken();
    const { data } = await gw.gql('{ session { id } }', {}, { token: other });
    const res = await gw.gql(
      `mutation($id: ID) { destroySession(input: { id: $id }) { __typename ... on DestroySessionSuccess { destroyedSessionId } } }`,
      { id: data.session.id },
      { token: keep },
    );
    expect(res.data.destroySession.destroyedSessionId).toBe(data.session.id);
    expect((await gw.gql('{ me { id } }', {}, { token: other })).errors?.[0]?.extensions?.code).toBe('SESSION_EXPIRED');
    expect((await gw.gql('{ me { login } }', {}, { token: keep })).data.me.login).toBe('ada');
  });

  it("answers NOT_FOUND (or FORBIDDEN) for a session that is not the user's", async () => {
    const mine = await userToken('ada');
    const theirs = await userToken('grace');
    const { data } = await gw.gql('{ session { id } }', {}, { token: theirs });
    const res = await gw.gql(
      `mutation($id: ID) { destroySession(input: { id: $id }) { __typename ${ERROR_FIELDS} } }`,
      { id: data.session.id },
      { token: mine },
    );
    expect(res.data.destroySession).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect((await gw.gql('{ me { login } }', {}, { token: theirs })).data.me.login).toBe('grace');
  });

  it('answers VALIDATION_FAILED for an id that is not a Session id and UNAUTHENTICATED without a token', async () => {
    const token = await userToken();
    const { data } = await gw.gql('{ me { id } }', {}, { token });
    for (const id of ['0', 'not an id', data.me.id]) {
      const bad = await gw.gql(
        `mutation($id: ID) { destroySession(input: { id: $id }) { __typename ${ERROR_FIELDS} } }`,
        { id },
        { token },
      );
      expect(bad.data.destroySession, id).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    }
    expect((await gw.gql('{ me { id } }', {}, { token })).data.me.id).toBe(data.me.id);
    const none = await gw.gql(`mutation { destroySession { __typename ${ERROR_FIELDS} } }`);
    expect(none.data).toBeNull();
    expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('destroyOtherSessions', () => {
  it('ends every other session of the user and keeps this one', async () => {
    const keep = await userToken('grace');
    const others = [await userToken('grace'), await userToken('grace')];
    const res = await gw.gql(
      `mutation { destroyOtherSessions { __typename ... on DestroyOtherSessionsSuccess { ok } } }`,
      {},
      { token: keep },
    );
    expect(res.data.destroyOtherSessions).toEqual({ __typename: 'DestroyOtherSessionsSuccess', ok: true });
    for (const token of others) {
      expect((await gw.gql('{ me { id } }', {}, { token })).errors?.[0]?.extensions?.code).toBe('SESSION_EXPIRED');
    }
    expect((await gw.gql('{ me { login } }', {}, { token: keep })).data.me.login).toBe('grace');
  });

  it('answers FORBIDDEN for an application session and UNAUTHENTICATED without a token', async () => {
    const app = await gw.gql(`mutation { destroyOtherSessions { __typename } }`, {}, { token: await appToken() });
    expect(app.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const none = await gw.gql(`mutation { destroyOtherSessions { __typename } }`);
    expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('session expiry', () => {
  it('answers SESSION_EXPIRED once the upstream lifetime has passed', async () => {
    const short = await startGateway({ local: { sessionTtlSeconds: 1 } });
    try {
      await insertUser(short.local, 'brief');
      const res = await short.gql(
        `mutation { login(input: { login: "brief", password: "${PASSWORD}" }) { ... on LoginSuccess { session { token expiresAt } } } }`,
      );
      const { token, expiresAt } = res.data.login.session;
      expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(1500);
      await new Promise((r) => setTimeout(r, 2100));
      const me = await short.gql('{ me { id } }', {}, { token });
      expect(me.errors?.[0]?.extensions?.code).toBe('SESSION_EXPIRED');
      const update = await short.gql(`mutation { destroyOtherSessions { __typename } }`, {}, { token });
      expect(update.errors?.[0]?.extensions?.code).toBe('SESSION_EXPIRED');
    } finally {
      await short.close();
    }
  });
});
