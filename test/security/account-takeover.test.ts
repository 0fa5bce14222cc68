import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertUser } from '../support/users.ts';
import { expectNoSecretLeaked, LOGIN, type SecuredGateway, startSecuredGateway } from './harness.ts';
import { SecretScan } from './secret-scan.ts';

/**
 * Taking over accounts: claiming a provider identity before its owner arrives, keeping a
 * stolen session after the owner changed the password, and moving the account's email (and
 * so its password resets) without knowing the password.
 */

const scan = new SecretScan();
let secured: SecuredGateway;
let count = 0;

beforeAll(async () => {
  secured = await startSecuredGateway(scan);
});
afterAll(() => secured?.close());

const newPassword = () => scan.secret(`pw-${randomBytes(9).toString('base64url')}`, 'password');

async function account() {
  const login = `owner${++count}`;
  const password = newPassword();
  const user = await insertUser(secured.gw.local, login, { password });
  return { login, password, user };
}

async function logIn(login: string, password: string, from = '127.0.0.1'): Promise<string> {
  const res = await secured.client(from)(LOGIN, { input: { login, password } });
  expect(res.data.login.__typename).toBe('LoginSuccess');
  return res.data.login.session.token;
}

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { __typename ... on Error { code } } }`;
const UPDATE_ME = `mutation($input: UpdateMeInput!) {
  updateMe(input: $input) {
    __typename
    ... on UpdateMeSuccess { user { email } }
    ... on Error { code message }
    ... on ValidationError { fields { field messages } }
    ... on RateLimitedError { retryAfterSeconds }
  }
}`;

describe('provider identities', () => {
  for (const field of ['externalId', 'facebookId', 'twitterId']) {
    it(`signUp refuses ${field}: provider ids come only from a provider login`, async () => {
      const res = await secured.client()(SIGN_UP, {
        input: { login: `claimer-${field.toLowerCase()}`, password: newPassword(), [field]: 'victim-uid-1' },
      });
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.[0]?.message).toContain(`"${field}" is not defined by type "SignUpInput"`);
      const claimed = await secured.gw.local.service.deps.users.findByExternal(
        secured.gw.local.application.id,
        'victim-uid-1',
      );
      expect(claimed).toBeUndefined();
    });
  }

  it('updateMe refuses externalId too', async () => {
    const { login, password } = await account();
    const token = await logIn(login, password);
    const res = await secured.client()(UPDATE_ME, { input: { externalId: 'victim-uid-2' } }, { token });
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0]?.message).toContain('"externalId" is not defined by type "UpdateMeInput"');
  });
});

describe('password change', () => {
  it("ends the user's other sessions: a stolen token is dead, the changer's own goes on", async () => {
    const { login, password } = await account();
    const stolen = await logIn(login, password, '127.0.0.2');
    const mine = await logIn(login, password);
    const changed = await secured.client()(
      UPDATE_ME,
      { input: { password: newPassword(), oldPassword: password } },
      { token: mine },
    );
    expect(changed.data.updateMe.__typename).toBe('UpdateMeSuccess');
    const thief = await secured.client('127.0.0.2')('{ me { databaseId } }', {}, { token: stolen });
    expect(thief.errors?.[0]?.extensions?.code).toBe('SESSION_EXPIRED');
    const me = await secured.client()('{ me { databaseId } }', {}, { token: mine });
    expect(me.data.me).not.toBeNull();
  });

  it('leaves other sessions alone when only the profile changes', async () => {
    const { login, password } = await account();
    const other = await logIn(login, password, '127.0.0.2');
    const mine = await logIn(login, password);
    await secured.client()(UPDATE_ME, { input: { fullName: 'Still Me' } }, { token: mine });
    const res = await secured.client('127.0.0.2')('{ me { fullName } }', {}, { token: other });
    expect(res.data.me).toEqual({ fullName: 'Still Me' });
  });
});

describe('email change', () => {
  it('is refused without oldPassword, before any upstream call', async () => {
    const { login, password, user } = await account();
    const token = await logIn(login, password);
    secured.gw.upstream.reset();
    const res = await secured.client()(UPDATE_ME, { input: { email: 'thief@example.test' } }, { token });
    expect(res.data.updateMe).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ field: 'oldPassword', messages: ['is required to change the email'] }],
    });
    expect(secured.gw.upstream.count('PUT', `/users/${user.id}`)).toBe(0);
    expect((await secured.gw.local.service.deps.users.findById(user.application_id, user.id))?.email).toBe(user.email);
  });

  it("is refused with a wrong oldPassword (the upstream's refusal), and works with the right one", async () => {
    const { login, password, user } = await account();
    const token = await logIn(login, password);
    const wrong = await secured.client()(
      UPDATE_ME,
      { input: { email: 'thief@example.test', oldPassword: newPassword() } },
      { token },
    );
    expect(wrong.data.updateMe).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'oldPassword' }] });
    expect((await secured.gw.local.service.deps.users.findById(user.application_id, user.id))?.email).toBe(user.email);

    const right = await secured.client()(
      UPDATE_ME,
      { input: { email: `${login}-new@example.test`, oldPassword: password } },
      { token },
    );
    expect(right.data.updateMe).toEqual({
      __typename: 'UpdateMeSuccess',
      user: { email: `${login}-new@example.test` },
    });
    // The password is what it was.
    await logIn(login, password);
  });

  it('wrong oldPassword guesses are limited per (user, client address)', async () => {
    const { login, password } = await account();
    const token = await logIn(login, password, '127.0.0.3');
    const guesser = secured.client('127.0.0.3');
    const kinds: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await guesser(
        UPDATE_ME,
        { input: { password: newPassword(), oldPassword: newPassword() } },
        { token },
      );
      kinds.push(res.data.updateMe.__typename);
    }
    expect(kinds.slice(0, 5)).toEqual(Array(5).fill('ValidationError'));
    expect(kinds.slice(5)).toEqual(Array(2).fill('RateLimitedError'));
  });
});

it('logs and answers no password, token or key', () => {
  expectNoSecretLeaked(scan);
});
