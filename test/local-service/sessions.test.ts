import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../src/protocol/session-signature.ts';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { type RestClient, restClient } from '../support/rest-client.ts';
import { insertUser } from '../support/users.ts';

const EXPIRATION_HEADER = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/;

let local: RunningLocalService;
let api: RestClient;
let app: { application_id: number; auth_key: string };

const createUser = (login: string) => insertUser(local, login, { password: 'correct-horse' });

beforeAll(async () => {
  local = await startLocalService({ guestSessionTtlSeconds: 2, sweepIntervalSeconds: 1 });
  api = restClient(local.url);
  app = { application_id: local.application.id, auth_key: local.application.authKey };
});
afterAll(() => local.close());

describe('POST /session', () => {
  it('creates an application session with auth_key alone, JSON or form encoded, with the .json suffix', async () => {
    const json = await api.post('/session.json', { json: app });
    expect(json.status).toBe(201);
    expect(json.body.session).toMatchObject({ user_id: 0, application_id: local.application.id });
    expect(json.body.session.token).toMatch(/^[0-9a-f]{40}$/);
    expect(json.body.session.user).toBeUndefined();
    expect(json.headers.get('cb-token-expirationdate')).toMatch(EXPIRATION_HEADER);

    const form = await api.post('/session', { form: app });
    expect(form.status).toBe(201);
    expect(form.body.session.token).not.toBe(json.body.session.token);
  });

  it('rejects an unknown auth key, a mismatched application id and missing credentials', async () => {
    const wrongKey = await api.post('/session', { json: { ...app, auth_key: 'nope' } });
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.errors.base).toHaveLength(1);
    const wrongApp = await api.post('/session', { json: { ...app, application_id: app.application_id + 1 } });
    expect(wrongApp.status).toBe(401);
    const missing = await api.post('/session', { json: {} });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual({ application_id: ['is required'], auth_key: ['is required'] });
  });

  it('verifies an HMAC-SHA1 signature over the sorted, flattened parameters', async () => {
    const user = await createUser('signer');
    const params = {
      ...app,
      nonce: 4242,
      timestamp: Math.floor(Date.now() / 1000),
      user: { login: 'signer', password: 'correct-horse' },
    };
    const signed = await api.post('/session', {
      form: { ...params, signature: sign(params, local.application.authSecret) },
    });
    expect(signed.status).toBe(201);
    expect(signed.body.session).toMatchObject({ user_id: user.id, nonce: 4242 });

    const forged = await api.post('/session', { form: { ...params, signature: sign(params, 'not-the-secret') } });
    expect(forged.status).toBe(422);
    expect(forged.body.errors).toEqual({ signature: ['is invalid'] });

    const tampered = await api.post('/session', {
      form: { ...params, nonce: 4243, signature: sign(params, local.application.authSecret) },
    });
    expect(tampered.status).toBe(422);

    const stale = { ...params, timestamp: Math.floor(Date.now() / 1000) - 3600 };
    const late = await api.post('/session', {
      form: { ...stale, signature: sign(stale, local.application.authSecret) },
    });
    expect(late.status).toBe(422);
    expect(late.body.errors.timestamp).toBeDefined();
  });

  it('creates a user session by login or by email (case-insensitive), with the full user', async () => {
    const user = await createUser('Alice');
    const byLogin = await api.post('/session', {
      json: { ...app, user: { login: 'alice', password: 'correct-horse' } },
    });
    expect(byLogin.status).toBe(201);
    expect(byLogin.body.session.user_id).toBe(user.id);
    expect(byLogin.body.session.user).toMatchObject({ id: user.id, login: 'Alice', email: 'Alice@example.test' });
    expect(byLogin.body.session.user).not.toHaveProperty('password_hash');
    expect(JSON.stringify(byLogin.body)).not.toContain('scrypt');

    const byEmail = await api.post('/session', {
      json: { ...app, user: { email: 'alice@EXAMPLE.test', password: 'correct-horse' } },
    });
    expect(byEmail.status).toBe(201);
    expect(byEmail.body.session.user_id).toBe(user.id);
  });

  it('answers a wrong password or unknown login with 401 Unauthorized', async () => {
    await createUser('bob');
    for (const user of [
      { login: 'bob', password: 'wrong-password' },
      { login: 'nobody', password: 'correct-horse' },
    ]) {
      const response = await api.post('/session', { json: { ...app, user } });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ errors: { base: ['Unauthorized'] } });
    }
  });

  it('creates a guest user whose session does not slide and who is deleted when it ends', async () => {
    const response = await api.post('/session', { json: { ...app, user: { guest: '1', full_name: 'Guest Gus' } } });
    expect(response.status).toBe(201);
    const guest = response.body.session.user;
    expect(guest).toMatchObject({ is_guest: true, full_name: 'Guest Gus' });
    expect(guest.login).toMatch(/^guest_login_/);
    const token = response.body.session.token;
    const first = (await api.get('/session', { token })).headers.get('cb-token-expirationdate');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await api.get('/session', { token });
    expect(second.headers.get('cb-token-expirationdate')).toBe(first);

    // A guest can never log in by password.
    const byPassword = await api.post('/session', { json: { ...app, user: { login: guest.login, password: '' } } });
    expect(byPassword.status).toBe(422);

    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await api.get('/session', { token })).status).toBe(401);
    expect(await local.service.deps.users.findById(local.application.id, guest.id)).toBeUndefined();
  });
});

describe('GET and DELETE /session', () => {
  it('returns the current session with its user and slides the expiry', async () => {
    const user = await createUser('carol');
    const created = await api.post('/session', {
      json: { ...app, user: { login: 'carol', password: 'correct-horse' } },
    });
    const token = created.body.session.token;
    const current = await api.get('/session', { token });
    expect(current.status).toBe(200);
    expect(current.body.session).toMatchObject({ id: created.body.session.id, token, user_id: user.id });
    expect(current.body.session.user.id).toBe(user.id);
    expect(current.headers.get('cb-token-expirationdate')).toMatch(EXPIRATION_HEADER);
  });

  it('requires a token and names an unknown one exactly as SDKs expect', async () => {
    const none = await api.get('/session');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ errors: { base: ['Token is required'] } });
    const unknown = await api.get('/session', { token: 'f'.repeat(40) });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ errors: { base: ['Required session does not exist'] } });
  });

  it('destroys the current session', async () => {
    const token = (await api.post('/session', { json: app })).body.session.token;
    const destroyed = await api.delete('/session', { token });
    expect(destroyed.status).toBe(200);
    expect(destroyed.body).toBe('');
    expect((await api.get('/session', { token })).status).toBe(401);
  });

  it("destroys one of the user's other sessions by id, but not another user's", async () => {
    await createUser('dave');
    await createUser('erin');
    const login = (name: string) =>
      api.post('/session', { json: { ...app, user: { login: name, password: 'correct-horse' } } });
    const daveA = (await login('dave')).body.session;
    const daveB = (await login('dave')).body.session;
    const erin = (await login('erin')).body.session;

    const foreign = await api.delete(`/session/${erin.id}`, { token: daveA.token });
    expect(foreign.status).toBe(404);
    expect((await api.get('/session', { token: erin.token })).status).toBe(200);

    const own = await api.delete(`/session/${daveB.id}`, { token: daveA.token });
    expect(own.status).toBe(200);
    expect((await api.get('/session', { token: daveB.token })).status).toBe(401);
    expect((await api.get('/session', { token: daveA.token })).status).toBe(200);

    const applicationToken = (await api.post('/session', { json: app })).body.session.token;
    const byApp = await api.delete(`/session/${erin.id}`, { token: applicationToken });
    expect(byApp.status).toBe(403);
  });

  it("destroys all the user's sessions except the current one", async () => {
    await createUser('frank');
    const login = () => api.post('/session', { json: { ...app, user: { login: 'frank', password: 'correct-horse' } } });
    const [keep, other1, other2] = await Promise.all([login(), login(), login()]).then((all) =>
      all.map((r) => r.body.session.token),
    );
    const response = await api.delete('/session/list', { token: keep });
    expect(response.status).toBe(200);
    expect((await api.get('/session', { token: keep })).status).toBe(200);
    expect((await api.get('/session', { token: other1 })).status).toBe(401);
    expect((await api.get('/session', { token: other2 })).status).toBe(401);
  });
});

describe('POST and DELETE /login', () => {
  it('upgrades an application session to a user session and downgrades it again, same token', async () => {
    const user = await createUser('grace');
    const token = (await api.post('/session', { json: app })).body.session.token;

    const upgraded = await api.post('/login', { token, json: { login: 'grace', password: 'correct-horse' } });
    expect(upgraded.status).toBe(200);
    expect(upgraded.body.user).toMatchObject({ id: user.id, login: 'grace' });
    expect((await api.get('/session', { token })).body.session.user_id).toBe(user.id);

    const downgraded = await api.delete('/login', { token });
    expect(downgraded.status).toBe(200);
    const after = await api.get('/session', { token });
    expect(after.status).toBe(200);
    expect(after.body.session.user_id).toBe(0);
  });

  it('refuses a wrong password without changing the session', async () => {
    await createUser('heidi');
    const token = (await api.post('/session', { json: app })).body.session.token;
    const response = await api.post('/login', { token, form: { email: 'heidi@example.test', password: 'nope-nope' } });
    expect(response.status).toBe(401);
    expect((await api.get('/session', { token })).body.session.user_id).toBe(0);
  });

  it('needs a token', async () => {
    const response = await api.post('/login', { json: { login: 'grace', password: 'correct-horse' } });
    expect(response.status).toBe(401);
  });
});

describe('session lifetime', () => {
  it('expires a token after the configured idle time and slides it on use', async () => {
    const shortLived = await startLocalService({ sessionTtlSeconds: 2 });
    try {
      const shortApi = restClient(shortLived.url);
      const credentials = { application_id: shortLived.application.id, auth_key: shortLived.application.authKey };
      const token = (await shortApi.post('/session', { json: credentials })).body.session.token;
      // Used every second for three seconds, the token outlives its 2 s idle lifetime.
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        expect((await shortApi.get('/session', { token })).status).toBe(200);
      }
      await new Promise((resolve) => setTimeout(resolve, 2300));
      const expired = await shortApi.get('/session', { token });
      expect(expired.status).toBe(401);
      expect(expired.body).toEqual({ errors: { base: ['Required session does not exist'] } });
    } finally {
      await shortLived.close();
    }
  });
});
