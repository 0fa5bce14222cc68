import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CustomIdentityOptions, verifyCustomIdentity } from '../../src/local-service/providers/custom-identity.ts';
import { type ProviderFailure, ProviderVerificationError } from '../../src/local-service/providers/errors.ts';
import { verifyFacebookToken } from '../../src/local-service/providers/facebook.ts';
import { verifyFirebaseIdToken } from '../../src/local-service/providers/firebase.ts';
import { oauth1Signature } from '../../src/local-service/providers/oauth1.ts';
import { defaultProviderSettings } from '../../src/local-service/providers/settings.ts';
import { verifyTwitterToken } from '../../src/local-service/providers/twitter.ts';
import { type ProviderStandIns, startProviderStandIns } from '../support/provider-stand-ins.ts';

let providers: ProviderStandIns;

beforeAll(async () => {
  providers = await startProviderStandIns();
});

afterAll(async () => {
  await providers.close();
});

/** Awaits the rejection and checks it is the safe provider error, without the secret in it. */
async function expectFailure(
  attempt: Promise<unknown>,
  expected: { failure: ProviderFailure; message: string; secret?: string },
): Promise<void> {
  const error = await attempt.then(
    () => new Error('verification succeeded'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ProviderVerificationError);
  const { failure, message } = error as ProviderVerificationError;
  expect({ failure, message }).toEqual({ failure: expected.failure, message: expected.message });
  if (expected.secret) expect(message).not.toContain(expected.secret);
}

describe('settings', () => {
  it('point at the real providers by default', () => {
    expect(defaultProviderSettings).toEqual({
      facebookGraphUrl: 'https://graph.facebook.com',
      twitterApiUrl: 'https://api.twitter.com',
      firebaseJwksUrl: 'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com',
    });
  });
});

describe('Facebook', () => {
  const graphUrl = () => providers.settings.facebookGraphUrl;
  const app = () => providers.facebook.app;

  it('returns the user the Graph API names for the token', async () => {
    const token = providers.facebook.issueToken({ id: '1001', name: 'Ann Lee', email: 'ann@x.io' });
    await expect(verifyFacebookToken(token, { app: app(), graphUrl: graphUrl() })).resolves.toEqual({
      id: '1001',
      name: 'Ann Lee',
      email: 'ann@x.io',
    });
  });

  it('leaves out fields the user did not share', async () => {
    const token = providers.facebook.issueToken({ id: '1002' });
    await expect(verifyFacebookToken(token, { app: app(), graphUrl: `${graphUrl()}/` })).resolves.toEqual({
      id: '1002',
    });
  });

  it('refuses a token the Graph API does not know', async () => {
    await expectFailure(verifyFacebookToken('EAAunknown', { app: app(), graphUrl: graphUrl() }), {
      failure: 'rejected',
      message: 'Facebook access token is not valid',
      secret: 'EAAunknown',
    });
  });

  it('refuses an empty token without calling out', async () => {
    await expectFailure(verifyFacebookToken('', { app: app(), graphUrl: graphUrl() }), {
      failure: 'rejected',
      message: 'Facebook access token is missing',
    });
  });

  it('refuses a token issued for another app', async () => {
    const token = providers.facebook.issueToken({ id: '1003' }, { appId: '999000111' });
    await expectFailure(verifyFacebookToken(token, { app: app(), graphUrl: graphUrl() }), {
      failure: 'rejected',
      message: 'Facebook access token was issued for another app',
      secret: token,
    });
  });

  it('refuses every token when the app secret is wrong', async () => {
    const token = providers.facebook.issueToken({ id: '1004' });
    const wrong = { id: app().id, secret: 'f'.repeat(32) };
    await expectFailure(verifyFacebookToken(token, { app: wrong, graphUrl: graphUrl() }), {
      failure: 'rejected',
      message: 'Facebook access token is not valid',
      secret: wrong.secret,
    });
  });

  it('fails when a 200 token check holds no verdict', async () => {
    await expectFailure(verifyFacebookToken('EAAany', { app: app(), graphUrl: `${providers.broken.url}/empty` }), {
      failure: 'unavailable',
      message: 'Facebook sent an unreadable token check',
    });
  });

  it('fails on a reply that is not JSON', async () => {
    await expectFailure(verifyFacebookToken('EAAany', { app: app(), graphUrl: `${providers.broken.url}/not-json` }), {
      failure: 'unavailable',
      message: 'Facebook sent a reply that is not JSON',
    });
  });

  it('fails on a server error', async () => {
    await expectFailure(verifyFacebookToken('EAAany', { app: app(), graphUrl: `${providers.broken.url}/error` }), {
      failure: 'unavailable',
      message: 'Facebook is unavailable',
    });
  });

  it('gives up on a provider that does not answer', async () => {
    const started = Date.now();
    await expectFailure(
      verifyFacebookToken('EAAany', { app: app(), graphUrl: `${providers.broken.url}/hang`, timeoutMs: 200 }),
      {
        failure: 'unavailable',
        message: 'Facebook could not be reached',
      },
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports a malformed Graph URL as misconfiguration', async () => {
    await expectFailure(verifyFacebookToken('EAAany', { app: app(), graphUrl: 'not a url' }), {
      failure: 'misconfigured',
      message: 'Facebook login is misconfigured',
    });
  });
});

describe('OAuth 1.0a signature', () => {
  it("matches Twitter's published example", () => {
    // developer.twitter.com "Creating a signature": the stand-in trusts this function,
    // so it is checked against a signature computed by Twitter itself.
    const signature = oauth1Signature({
      method: 'POST',
      baseUri: 'https://api.twitter.com/1.1/statuses/update.json',
      params: [
        ['status', 'Hello Ladies + Gentlemen, a signed OAuth request!'],
        ['include_entities', 'true'],
        ['oauth_consumer_key', 'xvz1evFS4wEEPTGEFPHBog'],
        ['oauth_nonce', 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg'],
        ['oauth_signature_method', 'HMAC-SHA1'],
        ['oauth_timestamp', '1318622958'],
        ['oauth_token', '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb'],
        ['oauth_version', '1.0'],
      ],
      consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
      tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
    });
    expect(signature).toBe('hCtSmYh+iHYCEqBWrE7C7hYmtUk=');
  });
});

describe('Twitter', () => {
  const options = () => ({
    apiUrl: providers.settings.twitterApiUrl,
    consumerKey: providers.settings.twitterConsumerKey,
    consumerSecret: providers.settings.twitterConsumerSecret,
  });

  it('returns the user verify_credentials names for a correctly signed request', async () => {
    const { token, secret } = providers.twitter.issueToken({
      id: '2244994945',
      name: 'Bo Chen',
      screenName: 'bochen',
    });
    await expect(verifyTwitterToken(token, secret, options())).resolves.toEqual({
      id: '2244994945',
      name: 'Bo Chen',
      screenName: 'bochen',
    });
  });

  it('refuses a request signed with the wrong token secret', async () => {
    const { token } = providers.twitter.issueToken({ id: '301' });
    await expectFailure(verifyTwitterToken(token, 'not-the-secret', options()), {
      failure: 'rejected',
      message: 'Twitter token is not valid',
      secret: token,
    });
  });

  it('refuses a request signed with the wrong consumer secret', async () => {
    const { token, secret } = providers.twitter.issueToken({ id: '302' });
    await expectFailure(verifyTwitterToken(token, secret, { ...options(), consumerSecret: 'wrong-app-secret' }), {
      failure: 'rejected',
      message: 'Twitter token is not valid',
    });
  });

  it('refuses a request from an unknown consumer key', async () => {
    const { token, secret } = providers.twitter.issueToken({ id: '303' });
    await expectFailure(verifyTwitterToken(token, secret, { ...options(), consumerKey: 'other-app' }), {
      failure: 'rejected',
      message: 'Twitter token is not valid',
    });
  });

  it('refuses a token Twitter does not know', async () => {
    await expectFailure(verifyTwitterToken('999-unknown', 'whatever', options()), {
      failure: 'rejected',
      message: 'Twitter token is not valid',
    });
  });

  it('refuses an empty token or secret', async () => {
    await expectFailure(verifyTwitterToken('', 'secret', options()), {
      failure: 'rejected',
      message: 'Twitter token and secret are required',
    });
    await expectFailure(verifyTwitterToken('token', '', options()), {
      failure: 'rejected',
      message: 'Twitter token and secret are required',
    });
  });

  it('is refused as misconfigured without the app credentials', async () => {
    const { token, secret } = providers.twitter.issueToken({ id: '304' });
    await expectFailure(verifyTwitterToken(token, secret, { apiUrl: providers.settings.twitterApiUrl }), {
      failure: 'misconfigured',
      message: 'Twitter login is not configured',
    });
  });

  it('fails when a 200 reply holds no id', async () => {
    await expectFailure(verifyTwitterToken('t', 's', { ...options(), apiUrl: `${providers.broken.url}/empty` }), {
      failure: 'unavailable',
      message: 'Twitter returned no user id',
    });
  });
});

describe('Firebase', () => {
  const projectId = 'cube-test-project';
  const verify = (idToken: string, kind: 'phone' | 'email', project = projectId) =>
    verifyFirebaseIdToken(idToken, {
      projectId: project,
      allowedProjectIds: [projectId, 'other-project'],
      kind,
      jwksUrl: providers.settings.firebaseJwksUrl,
    });
  const phoneClaims = { sub: 'uid-phone-1', phone_number: '+15550001111' };

  it('accepts a phone token signed by a key in the JWKS', async () => {
    const idToken = await providers.firebase.signIdToken(phoneClaims, { projectId });
    await expect(verify(idToken, 'phone')).resolves.toEqual({
      project: projectId,
      uid: 'uid-phone-1',
      phone: '+15550001111',
    });
  });

  it('accepts an email token', async () => {
    const idToken = await providers.firebase.signIdToken(
      { sub: 'uid-mail-1', email: 'cy@x.io', email_verified: true },
      { projectId },
    );
    await expect(verify(idToken, 'email')).resolves.toEqual({
      project: projectId,
      uid: 'uid-mail-1',
      email: 'cy@x.io',
    });
  });

  it('fetches the JWKS once for many verifications', async () => {
    for (const sub of ['uid-a', 'uid-b', 'uid-c']) {
      const idToken = await providers.firebase.signIdToken({ ...phoneClaims, sub }, { projectId });
      await expect(verify(idToken, 'phone')).resolves.toMatchObject({ uid: sub });
    }
    // One key set per URL for the whole process, whichever test loaded it first.
    expect(providers.firebase.jwksFetches()).toBe(1);
  });

  it('refuses an expired token', async () => {
    const idToken = await providers.firebase.signIdToken(phoneClaims, {
      projectId,
      expiresInSeconds: -60,
    });
    await expectFailure(verify(idToken, 'phone'), {
      failure: 'rejected',
      message: 'Firebase ID token has expired',
    });
  });

  it('refuses a token for another project (audience)', async () => {
    const idToken = await providers.firebase.signIdToken(
      { ...phoneClaims, aud: 'someone-elses-project' },
      { projectId },
    );
    await expectFailure(verify(idToken, 'phone'), {
      failure: 'rejected',
      message: 'Firebase ID token is not valid',
    });
  });

  it('refuses a token from another issuer', async () => {
    const idToken = await providers.firebase.signIdToken(
      { ...phoneClaims, iss: 'https://securetoken.google.com/someone-elses-project' },
      { projectId },
    );
    await expectFailure(verify(idToken, 'phone'), {
      failure: 'rejected',
      message: 'Firebase ID token is not valid',
    });
  });

  it('refuses a valid token of one project presented for another', async () => {
    const idToken = await providers.firebase.signIdToken(phoneClaims, { projectId });
    await expectFailure(verify(idToken, 'phone', 'other-project'), {
      failure: 'rejected',
      message: 'Firebase ID token is not valid',
    });
  });

  it('refuses a token signed by a key outside the JWKS', async () => {
    const idToken = await providers.firebase.signIdToken(phoneClaims, {
      projectId,
      key: 'untrusted',
    });
    await expectFailure(verify(idToken, 'phone'), {
      failure: 'rejected',
      message: 'Firebase ID token is not valid',
    });
  });

  it('refuses an unsigned token', async () => {
    const signed = await providers.firebase.signIdToken(phoneClaims, { projectId });
    const [, payload] = signed.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expectFailure(verify(`${header}.${payload}.`, 'phone'), {
      failure: 'rejected',
      message: 'Firebase ID token is not valid',
    });
  });

  it('refuses something that is not a JWT', async () => {
    await expectFailure(verify('not-a-jwt', 'phone'), {
      failure: 'rejected',
      message: 'Firebase ID token is not valid',
    });
  });

  it('refuses a token issued in the future', async () => {
    const idToken = await providers.firebase.signIdToken(
      { ...phoneClaims, iat: Math.floor(Date.now() / 1000) + 600 },
      { projectId },
    );
    await expectFailure(verify(idToken, 'phone'), {
      failure: 'rejected',
      message: 'Firebase ID token is not valid',
    });
  });

  it('refuses a token with an empty subject', async () => {
    const idToken = await providers.firebase.signIdToken({ ...phoneClaims, sub: '' }, { projectId });
    await expectFailure(verify(idToken, 'phone'), {
      failure: 'rejected',
      message: 'Firebase ID token is not valid',
    });
  });

  it('refuses a phone login whose token has no phone number', async () => {
    const idToken = await providers.firebase.signIdToken(
      { sub: 'uid-phone-3', firebase: { sign_in_provider: 'phone' } },
      { projectId },
    );
    await expectFailure(verify(idToken, 'phone'), {
      failure: 'rejected',
      message: 'Firebase ID token has no phone number',
    });
  });

  it('refuses an email login whose token has no email', async () => {
    const idToken = await providers.firebase.signIdToken({ sub: 'uid-mail-3', email_verified: true }, { projectId });
    await expectFailure(verify(idToken, 'email'), {
      failure: 'rejected',
      message: 'Firebase ID token has no email',
    });
  });

  it('refuses an empty project id', async () => {
    const idToken = await providers.firebase.signIdToken(phoneClaims, { projectId });
    await expectFailure(verify(idToken, 'phone', ''), {
      failure: 'rejected',
      message: 'Firebase project id is missing',
    });
  });

  it('refuses a project the application does not list, before any key is fetched', async () => {
    const idToken = await providers.firebase.signIdToken(phoneClaims, { projectId: 'attacker-project' });
    await expectFailure(verify(idToken, 'phone', 'attacker-project'), {
      failure: 'rejected',
      message: 'Firebase project is not allowed for this application',
    });
  });

  it('is refused as misconfigured when the application lists no project', async () => {
    const idToken = await providers.firebase.signIdToken(phoneClaims, { projectId });
    await expectFailure(
      verifyFirebaseIdToken(idToken, {
        projectId,
        allowedProjectIds: [],
        kind: 'phone',
        jwksUrl: providers.settings.firebaseJwksUrl,
      }),
      { failure: 'misconfigured', message: 'Firebase login is not configured for this application' },
    );
  });

  it('refuses a phone login from another sign-in method', async () => {
    const idToken = await providers.firebase.signIdToken(
      { ...phoneClaims, firebase: { sign_in_provider: 'google.com' } },
      { projectId },
    );
    await expectFailure(verify(idToken, 'phone'), {
      failure: 'rejected',
      message: 'Firebase ID token is not from a phone sign-in',
    });
  });

  it('refuses an email login from a sign-in other than email and password', async () => {
    for (const provider of ['phone', 'google.com', 'custom']) {
      const idToken = await providers.firebase.signIdToken(
        { sub: 'uid-mail-4', email: 'eve@x.io', email_verified: true, firebase: { sign_in_provider: provider } },
        { projectId },
      );
      await expectFailure(verify(idToken, 'email'), {
        failure: 'rejected',
        message: 'Firebase ID token is not from an email and password sign-in',
      });
    }
  });

  it('refuses an email login whose address is not verified', async () => {
    for (const verified of [false, 'true', undefined]) {
      const idToken = await providers.firebase.signIdToken(
        { sub: 'uid-mail-5', email: 'fay@x.io', email_verified: verified },
        { projectId },
      );
      await expectFailure(verify(idToken, 'email'), {
        failure: 'rejected',
        message: 'Firebase email is not verified',
      });
    }
  });

  it('reports keys it cannot fetch as unavailable', async () => {
    const idToken = await providers.firebase.signIdToken(phoneClaims, { projectId });
    await expectFailure(
      verifyFirebaseIdToken(idToken, {
        projectId,
        allowedProjectIds: [projectId],
        kind: 'phone',
        jwksUrl: `${providers.broken.url}/error/jwks`,
      }),
      { failure: 'unavailable', message: 'Firebase keys could not be fetched' },
    );
  });
});

describe('custom identity provider', () => {
  const options = (overrides: Partial<CustomIdentityOptions> = {}): CustomIdentityOptions => ({
    url: providers.cidp.url,
    requestParams: { token: '#{login}' },
    responseParams: { uid: '#{user.id}' },
    ...overrides,
  });

  it('sends the login through the request template and reads the uid by path', async () => {
    const token = providers.cidp.issueToken('ext-42');
    await expect(verifyCustomIdentity(token, options())).resolves.toEqual({
      uid: 'ext-42',
      attributes: {},
    });
  });

  it('takes templates as JSON text and a numeric uid as a string', async () => {
    const token = providers.cidp.issueToken(4242);
    await expect(
      verifyCustomIdentity(
        token,
        options({
          requestParams: '{"token": "#{login}"}',
          responseParams: '{"uid": "#{user.id}", "login": "#{user.id}", "email": "#{user.email}"}',
        }),
      ),
    ).resolves.toEqual({ uid: '4242', attributes: { login: '4242' } });
  });

  it('fails when the provider answers 401', async () => {
    await expectFailure(verifyCustomIdentity('unknown-token', options()), {
      failure: 'rejected',
      message: 'Custom identity provider refused the login',
      secret: 'unknown-token',
    });
  });

  it('sends the parameter the template names, not a fixed one', async () => {
    const token = providers.cidp.issueToken('ext-43');
    await expectFailure(verifyCustomIdentity(token, options({ requestParams: { access_token: '#{login}' } })), {
      failure: 'rejected',
      message: 'Custom identity provider refused the login',
    });
  });

  it('fails when the uid path is missing from the reply', async () => {
    const token = providers.cidp.issueToken('ext-44');
    await expectFailure(verifyCustomIdentity(token, options({ responseParams: { uid: '#{account.id}' } })), {
      failure: 'unavailable',
      message: 'Custom identity provider returned no user id',
    });
  });

  it('fails when the uid path ends on an object', async () => {
    const token = providers.cidp.issueToken('ext-45');
    await expectFailure(verifyCustomIdentity(token, options({ responseParams: { uid: '#{user}' } })), {
      failure: 'unavailable',
      message: 'Custom identity provider returned no user id',
    });
  });

  it('fails on a reply that is not JSON', async () => {
    await expectFailure(verifyCustomIdentity('any', options({ url: `${providers.broken.url}/not-json/verify` })), {
      failure: 'unavailable',
      message: 'Custom identity provider sent a reply that is not JSON',
    });
  });

  it('reports broken templates as misconfiguration', async () => {
    const token = providers.cidp.issueToken('ext-46');
    const misconfigured = {
      failure: 'misconfigured' as const,
      message: 'Custom identity provider is misconfigured',
    };
    await expectFailure(
      verifyCustomIdentity(token, options({ requestParams: { token: '#{password}' } })),
      misconfigured,
    );
    await expectFailure(verifyCustomIdentity(token, options({ responseParams: { id: '#{user.id}' } })), misconfigured);
    await expectFailure(verifyCustomIdentity(token, options({ responseParams: '{"uid": ' })), misconfigured);
    await expectFailure(verifyCustomIdentity(token, options({ responseParams: { uid: 'user.id' } })), misconfigured);
  });
});
