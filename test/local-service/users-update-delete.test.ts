import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { type RestClient, restClient, sessionsFor } from '../support/rest-client.ts';
import { userWithToken as storedUserWithToken, type UserFields } from '../support/users.ts';

const PASSWORD = 'shared-password';
const FAILED_LOGIN_LIMIT = 3;

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

/** A user straight in the store (sign-up has its own tests) and a session for it. */
const userWithToken = (login: string, fields: UserFields = {}) =>
  storedUserWithToken(local, login, { password: PASSWORD, ...fields });

const update = (id: number, token: string, user: Record<string, unknown>) =>
  api.put(`/users/${id}`, { token, json: { user } });

const canLogIn = async (login: string, password: string) =>
  (
    await api.post('/session', {
      json: { application_id: local.application.id, auth_key: local.application.authKey, user: { login, password } },
    })
  ).status === 201;

describe('PUT /users/{id}', () => {
  it('updates the own profile, JSON or form-encoded, and returns the user', async () => {
    const { user, token } = await userWithToken('editor');
    const response = await update(user.id, token, {
      full_name: 'Ed Itor',
      phone: '12345',
      website: 'http://editor.example.test',
      custom_data: 'plain text',
      tag_list: 'x,y',
      timezone: 120,
      email: 'EDITOR-NEW@example.test',
    });
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({
      id: user.id,
      login: 'editor',
      full_name: 'Ed Itor',
      phone: '12345',
      website: 'http://editor.example.test',
      custom_data: 'plain text',
      user_tags: 'x,y',
      timezone: 120,
      email: 'EDITOR-NEW@example.test',
    });
    expect(Date.parse(response.body.user.updated_at)).toBeGreaterThanOrEqual(Date.parse(response.body.user.created_at));

    const form = await api.put(`/users/${user.id}.json`, {
      token,
      form: { user: { full_name: 'Form Name', tag_list: '' } },
    });
    expect(form.status).toBe(200);
    expect(form.body.user).toMatchObject({ full_name: 'Form Name', user_tags: null, phone: '12345' });
  });

  it('clears an optional field with an empty value, but never both login and email', async () => {
    const { user, token } = await userWithToken('clearer', { full_name: 'To Clear' });
    const cleared = await update(user.id, token, { full_name: '', email: '' });
    expect(cleared.status).toBe(200);
    expect(cleared.body.user).toMatchObject({ full_name: null, email: null, login: 'clearer' });

    const both = await update(user.id, token, { login: '' });
    expect(both.status).toBe(422);
    expect(both.body).toEqual({ errors: { base: ['login or email is required'] } });
  });

  it('keeps the uniqueness and format rules of sign-up, but lets users keep their own login', async () => {
    await userWithToken('owner_of_name');
    const { user, token } = await userWithToken('renamer');
    const duplicate = await update(user.id, token, { login: 'OWNER_of_name', email: 'owner_of_name@EXAMPLE.test' });
    expect(duplicate.status).toBe(422);
    expect(duplicate.body).toEqual({
      errors: { login: ['has already been taken'], email: ['has already been taken'] },
    });

    const invalid = await update(user.id, token, { email: 'nope', login: 'x' });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toEqual({
      errors: { email: ['is invalid'], login: ['is too short (minimum is 3 characters)'] },
    });

    const ownInOtherCase = await update(user.id, token, { login: 'ReNamer' });
    expect(ownInOtherCase.status).toBe(200);
    expect(ownInOtherCase.body.user.login).toBe('ReNamer');
  });

  it('changes the password only with the matching old_password', async () => {
    const { user, token } = await userWithToken('changer');
    const missing = await update(user.id, token, { password: 'brand-new-password' });
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({ errors: { old_password: ["can't be blank"] } });

    const wrong = await update(user.id, token, { password: 'brand-new-password', old_password: 'not-it-at-all' });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toEqual({ errors: { old_password: ['is incorrect'] } });

    const short = await update(user.id, token, { password: 'short', old_password: PASSWORD });
    expect(short.status).toBe(422);
    expect(short.body).toEqual({ errors: { password: ['is too short (minimum is 8 characters)'] } });
    expect(await canLogIn('changer', PASSWORD)).toBe(true);

    const changed = await update(user.id, token, { password: 'brand-new-password', old_password: PASSWORD });
    expect(changed.status).toBe(200);
    expect(JSON.stringify(changed.body)).not.toContain('brand-new-password');
    expect(await canLogIn('changer', PASSWORD)).toBe(false);
    expect(await canLogIn('changer', 'brand-new-password')).toBe(true);
  });

  it('rate limits guesses of the old password (429), even with the right one while blocked', async () => {
    const { user, token } = await userWithToken('guesser');
    for (let attempt = 0; attempt < FAILED_LOGIN_LIMIT; attempt += 1) {
      const wrong = await update(user.id, token, { password: 'new-password-1', old_password: `guess-${attempt}-x` });
      expect(wrong.status).toBe(422);
    }
    const blocked = await update(user.id, token, { password: 'new-password-1', old_password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual({ errors: { base: ['Too many requests. Try again later.'] } });
    expect(await canLogIn('guesser', PASSWORD)).toBe(true);
  });

  it('lets a user created by a provider, who has no password, set a first one without old_password', async () => {
    const user = await local.service.deps.users.insert({
      application_id: local.application.id,
      facebook_id: 'fb-no-password',
      login: 'from_facebook',
    });
    const { token } = await local.service.deps.sessions.create({
      applicationId: local.application.id,
      userId: user.id,
    });
    const response = await update(user.id, token, { password: 'first-own-password' });
    expect(response.status).toBe(200);
    expect(await canLogIn('from_facebook', 'first-own-password')).toBe(true);
  });

  it("refuses another user's account (403), an unknown or malformed id (404) and an application token (403)", async () => {
    const { user: other } = await userWithToken('other_target');
    const { token } = await userWithToken('intruder');
    const foreign = await update(other.id, token, { full_name: 'Hijacked' });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toEqual({ errors: { base: ['You can change only your own account'] } });

    expect((await update(2_000_000, token, { full_name: 'x' })).status).toBe(404);
    const malformed = await api.put('/users/abc', { token, json: { user: { full_name: 'x' } } });
    expect(malformed.status).toBe(404);

    const application = await update(other.id, appToken, { full_name: 'Hijacked' });
    expect(application.status).toBe(403);
    expect(application.body).toEqual({ errors: { base: ['Forbidden. Need user.'] } });

    const unchanged = await local.service.deps.users.findById(local.application.id, other.id);
    expect(unchanged?.full_name).toBeNull();
  });
});

describe('DELETE /users/{id} and /users/external/{external_id}', () => {
  it('deletes the own account; its sessions die with it', async () => {
    const { user, token } = await userWithToken('leaver');
    const second = await sessions.userToken('leaver', PASSWORD);
    const response = await api.delete(`/users/${user.id}`, { token });
    expect(response.status).toBe(200);
    expect(response.body).toBe('');

    expect(await local.service.deps.users.findById(local.application.id, user.id)).toBeUndefined();
    for (const dead of [token, second]) {
      const session = await api.get('/session', { token: dead });
      expect(session.status).toBe(401);
      expect(session.body).toEqual({ errors: { base: ['Required session does not exist'] } });
    }
    expect(await canLogIn('leaver', PASSWORD)).toBe(false);
  });

  it('deletes the own account by external id', async () => {
    const { user, token } = await userWithToken('external_leaver', { external_id: 'ext-leaver' });
    const response = await api.delete('/users/external/ext-leaver.json', { token });
    expect(response.status).toBe(200);
    expect(await local.service.deps.users.findById(local.application.id, user.id)).toBeUndefined();
  });

  it("refuses another user's account (403), unknown ids (404) and application tokens (403)", async () => {
    const { user: other } = await userWithToken('stays_put', { external_id: 'ext-stays' });
    const { token } = await userWithToken('deleter');
    const byId = await api.delete(`/users/${other.id}`, { token });
    expect(byId.status).toBe(403);
    expect(byId.body).toEqual({ errors: { base: ['You can change only your own account'] } });
    expect((await api.delete('/users/external/ext-stays', { token })).status).toBe(403);
    expect((await api.delete('/users/2000000', { token })).status).toBe(404);
    expect((await api.delete('/users/external/no-such-ext', { token })).status).toBe(404);
    const application = await api.delete(`/users/${other.id}`, { token: appToken });
    expect(application.status).toBe(403);
    expect(application.body).toEqual({ errors: { base: ['Forbidden. Need user.'] } });
    expect((await api.delete(`/users/${other.id}`)).status).toBe(401);

    expect(await local.service.deps.users.findById(local.application.id, other.id)).toBeDefined();
  });
});
