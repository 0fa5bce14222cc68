import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { type ProviderStandIns, startProviderStandIns } from '../support/provider-stand-ins.ts';
import { type RestClient, restClient } from '../support/rest-client.ts';

let providers: ProviderStandIns;
let local: RunningLocalService;
let api: RestClient;
let app: { application_id: number; auth_key: string };

beforeAll(async () => {
  providers = await startProviderStandIns();
  local = await startLocalService({
    providers: providers.settings,
    applicationSettings: { firebaseProjectIds: ['cube-project'], facebookApp: providers.facebook.app },
  });
  api = restClient(local.url);
  app = { application_id: local.application.id, auth_key: local.application.authKey };
});
afterAll(async () => {
  await local.close();
  await providers.close();
});

const createSession = (body: Record<string, unknown>) => api.post('/session', { json: { ...app, ...body } });

describe('provider login through POST /session', () => {
  it('creates a Facebook user on first login and finds it afterwards', async () => {
    const token = providers.facebook.issueToken({ id: 'fb-100', name: 'Fay Book', email: 'fay@example.test' });
    const first = await createSession({ provider: 'facebook', keys: { token } });
    expect(first.status).toBe(201);
    expect(first.body.session.user).toMatchObject({
      facebook_id: 'fb-100',
      full_name: 'Fay Book',
      email: 'fay@example.test',
    });
    const again = await createSession({ provider: 'facebook', keys: { token } });
    expect(again.body.session.user_id).toBe(first.body.session.user_id);
  });

  it('refuses an unknown Facebook token with 401', async () => {
    const response = await createSession({ provider: 'facebook', keys: { token: 'not-issued' } });
    expect(response.status).toBe(401);
    expect(response.body.errors.base).toHaveLength(1);
    expect(JSON.stringify(response.body)).not.toContain('not-issued');
  });

  it('logs in with Twitter OAuth 1.0a credentials and refuses a wrong secret', async () => {
    const { token, secret } = providers.twitter.issueToken({ id: '7007', name: 'Tweety' });
    const ok = await createSession({ provider: 'twitter', keys: { token, secret } });
    expect(ok.status).toBe(201);
    expect(ok.body.session.user).toMatchObject({ twitter_id: '7007', full_name: 'Tweety' });
    const wrong = await createSession({ provider: 'twitter', keys: { token, secret: 'wrong' } });
    expect(wrong.status).toBe(401);
  });

  it('verifies Firebase phone and email ID tokens as signed JWTs', async () => {
    const phoneToken = await providers.firebase.signIdToken(
      { sub: 'firebase-phone-1', phone_number: '+15550001' },
      { projectId: 'cube-project' },
    );
    const phone = await createSession({
      provider: 'firebase_phone',
      firebase_phone: { project_id: 'cube-project', access_token: phoneToken },
    });
    expect(phone.status).toBe(201);
    expect(phone.body.session.user).toMatchObject({ phone: '+15550001' });

    const emailToken = await providers.firebase.signIdToken(
      { sub: 'firebase-email-1', email: 'fire@example.test', email_verified: true },
      { projectId: 'cube-project' },
    );
    const email = await createSession({
      provider: 'firebase_email',
      firebase_email: { project_id: 'cube-project', access_token: emailToken },
    });
    expect(email.status).toBe(201);
    expect(email.body.session.user).toMatchObject({ email: 'fire@example.test' });
  });

  it('refuses Firebase tokens for another project, expired ones and ones signed by an unknown key', async () => {
    const claims = { sub: 'firebase-phone-2', phone_number: '+15550002' };
    const cases = [
      { token: await providers.firebase.signIdToken(claims, { projectId: 'other-project' }), project: 'cube-project' },
      {
        token: await providers.firebase.signIdToken(claims, { projectId: 'cube-project', expiresInSeconds: -60 }),
        project: 'cube-project',
      },
      {
        token: await providers.firebase.signIdToken(claims, { projectId: 'cube-project', key: 'untrusted' }),
        project: 'cube-project',
      },
    ];
    for (const { token, project } of cases) {
      const response = await createSession({
        provider: 'firebase_phone',
        firebase_phone: { project_id: project, access_token: token },
      });
      expect(response.status).toBe(401);
    }
  });

  it('validates provider parameters', async () => {
    const unknown = await createSession({ provider: 'myspace', keys: { token: 'x' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors.provider).toBeDefined();
    const missing = await createSession({ provider: 'facebook' });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual({ 'keys[token]': ['is required'] });
  });
});

describe('provider login through POST /login (upgrade)', () => {
  it('binds the provider user to an application token', async () => {
    const applicationToken = (await createSession({})).body.session.token;
    const token = providers.facebook.issueToken({ id: 'fb-200', name: 'Up Grade' });
    const response = await api.post('/login', {
      token: applicationToken,
      json: { provider: 'facebook', keys: { token } },
    });
    expect(response.status).toBe(200);
    expect(response.body.user.facebook_id).toBe('fb-200');
    const session = await api.get('/session', { token: applicationToken });
    expect(session.body.session.user_id).toBe(response.body.user.id);
  });
});

describe('custom identity provider (CIdP)', () => {
  it('verifies the external token through the configured URL and templates, creating the user once', async () => {
    const service = await startLocalService({ providers: providers.settings });
    try {
      await service.service.deps.applications.updateSettings(service.application.id, {
        cidp: { url: providers.cidp.url, requestParams: { token: '#{login}' }, responseParams: { uid: '#{user.id}' } },
      });
      const cidpApi = restClient(service.url);
      const credentials = { application_id: service.application.id, auth_key: service.application.authKey };
      const externalToken = providers.cidp.issueToken(9001);
      const first = await cidpApi.post('/session', {
        json: { ...credentials, user: { login: externalToken, password: 'anything' } },
      });
      expect(first.status).toBe(201);
      expect(first.body.session.user.external_id).toBe('9001');
      const second = await cidpApi.post('/session', {
        json: { ...credentials, user: { login: providers.cidp.issueToken(9001), password: 'x' } },
      });
      expect(second.body.session.user_id).toBe(first.body.session.user_id);

      const refused = await cidpApi.post('/session', {
        json: { ...credentials, user: { login: 'forged-token', password: 'x' } },
      });
      expect(refused.status).toBe(401);
    } finally {
      await service.close();
    }
  });
});
