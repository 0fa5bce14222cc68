import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { type RestClient, restClient, sessionsFor } from '../support/rest-client.ts';

let local: RunningLocalService;
let api: RestClient;
let sessions: ReturnType<typeof sessionsFor>;
let appToken: string;

beforeAll(async () => {
  local = await startLocalService();
  api = restClient(local.url);
  sessions = sessionsFor(api, local.application);
  appToken = await sessions.applicationToken();
});
afterAll(() => local.close());

const signUp = (user: Record<string, unknown>, token = appToken) => api.post('/users', { token, json: { user } });

describe('POST /users', () => {
  it('creates a user with every profile field and answers 201 without any password material', async () => {
    const response = await signUp({
      login: 'Full.Profile',
      email: 'Full@Example.test',
      password: 'first-password',
      full_name: 'Full Profile',
      phone: '+1 555 0100',
      website: 'https://full.example.test/me',
      external_user_id: 77,
      external_id: 'ext-full',
      facebook_id: '9001',
      twitter_id: '9002',
      custom_data: '{"color":"blue"}',
      tag_list: ['alpha', ' beta ', 'alpha', ''],
      timezone: -300,
      avatar: 'avatar-uid',
      is_guest: true,
      id: 999_999,
    });
    expect(response.status).toBe(201);
    const user = response.body.user;
    expect(user).toMatchObject({
      login: 'Full.Profile',
      email: 'Full@Example.test',
      full_name: 'Full Profile',
      phone: '+1 555 0100',
      website: 'https://full.example.test/me',
      external_user_id: 77,
      external_id: 'ext-full',
      facebook_id: '9001',
      twitter_id: '9002',
      custom_data: '{"color":"blue"}',
      user_tags: 'alpha,beta',
      timezone: -300,
      avatar: 'avatar-uid',
      is_guest: false,
    });
    expect(user.id).not.toBe(999_999);
    expect(user.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const raw = JSON.stringify(response.body);
    expect(raw).not.toContain('first-password');
    expect(raw).not.toContain('scrypt');
    expect(Object.keys(user)).not.toContain('password');

    const stored = await local.service.deps.users.findById(local.application.id, user.id);
    expect(stored?.password_hash).toMatch(/^scrypt\$/);
    expect(stored?.password_hash).not.toContain('first-password');
    // The new user can log in with the password, by login or by email, in any letter case.
    await expect(sessions.userToken('full.profile', 'first-password')).resolves.toMatch(/^[0-9a-f]{40}$/);
    const byEmail = await api.post('/session', {
      json: {
        application_id: local.application.id,
        auth_key: local.application.authKey,
        user: { email: 'full@example.test', password: 'first-password' },
      },
    });
    expect(byEmail.status).toBe(201);
  });

  it('accepts a form-encoded body with a comma-separated tag list and the .json suffix', async () => {
    const response = await api.post('/users.json', {
      token: appToken,
      form: { user: { login: 'form_user', password: 'form-password', tag_list: 'one, two ,three', timezone: '60' } },
    });
    expect(response.status).toBe(201);
    expect(response.body.user).toMatchObject({
      login: 'form_user',
      email: null,
      user_tags: 'one,two,three',
      timezone: 60,
    });
  });

  it('signs up by email alone, and turns an object custom_data into its JSON text', async () => {
    const response = await signUp({
      email: 'only-email@example.test',
      password: 'only-email-pw',
      custom_data: { a: 1 },
    });
    expect(response.status).toBe(201);
    expect(response.body.user).toMatchObject({ login: null, email: 'only-email@example.test', custom_data: '{"a":1}' });
  });

  it('takes the CB-AuthKey header instead of a token, and a user token as well as an application one', async () => {
    const withKey = await api.post('/users', {
      headers: { 'CB-AuthKey': local.application.authKey },
      json: { user: { login: 'by_auth_key', password: 'auth-key-pw' } },
    });
    expect(withKey.status).toBe(201);
    expect(withKey.headers.get('cb-token-expirationdate')).toBeNull();

    const userToken = await sessions.userToken('by_auth_key', 'auth-key-pw');
    const withUserToken = await signUp({ login: 'by_user_token', password: 'user-token-pw' }, userToken);
    expect(withUserToken.status).toBe(201);
    expect(withUserToken.headers.get('cb-token-expirationdate')).toMatch(/ UTC$/);
  });

  it('refuses a request with neither token nor auth key, an unknown auth key, or a dead token', async () => {
    const user = { user: { login: 'nobody_here', password: 'nobody-pw-1' } };
    const none = await api.post('/users', { json: user });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ errors: { base: ['Token is required'] } });

    const wrongKey = await api.post('/users', { headers: { 'CB-AuthKey': 'not-the-key' }, json: user });
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body).toEqual({ errors: { base: ['Unknown application or auth key'] } });

    const deadToken = await api.post('/users', { token: 'f'.repeat(40), json: user });
    expect(deadToken.status).toBe(401);
    expect(deadToken.body).toEqual({ errors: { base: ['Required session does not exist'] } });

    const lookup = await local.service.deps.users.findByLoginOrEmail(local.application.id, 'login', 'nobody_here');
    expect(lookup).toBeUndefined();
  });
});

describe('POST /users validation (422, per field)', () => {
  beforeAll(async () => {
    const taken = await signUp({
      login: 'Taken_Login',
      email: 'Taken@Example.test',
      password: 'taken-password',
      external_id: 'taken-ext',
      facebook_id: 'taken-fb',
      twitter_id: 'taken-tw',
    });
    expect(taken.status).toBe(201);
  });

  const ok = { login: 'fresh_login', password: 'fresh-password' };
  const cases: [string, Record<string, unknown>, Record<string, string[]>][] = [
    [
      'a duplicate login, in another letter case',
      { ...ok, login: 'taken_LOGIN' },
      { login: ['has already been taken'] },
    ],
    [
      'a duplicate email, in another letter case',
      { ...ok, email: 'taken@example.TEST' },
      { email: ['has already been taken'] },
    ],
    ['a duplicate external_id', { ...ok, external_id: 'taken-ext' }, { external_id: ['has already been taken'] }],
    ['a duplicate facebook_id', { ...ok, facebook_id: 'taken-fb' }, { facebook_id: ['has already been taken'] }],
    ['a duplicate twitter_id', { ...ok, twitter_id: 'taken-tw' }, { twitter_id: ['has already been taken'] }],
    ['a malformed email', { ...ok, email: 'not-an-email' }, { email: ['is invalid'] }],
    ['a short password', { ...ok, password: 'seven77' }, { password: ['is too short (minimum is 8 characters)'] }],
    [
      'a long password',
      { ...ok, password: 'x'.repeat(129) },
      { password: ['is too long (maximum is 128 characters)'] },
    ],
    ['no password', { login: 'fresh_login' }, { password: ["can't be blank"] }],
    ['neither login nor email', { password: 'fresh-password' }, { base: ['login or email is required'] }],
    ['a short login', { ...ok, login: 'ab' }, { login: ['is too short (minimum is 3 characters)'] }],
    ['a long login', { ...ok, login: 'a'.repeat(51) }, { login: ['is too long (maximum is 50 characters)'] }],
    ['a login with spaces', { ...ok, login: 'two words' }, { login: ['is invalid'] }],
    ['a login with a reserved prefix', { ...ok, login: 'Guest_Login_abc' }, { login: ['is reserved'] }],
    ['a website that is not http(s)', { ...ok, website: 'javascript:alert(1)' }, { website: ['is invalid'] }],
    ['a timezone beyond any offset', { ...ok, timezone: 900 }, { timezone: ['must be between -720 and 840'] }],
    ['a non-numeric external_user_id', { ...ok, external_user_id: 'abc' }, { external_user_id: ['is not a number'] }],
    [
      'a long full name',
      { ...ok, full_name: 'n'.repeat(201) },
      { full_name: ['is too long (maximum is 200 characters)'] },
    ],
    [
      'too many tags',
      { ...ok, tag_list: Array.from({ length: 101 }, (_, i) => `t${i}`) },
      { tag_list: ['has more than 100 tags'] },
    ],
  ];

  it.each(cases)('refuses %s', async (_name, user, errors) => {
    const response = await signUp(user);
    expect(response.status).toBe(422);
    expect(response.body).toEqual({ errors });
    const created = await local.service.deps.users.findByLoginOrEmail(local.application.id, 'login', 'fresh_login');
    expect(created).toBeUndefined();
  });

  it('reports every broken field at once', async () => {
    const response = await signUp({ login: 'taken_login', email: 'bad@', password: 'short' });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      errors: {
        login: ['has already been taken'],
        email: ['is invalid'],
        password: ['is too short (minimum is 8 characters)'],
      },
    });
  });

  it('refuses a body without a user object', async () => {
    const response = await api.post('/users', { token: appToken, json: { login: 'flat', password: 'flat-password' } });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({ errors: { base: ['login or email is required'], password: ["can't be blank"] } });
  });

  it('gives one of two racing sign-ups for the same login a 422, never a 500', async () => {
    const user = { login: 'racer', password: 'racing-password' };
    const results = await Promise.all([signUp(user), signUp(user), signUp(user)]);
    expect(results.map((result) => result.status).sort()).toEqual([201, 422, 422]);
    for (const result of results.filter((r) => r.status === 422)) {
      expect(result.body).toEqual({ errors: { login: ['has already been taken'] } });
    }
  });
});
