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
 * Password guessing through the gateway: one client address hammering an account is cut off
 * by the gateway (after RATE_LIMIT_LOGIN_PER_IDENTITY consecutive failures, 5 by default),
 * while the account's owner, from another address, still logs in. The client address is the
 * socket's peer unless the peer is a trusted proxy.
 */

const scan = new SecretScan();
let secured: SecuredGateway;
let users = 0;

beforeAll(async () => {
  secured = await startSecuredGateway(scan);
});
afterAll(() => secured?.close());

/** A fresh account with its own strong password (registered with the scan). */
async function victim() {
  const login = `victim${++users}`;
  const password = scan.secret(`pw-${randomBytes(9).toString('base64url')}`, 'password');
  await insertUser(secured.gw.local, login, { password });
  return { login, password };
}

const wrongPassword = (i: number) => scan.secret(`wrong-guess-${i}-${randomBytes(4).toString('hex')}`, 'password');
const sessionCalls = () => secured.gw.upstream.calls.filter((c) => c.method === 'POST' && c.path === '/session');

describe('failed logins', () => {
  it('thirty failed logins from 127.0.0.2 leave the owner, from 127.0.0.1, able to log in', async () => {
    const { login, password } = await victim();
    const attacker = secured.client('127.0.0.2');
    secured.gw.upstream.reset();
    const answers: any[] = [];
    for (let i = 0; i < 30; i++) {
      answers.push(await attacker(LOGIN, { input: { login, password: wrongPassword(i) } }));
    }
    const kinds = answers.map((a) => a.data.login.__typename);
    expect(kinds.slice(0, 5)).toEqual(Array(5).fill('InvalidCredentialsError'));
    expect(kinds.slice(5)).toEqual(Array(25).fill('RateLimitedError'));
    const refused = answers[29];
    expect(refused.data.login).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused.data.login.retryAfterSeconds).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBe(refused.data.login.retryAfterSeconds);
    // The gateway stopped the guesses itself: only the first five reached the upstream.
    expect(sessionCalls()).toHaveLength(5);

    const owner = await secured.client('127.0.0.1')(LOGIN, { input: { login, password } });
    expect(owner.data.login.__typename).toBe('LoginSuccess');
    // Even the right password is refused to the abusive address while it waits.
    const attackerRight = await attacker(LOGIN, { input: { login, password } });
    expect(attackerRight.data.login.__typename).toBe('RateLimitedError');
  });

  it('tells the upstream the client address (X-Forwarded-For) on every call made for a client', async () => {
    const { login, password } = await victim();
    secured.gw.upstream.reset();
    await secured.client('127.0.0.4')(LOGIN, { input: { login, password } });
    const calls = sessionCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers['x-forwarded-for']).toBe('127.0.0.4');
  });

  it('ignores a spoofed X-Forwarded-For from an untrusted peer: the limit counts the real peer', async () => {
    const { login, password } = await victim();
    const attacker = secured.client('127.0.0.5');
    secured.gw.upstream.reset();
    const kinds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const spoofed = { 'x-forwarded-for': `198.51.100.${i + 1}` };
      const res = await attacker(LOGIN, { input: { login, password: wrongPassword(i) } }, { headers: spoofed });
      kinds.push(res.data.login.__typename);
    }
    expect(kinds.filter((k) => k === 'InvalidCredentialsError')).toHaveLength(5);
    expect(kinds.slice(5)).toEqual(Array(7).fill('RateLimitedError'));
    expect(sessionCalls()).toHaveLength(5);
    // And the upstream hears of the real peer, not of the spoofed one.
    expect(new Set(sessionCalls().map((c) => c.headers['x-forwarded-for']))).toEqual(new Set(['127.0.0.5']));
    expect((await secured.client('127.0.0.1')(LOGIN, { input: { login, password } })).data.login.__typename).toBe(
      'LoginSuccess',
    );
  });

  it('believes X-Forwarded-For from a peer in TRUSTED_PROXIES: clients behind one proxy are told apart', async () => {
    const { login, password } = await victim();
    const behindProxy = await startAnotherGateway(scan, secured.gw, { TRUSTED_PROXIES: '127.0.0.3' });
    try {
      const proxy = behindProxy.client('127.0.0.3');
      const abuser = { 'x-forwarded-for': '203.0.113.7' };
      const owner = { 'x-forwarded-for': '203.0.113.8' };
      secured.gw.upstream.reset();
      const kinds: string[] = [];
      for (let i = 0; i < 8; i++) {
        kinds.push(
          (await proxy(LOGIN, { input: { login, password: wrongPassword(i) } }, { headers: abuser })).data.login
            .__typename,
        );
      }
      expect(kinds.slice(5)).toEqual(Array(3).fill('RateLimitedError'));
      expect(new Set(sessionCalls().map((c) => c.headers['x-forwarded-for']))).toEqual(new Set(['203.0.113.7']));
      const ownerLogin = await proxy(LOGIN, { input: { login, password } }, { headers: owner });
      expect(ownerLogin.data.login.__typename).toBe('LoginSuccess');
    } finally {
      await behindProxy.close();
    }
  });

  it('a success ends the run of failures: the owner who mistyped a few times is not locked out', async () => {
    const { login, password } = await victim();
    const owner = secured.client('127.0.0.6');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) {
        const res = await owner(LOGIN, { input: { login, password: wrongPassword(i) } });
        expect(res.data.login.__typename).toBe('InvalidCredentialsError');
      }
      expect((await owner(LOGIN, { input: { login, password } })).data.login.__typename).toBe('LoginSuccess');
    }
  });
});

it('logs and answers no password, token or key', () => {
  expectNoSecretLeaked(scan);
});
