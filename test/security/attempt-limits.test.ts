import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertUser } from '../support/users.ts';
import { expectNoSecretLeaked, type SecuredGateway, startSecuredGateway } from './harness.ts';
import { SecretScan } from './secret-scan.ts';

/**
 * Flooding the operations anyone may call without a session: each is limited per client
 * address (and per identity from that address where it names one), and a flood from one
 * address leaves the others alone. Low limits here; the defaults are in the README.
 */

const scan = new SecretScan();
let secured: SecuredGateway;

beforeAll(async () => {
  secured = await startSecuredGateway(scan, {
    env: {
      RATE_LIMIT_SIGN_UP_PER_ADDRESS: '3/3600',
      RATE_LIMIT_RESET_PASSWORD_PER_IDENTITY: '2/3600',
      RATE_LIMIT_CREATE_SESSION_PER_ADDRESS: '3/60',
      RATE_LIMIT_LOGIN_AS_GUEST_PER_ADDRESS: '3/3600',
      RATE_LIMIT_LOGIN_WITH_PROVIDER_PER_ADDRESS: '3/3600',
    },
  });
});
afterAll(() => secured?.close());

let n = 0;
const password = () => scan.secret(`pw-${randomBytes(9).toString('base64url')}`, 'password');
const kind = (res: any, field: string) => res.data[field].__typename as string;

const operations: { name: string; field: string; allowed: number; call: (from: string) => Promise<any> }[] = [
  {
    name: 'signUp',
    field: 'signUp',
    allowed: 3,
    call: (from) =>
      secured.client(from)(
        'mutation($i: SignUpInput!) { signUp(input: $i) { __typename ... on RateLimitedError { retryAfterSeconds } } }',
        {
          i: { login: `flood${++n}`, password: password() },
        },
      ),
  },
  {
    name: 'createSession',
    field: 'createSession',
    allowed: 3,
    call: (from) =>
      secured.client(from)('mutation { createSession { __typename ... on RateLimitedError { retryAfterSeconds } } }'),
  },
  {
    name: 'loginAsGuest',
    field: 'loginAsGuest',
    allowed: 3,
    call: (from) =>
      secured.client(from)(
        'mutation { loginAsGuest(input: { fullName: "Guest" }) { __typename ... on RateLimitedError { retryAfterSeconds } } }',
      ),
  },
  {
    name: 'loginWithProvider (failed attempts)',
    field: 'loginWithProvider',
    allowed: 3,
    // A CUSTOM token the application's identity provider does not know: a failed login.
    call: (from) =>
      secured.client(from)(
        'mutation($t: String!) { loginWithProvider(input: { provider: CUSTOM, accessToken: $t }) { __typename ... on RateLimitedError { retryAfterSeconds } } }',
        { t: scan.secret(`unknown-token-${randomBytes(6).toString('hex')}`, 'provider token') },
      ),
  },
];

describe.each(operations)('$name', ({ field, allowed, call }) => {
  it(`is refused from one address after ${allowed} attempts, while another address goes on`, async () => {
    const flooder = `127.0.0.${10 + operations.findIndex((o) => o.field === field)}`;
    const kinds: string[] = [];
    for (let i = 0; i <= allowed; i++) kinds.push(kind(await call(flooder), field));
    expect(kinds.slice(0, allowed)).not.toContain('RateLimitedError');
    expect(kinds[allowed]).toBe('RateLimitedError');
    const refused = await call(flooder);
    expect(refused.data[field].retryAfterSeconds).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBe(refused.data[field].retryAfterSeconds);
    expect(kind(await call('127.0.0.20'), field)).not.toBe('RateLimitedError');
  });
});

describe('resetPassword', () => {
  const RESET = 'mutation($e: String!) { resetPassword(input: { email: $e }) { __typename } }';
  it('is limited per (email, address): other emails, and the same email from elsewhere, still go through', async () => {
    await insertUser(secured.gw.local, 'resettable', { password: password() });
    const flooder = secured.client('127.0.0.30');
    const kinds: string[] = [];
    for (let i = 0; i < 3; i++)
      kinds.push(kind(await flooder(RESET, { e: 'resettable@example.test' }), 'resetPassword'));
    expect(kinds).toEqual(['ResetPasswordSuccess', 'ResetPasswordSuccess', 'RateLimitedError']);
    expect(kind(await flooder(RESET, { e: 'someone-else@example.test' }), 'resetPassword')).toBe(
      'ResetPasswordSuccess',
    );
    const elsewhere = secured.client('127.0.0.31');
    expect(kind(await elsewhere(RESET, { e: 'RESETTABLE@example.test' }), 'resetPassword')).toBe(
      'ResetPasswordSuccess',
    );

    // The mailed reset tokens join the scan; opening a link must not log its token.
    const mails = await secured.gw.local.service.deps.db.selectFrom('outbox').select('text').execute();
    const links = mails.flatMap((mail) => [...mail.text.matchAll(/(http\S+\/users\/password\/reset\/)([\w-]+)/g)]);
    expect(links).toHaveLength(3);
    for (const [link, , token] of links) {
      scan.secret(token as string, 'reset token');
      await (await fetch(link)).text();
    }
  });
});

it('logs and answers no password, token or key', () => {
  expectNoSecretLeaked(scan);
});
