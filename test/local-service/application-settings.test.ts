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
      LOCAL_APP_SESSIONS_WITHOUT_USER_ALLOWED: 'false',
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
      applicationSettings: {
        appSessionsAllowed: false,
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

  it('refuses application sessions when sessions without a user are not allowed', async () => {
    local = await startLocalService({ applicationSettings: { appSessionsAllowed: false } });
    const api = restClient(local.url);
    const credentials = { application_id: local.application.id, auth_key: local.application.authKey };
    const withoutUser = await api.post('/session', { json: credentials });
    expect(withoutUser.status).toBe(422);
    expect(withoutUser.body).toEqual({
      errors: { base: ['This application does not allow sessions without a user'] },
    });

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
