import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, redisUrl, reportRedisSkip } from '../sessions/support.ts';
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
 * Spreading guesses over several gateway instances does not multiply them: with REDIS_URL
 * the counters live in Redis, shared by every instance.
 */

reportRedisSkip('security: attempt limits shared by two gateway instances (redis)');

describe.runIf(redisUrl)('two gateway instances on one Redis', () => {
  const scan = new SecretScan();
  const keyPrefix = `test-security:${randomUUID()}:`;
  const env = {
    REDIS_URL: redisUrl as string,
    REDIS_KEY_PREFIX: keyPrefix,
    SESSION_TOKEN_HASH_KEY: randomBytes(24).toString('hex'),
  };
  let secured: SecuredGateway;
  let second: Awaited<ReturnType<typeof startAnotherGateway>>;

  beforeAll(async () => {
    secured = await startSecuredGateway(scan, { env });
    second = await startAnotherGateway(scan, secured.gw, env);
  });
  afterAll(async () => {
    await second?.close();
    await secured?.close();
    await deleteKeys(keyPrefix);
  });

  it('count failed logins together: the fifth failure on either instance ends the guessing on both', async () => {
    const password = scan.secret(`pw-${randomBytes(9).toString('base64url')}`, 'password');
    await insertUser(secured.gw.local, 'shared-victim', { password });
    const instances = [secured.client('127.0.0.2'), second.client('127.0.0.2')];
    secured.gw.upstream.reset();
    const kinds: string[] = [];
    for (let i = 0; i < 10; i++) {
      const guess = scan.secret(`wrong-guess-${i}-${randomBytes(4).toString('hex')}`, 'password');
      const attempt = instances[i % 2] as (typeof instances)[0];
      kinds.push((await attempt(LOGIN, { input: { login: 'shared-victim', password: guess } })).data.login.__typename);
    }
    expect(kinds.slice(0, 5)).toEqual(Array(5).fill('InvalidCredentialsError'));
    expect(kinds.slice(5)).toEqual(Array(5).fill('RateLimitedError'));
    expect(secured.gw.upstream.count('POST', '/session')).toBe(5);
    // The owner, elsewhere, is not affected on either instance.
    for (const client of [secured.client('127.0.0.1'), second.client('127.0.0.1')]) {
      expect((await client(LOGIN, { input: { login: 'shared-victim', password } })).data.login.__typename).toBe(
        'LoginSuccess',
      );
    }
  });

  it('logs and answers no password, token or key', () => {
    expectNoSecretLeaked(scan);
  });
});
