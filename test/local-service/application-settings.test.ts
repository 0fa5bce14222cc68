import { afterEach, describe, expect, it } from 'vitest';
import { loadLocalServiceConfig } from '../../src/local-service/config.ts';
import { hashPassword } from '../../src/local-service/users/passwords.ts';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { restClient } from '../support/rest-client.ts';

describe('configuration from the environment', () => {
  it('reads defaults, credentials and application settings', () => {
    const config = loadLocalServiceConfig({
      LOCAL_SERVICE_PORT: '0',
      DATA_DIR: '/tmp/somewhere',
      SESSION_TTL_SECONDS: '5',
      LOCAL_APP_ID: '77',
      LOCAL_AUTH_KEY: 'key',
      LOCAL_AUTH_SECRET: 'secret',
      LOCAL_APP_SESSION_CREATES_USER: 'true',
      LOCAL_APP_FIREBASE_PROJECT_IDS: ' my-app-1234 , other-app-99 ',
      LOCAL_APP_FACEBOOK_APP_ID: '123456789012345',
      LOCAL_APP_FACEBOOK_APP_SECRET: '0123456789abcdef0123456789abcdef',
      LOCAL_SERVICE_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1',
      NODE_ENV: 'production',
      LOCAL_APP_CIDP_URL: 'https://idp.example.test/verify',
      LOCAL_APP_CIDP_REQUEST_PARAMS: '{"access_token": "#{login}"}',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      dataDir: '/tmp/somewhere',
      sessionTtlSeconds: 5,
      guestSessionTtlSeconds: 86_400,
      application: { id: 77, authKey: 'key', authSecret: 'secret' },
      trustedProxies: ['10.0.0.0/8', '127.0.0.1'],
      production: true,
      applicationSettings: {
        sessionCreatesUser: true,
        firebaseProjectIds: ['my-app-1234', 'other-app-99'],
        facebookApp: { id: '123456789012345', secret: '0123456789abcdef0123456789abcdef' },
        cidp: {
          url: 'https://idp.example.test/verify',
          requestParams: { access_token: '#{login}' },
          responseParams: { uid: '#{user.id}' },
        },
      },
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.applicationSettings).not.toHaveProperty('usersListAllowed');
  });

  it('leaves security settings at their safe defaults when unset', () => {
    const config = loadLocalServiceConfig({});
    expect(config).toMatchObject({ trustedProxies: [], production: false, applicationSettings: {} });
  });

  it('names every invalid security setting in one error', () => {
    expect(() =>
      loadLocalServiceConfig({
        LOCAL_SERVICE_TRUSTED_PROXIES: 'not-an-address',
        LOCAL_APP_FIREBASE_PROJECT_IDS: 'Bad Project!',
        LOCAL_APP_FACEBOOK_APP_ID: 'abc',
        LOCAL_APP_FACEBOOK_APP_SECRET: 'short',
      }),
    ).toThrowError(
      /LOCAL_SERVICE_TRUSTED_PROXIES[\s\S]*LOCAL_APP_FIREBASE_PROJECT_IDS[\s\S]*LOCAL_APP_FACEBOOK_APP_ID[\s\S]*LOCAL_APP_FACEBOOK_APP_SECRET/,
    );
  });

  it('wants the Facebook app id and secret together', () => {
    expect(() => loadLocalServiceConfig({ LOCAL_APP_FACEBOOK_APP_ID: '123456789012345' })).toThrowError(
      'LOCAL_APP_FACEBOOK_APP_SECRET: LOCAL_APP_FACEBOOK_APP_ID and LOCAL_APP_FACEBOOK_APP_SECRET are set together',
    );
  });

  it('says what replaced the retired sessions-without-user setting', () => {
    expect(() => loadLocalServiceConfig({ LOCAL_APP_SESSIONS_WITHOUT_USER_ALLOWED: 'false' })).toThrowError(
      /LOCAL_APP_SESSIONS_WITHOUT_USER_ALLOWED: retired: .*LOCAL_APP_SESSION_CREATES_USER/,
    );
  });

  it('names every invalid setting in one error', () => {
    expect(() =>
      loadLocalServiceConfig({
        LOCAL_SERVICE_PORT: 'eighty',
        SESSION_TTL_SECONDS: '-1',
        LOCAL_APP_USERS_LIST_ALLOWED: 'maybe',
        LOCAL_APP_CIDP_REQUEST_PARAMS: '[1, 2]',
      }),
    ).toThrowError(
      /LOCAL_SERVICE_PORT[\s\S]*SESSION_TTL_SECONDS[\s\S]*LOCAL_APP_USERS_LIST_ALLOWED[\s\S]*LOCAL_APP_CIDP_REQUEST_PARAMS/,
    );
  });
});

describe('application settings', () => {
  let local: RunningLocalService | undefined;
  afterEach(async () => {
    await local?.close();
    local = undefined;
  });

  it('always allows application sessions, which sign-up and every SDK start from', async () => {
    local = await startLocalService({ applicationSettings: { sessionCreatesUser: false } });
    const api = restClient(local.url);
    const credentials = { application_id: local.application.id, auth_key: local.application.authKey };
    const withoutUser = await api.post('/session', { json: credentials });
    expect(withoutUser.status).toBe(201);
    expect(withoutUser.body.session.user_id).toBe(0);

    await local.service.deps.users.insert({
      application_id: local.application.id,
      login: 'allowed',
      password_hash: await hashPassword('allowed-password'),
    });
    const withUser = await api.post('/session', {
      json: { ...credentials, user: { login: 'allowed', password: 'allowed-password' } },
    });
    expect(withUser.status).toBe(201);
  });
});
