import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { type RestClient, restClient, sessionsFor } from '../support/rest-client.ts';
import { userWithToken as storedUserWithToken, type UserFields } from '../support/users.ts';

const PASSWORD = 'permission-pw';
const FAILED_LOGIN_LIMIT = 3;
const NEED_USER = { errors: { base: ['Forbidden. Need user.'] } };
const NOT_YOURS = { errors: { base: ['You can change only your own account'] } };
const TOKEN_REQUIRED = { errors: { base: ['Token is required'] } };
const NO_SESSION = { errors: { base: ['Required session does not exist'] } };

let local: RunningLocalService;
let api: RestClient;
let sessions: ReturnType<typeof sessionsFor>;
let appToken: string;

beforeAll(async () => {
  local = await startLocalService({ failedLoginLimit: FAILED_LOGIN_LIMIT });
  api = restClient(local.url);
  sessions = sessionsFor(api, local.application);
  appToken = await sessions.applicationToken();
});
afterAll(() => local.close());

const userWithToken = (service: RunningLocalService, login: string, fields: UserFields = {}) =>
  storedUserWithToken(service, login, { password: PASSWORD, email: null, ...fields });

const login = (login: string, password: string) =>
  api.post('/session', {
    json: { application_id: local.application.id, auth_key: local.application.authKey, user: { login, password } },
  });

describe('application tokens read, never write', () => {
  it('reads users and its session', async () => {
    const { user } = await userWithToken(local, 'readable');
    expect((await api.get(`/users/${user.id}`, { token: appToken })).status).toBe(200);
    expect((await api.get('/users/v2', { token: appToken, query: { login: 'readable' } })).status).toBe(200);
    expect((await api.get('/session', { token: appToken })).status).toBe(200);
  });

  it('is refused every write with 403 "Forbidden. Need user."', async () => {
    const { user } = await userWithToken(local, 'unwritable', { external_id: 'ext-unwritable' });
    const writes = [
      api.put(`/users/${user.id}`, { token: appToken, json: { user: { full_name: 'x' } } }),
      api.delete(`/users/${user.id}`, { token: appToken }),
      api.delete('/users/external/ext-unwritable', { token: appToken }),
      api.delete('/session/list', { token: appToken }),
    ];
    for (const response of await Promise.all(writes)) {
      expect(response.status).toBe(403);
      expect(response.body).toEqual(NEED_USER);
    }
    expect(await local.service.deps.users.findById(local.application.id, user.id)).toMatchObject({ full_name: null });
  });
});

describe('users write only their own data', () => {
  it("is refused another user's update and deletion with 403, and may read the other user", async () => {
    const [{ user: victim }, { token }] = await Promise.all([
      userWithToken(local, 'victim', { external_id: 'ext-victim' }),
      userWithToken(local, 'attacker'),
    ]);
    const attempts = await Promise.all([
      api.put(`/users/${victim.id}`, { token, json: { user: { full_name: 'Owned' } } }),
      api.put(`/users/${victim.id}`, { token, json: { user: { password: 'taken-over-1', old_password: PASSWORD } } }),
      api.delete(`/users/${victim.id}`, { token }),
      api.delete('/users/external/ext-victim', { token }),
    ]);
    for (const response of attempts) {
      expect(response.status).toBe(403);
      expect(response.body).toEqual(NOT_YOURS);
    }
    const read = await api.get(`/users/${victim.id}`, { token });
    expect(read.status).toBe(200);
    expect(read.body.user).toMatchObject({ id: victim.id, full_name: null });
    expect((await login('victim', PASSWORD)).status).toBe(201);
  });

  it('kills every session of a deleted account', async () => {
    const { user, token } = await userWithToken(local, 'doomed');
    const other = await sessions.userToken('doomed', PASSWORD);
    expect((await api.delete(`/users/${user.id}`, { token })).status).toBe(200);
    for (const dead of [token, other]) {
      const response = await api.get('/users/v2', { token: dead, query: { login: 'doomed' } });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(NO_SESSION);
    }
    const rows = await local.service.deps.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', user.id)
      .execute();
    expect(rows).toEqual([]);
  });
});

describe('missing and unknown tokens', () => {
  it('answers 401 "Token is required" without a token', async () => {
    const responses = await Promise.all([
      api.get('/users/v2', { query: { login: 'x' } }),
      api.get('/users/1'),
      api.put('/users/1', { json: { user: { full_name: 'x' } } }),
      api.delete('/users/1'),
      api.post('/users/password/reset', { json: { email: 'x@example.test' } }),
      api.get('/session'),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual(TOKEN_REQUIRED);
    }
  });

  it('answers 401 "Required session does not exist" to an unknown token', async () => {
    const token = '0123456789abcdef0123456789abcdef01234567';
    const responses = await Promise.all([
      api.get('/users/v2', { token, query: { login: 'x' } }),
      api.put('/users/1', { token, json: { user: { full_name: 'x' } } }),
      api.post('/users', { token, json: { user: { login: 'sneaky', password: 'sneaky-password' } } }),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual(NO_SESSION);
      expect(response.headers.get('cb-token-expirationdate')).toBeNull();
    }
  });
});

describe('failed logins', () => {
  it('answers 429 after repeated failures for one login, even to the right password, and not for others', async () => {
    await Promise.all([userWithToken(local, 'hammered'), userWithToken(local, 'bystander')]);
    for (let n = 0; n < FAILED_LOGIN_LIMIT; n += 1) {
      const wrong = await login('hammered', `wrong-${n}-password`);
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ errors: { base: ['Unauthorized'] } });
    }
    const blocked = await login('hammered', `wrong-again`);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual({ errors: { base: ['Too many requests. Try again later.'] } });
    const right = await login('HAMMERED', PASSWORD);
    expect(right.status).toBe(429);
    expect(right.body).toEqual({ errors: { base: ['Too many requests. Try again later.'] } });

    expect((await login('bystander', PASSWORD)).status).toBe(201);
  });
});

describe('session lifetime', () => {
  let shortLived: RunningLocalService;
  beforeAll(async () => {
    shortLived = await startLocalService({ sessionTtlSeconds: 1 });
  });
  afterAll(() => shortLived.close());

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const expiresAt = (header: string | null) => Date.parse(`${header?.replace(' UTC', 'Z').replace(' ', 'T')}`);

  it('slides with each request, moving CB-Token-ExpirationDate, and ends after a quiet TTL', async () => {
    const shortApi = restClient(shortLived.url);
    const { token } = await userWithToken(shortLived, 'slider');
    const first = await shortApi.get('/session', { token });
    expect(first.status).toBe(200);
    const firstExpiry = expiresAt(first.headers.get('cb-token-expirationdate'));
    expect(firstExpiry).toBeGreaterThan(Date.now() - 1000);

    // Two requests 0.6 s apart keep the 1 s token alive past its first expiry.
    await sleep(600);
    expect((await shortApi.get('/session', { token })).status).toBe(200);
    await sleep(600);
    const later = await shortApi.get('/users/v2', { token, query: { login: 'slider' } });
    expect(later.status).toBe(200);
    expect(Date.now()).toBeGreaterThan(firstExpiry);
    expect(expiresAt(later.headers.get('cb-token-expirationdate'))).toBeGreaterThan(firstExpiry);

    await sleep(1100);
    const expired = await shortApi.get('/session', { token });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(NO_SESSION);
  });
});
