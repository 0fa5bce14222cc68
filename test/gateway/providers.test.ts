import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { type ProviderStandIns, startProviderStandIns } from '../support/provider-stand-ins.ts';

// loginWithProvider for all five providers, against the local service's real verification
// code and local stand-ins for the providers.

let providers: ProviderStandIns;
let gw: RunningGateway;

beforeAll(async () => {
  providers = await startProviderStandIns();
  gw = await startGateway({
    local: {
      providers: providers.settings,
      applicationSettings: { firebaseProjectIds: ['cube-project'], facebookApp: providers.facebook.app },
    },
  });
  await gw.local.service.deps.applications.updateSettings(gw.local.application.id, {
    cidp: { url: providers.cidp.url, requestParams: { token: '#{login}' }, responseParams: { uid: '#{user.id}' } },
  });
});
afterAll(async () => {
  await gw?.close();
  await providers?.close();
});

const LOGIN_WITH_PROVIDER = `mutation($input: LoginWithProviderInput!) {
  loginWithProvider(input: $input) {
    __typename
    ... on LoginSuccess { session { kind token user { databaseId fullName email phone facebookId twitterId externalId } } }
    ... on Error { code message }
    ... on ValidationError { fields { field messages } }
  }
}`;

const loginWith = async (input: Record<string, unknown>) =>
  (await gw.gql(LOGIN_WITH_PROVIDER, { input })).data.loginWithProvider;

describe('loginWithProvider', () => {
  it('FACEBOOK: creates the user on first login and finds it again', async () => {
    const accessToken = providers.facebook.issueToken({ id: 'fb-1', name: 'Fay Book', email: 'fay@example.test' });
    const first = await loginWith({ provider: 'FACEBOOK', accessToken });
    expect(first).toMatchObject({
      __typename: 'LoginSuccess',
      session: { kind: 'USER', user: { facebookId: 'fb-1', fullName: 'Fay Book', email: 'fay@example.test' } },
    });
    const again = await loginWith({ provider: 'FACEBOOK', accessToken });
    expect(again.session.user.databaseId).toBe(first.session.user.databaseId);
    expect(again.session.token).not.toBe(first.session.token);
  });

  it('TWITTER: needs the token secret', async () => {
    const { token, secret } = providers.twitter.issueToken({ id: '7007', name: 'Tweety' });
    const ok = await loginWith({ provider: 'TWITTER', accessToken: token, accessTokenSecret: secret });
    expect(ok.session.user).toMatchObject({ twitterId: '7007', fullName: 'Tweety' });
    const wrong = await loginWith({ provider: 'TWITTER', accessToken: token, accessTokenSecret: 'wrong' });
    expect(wrong).toMatchObject({ __typename: 'InvalidCredentialsError', code: 'INVALID_CREDENTIALS' });
    const missing = await loginWith({ provider: 'TWITTER', accessToken: token });
    expect(missing).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'accessTokenSecret' }] });
  });

  it('FIREBASE_PHONE and FIREBASE_EMAIL: verify the ID token for the project', async () => {
    const phoneToken = await providers.firebase.signIdToken(
      { sub: 'fb-phone-1', phone_number: '+15550001' },
      { projectId: 'cube-project' },
    );
    const phone = await loginWith({ provider: 'FIREBASE_PHONE', accessToken: phoneToken, projectId: 'cube-project' });
    expect(phone.session.user.phone).toBe('+15550001');
    const emailToken = await providers.firebase.signIdToken(
      { sub: 'fb-email-1', email: 'fire@example.test', email_verified: true },
      { projectId: 'cube-project' },
    );
    const email = await loginWith({ provider: 'FIREBASE_EMAIL', accessToken: emailToken, projectId: 'cube-project' });
    expect(email.session.user.email).toBe('fire@example.test');
    const otherProject = await loginWith({ provider: 'FIREBASE_EMAIL', accessToken: emailToken, projectId: 'another' });
    expect(otherProject.code).toBe('INVALID_CREDENTIALS');
    const noProject = await loginWith({ provider: 'FIREBASE_PHONE', accessToken: phoneToken });
    expect(noProject).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'projectId' }] });
  });

  it("CUSTOM: the application's identity provider verifies the token", async () => {
    const first = await loginWith({ provider: 'CUSTOM', accessToken: providers.cidp.issueToken(9001) });
    expect(first).toMatchObject({
      __typename: 'LoginSuccess',
      session: { kind: 'USER', user: { externalId: '9001' } },
    });
    const again = await loginWith({ provider: 'CUSTOM', accessToken: providers.cidp.issueToken(9001) });
    expect(again.session.user.databaseId).toBe(first.session.user.databaseId);
    const forged = await loginWith({ provider: 'CUSTOM', accessToken: 'forged-token' });
    expect(forged.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses an unknown token without echoing it', async () => {
    const res = await gw.gql(LOGIN_WITH_PROVIDER, { input: { provider: 'FACEBOOK', accessToken: 'not-issued-token' } });
    expect(res.data.loginWithProvider.code).toBe('INVALID_CREDENTIALS');
    expect(JSON.stringify(res)).not.toContain('not-issued-token');
  });

  it('answers VALIDATION_FAILED for a blank token and a GraphQL error for an unknown provider', async () => {
    expect((await loginWith({ provider: 'FACEBOOK', accessToken: '' })).__typename).toBe('ValidationError');
    const unknown = await gw.gql(LOGIN_WITH_PROVIDER, { input: { provider: 'MYSPACE', accessToken: 'x' } });
    expect(unknown.errors?.[0]?.message).toMatch(/MYSPACE/);
  });
});
