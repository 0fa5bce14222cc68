import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertUser } from '../support/users.ts';
import {
  expectNoSecretLeaked,
  LOGIN,
  type SecuredGateway,
  startAnotherGateway,
  startSecuredGateway,
} from './harness.ts';
import { SecretScan } from './secret-scan.ts';

/**
 * Harvesting personal data: `email`, `phone`, `externalId`, `facebookId` and `twitterId` are
 * the user's own. Another user, or anyone with an application session (which needs no
 * credentials), reads null, unless PUBLIC_USER_FIELDS makes a field public.
 */

const scan = new SecretScan();
let secured: SecuredGateway;
let first: { id: number; login: string; token: string };
let second: { token: string };
let appToken: string;

const PERSONAL = 'email phone externalId facebookId twitterId';

beforeAll(async () => {
  secured = await startSecuredGateway(scan);
  const local = secured.gw.local;
  const password = scan.secret(`pw-${randomBytes(9).toString('base64url')}`, 'password');
  const firstRow = await insertUser(local, 'first', {
    password,
    phone: '+15550001',
    external_id: 'ext-first',
    facebook_id: 'fb-first',
    twitter_id: 'tw-first',
  });
  await insertUser(local, 'second', { password });
  const logIn = async (login: string) =>
    (await secured.client()(LOGIN, { input: { login, password } })).data.login.session.token as string;
  first = { id: firstRow.id, login: 'first', token: await logIn('first') };
  second = { token: await logIn('second') };
  appToken = (
    await secured.client()('mutation { createSession { ... on CreateSessionSuccess { session { token } } } }')
  ).data.createSession.session.token;
});
afterAll(() => secured?.close());

const read = (token: string, query: string) => secured.client()(query, {}, { token });
const nulls = { email: null, phone: null, externalId: null, facebookId: null, twitterId: null };

describe('personal fields', () => {
  it('another user reads null for them, by every way of reaching the user', async () => {
    const res = await read(
      second.token,
      `{
        byLogin: user(login: "first") { login ${PERSONAL} }
        byEmail: user(email: "first@example.test") { login ${PERSONAL} }
        list: users(filter: { logins: ["first"] }, first: 10) { nodes { login ${PERSONAL} } }
      }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.byLogin).toEqual({ login: 'first', ...nulls });
    // A lookup by a personal key still finds the user, without echoing the key.
    expect(res.data.byEmail).toEqual({ login: 'first', ...nulls });
    expect(res.data.list.nodes).toEqual([{ login: 'first', ...nulls }]);
  });

  it('an application session reads null for them', async () => {
    const res = await read(appToken, `{ user(login: "first") { login ${PERSONAL} } }`);
    expect(res.data.user).toEqual({ login: 'first', ...nulls });
  });

  it('the user reads their own', async () => {
    const res = await read(first.token, `{ me { ${PERSONAL} } user(login: "first") { email } }`);
    expect(res.data.me).toEqual({
      email: 'first@example.test',
      phone: '+15550001',
      externalId: 'ext-first',
      facebookId: 'fb-first',
      twitterId: 'tw-first',
    });
    expect(res.data.user.email).toBe('first@example.test');
  });

  it('PUBLIC_USER_FIELDS=email makes the email (and only it) visible to others', async () => {
    const open = await startAnotherGateway(scan, secured.gw, { PUBLIC_USER_FIELDS: 'email' });
    try {
      const res = await open.client()(`{ user(login: "first") { ${PERSONAL} } }`, {}, { token: second.token });
      expect(res.data.user).toEqual({ ...nulls, email: 'first@example.test' });
    } finally {
      await open.close();
    }
  });
});

describe('list arguments', () => {
  it('users(filter:) refuses a list of more than 100 entries (BAD_USER_INPUT), before any upstream call', async () => {
    const emails = Array.from({ length: 101 }, (_, i) => `guess${i}@example.test`);
    secured.gw.upstream.reset();
    const res = await secured.client()(
      'query($emails: [String!]) { users(filter: { emails: $emails }, first: 10) { totalCount } }',
      { emails },
      { token: appToken },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain('emails: can hold at most 100 entries');
    expect(secured.gw.upstream.calls).toHaveLength(0);
  });
});

it('logs and answers no password, token or key', () => {
  expectNoSecretLeaked(scan);
});
