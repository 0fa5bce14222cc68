import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecretLeaked, type SecuredGateway, startSecuredGateway } from './harness.ts';
import { SecretScan } from './secret-scan.ts';

/**
 * The secret scan cannot pass vacuously: a planted secret is found in each place it reads
 * (gateway log, local-service log, response body), a token is allowed only in the answer
 * that issued it, and a scan that saw nothing fails.
 */

const planted = () => `planted-${randomBytes(8).toString('hex')}`;

describe('the secret scan', () => {
  const scan = new SecretScan();
  let secured: SecuredGateway;
  beforeAll(async () => {
    secured = await startSecuredGateway(scan);
  });
  afterAll(() => secured?.close());

  it("finds a secret in the gateway's log", () => {
    const secret = scan.secret(planted(), 'planted secret');
    secured.gw.app.deps.logger.warn({ note: secret }, 'planted');
    expect(scan.leaks()).toContainEqual({
      kind: 'planted secret',
      where: expect.stringMatching(/^log line gateway: /),
    });
  });

  it("finds a secret in the local service's log", () => {
    const secret = scan.secret(planted(), 'planted local secret');
    secured.gw.local.service.server.log.warn({ note: secret }, 'planted');
    expect(scan.leaks()).toContainEqual({
      kind: 'planted local secret',
      where: expect.stringMatching(/^log line local-service: /),
    });
  });

  it('finds a secret in a response body, and reads real traffic', async () => {
    const secret = scan.secret(planted(), 'planted body secret');
    const password = scan.secret(planted(), 'password');
    await secured.client()(
      'mutation($i: SignUpInput!) { signUp(input: $i) { ... on SignUpSuccess { user { fullName } } } }',
      {
        i: { login: 'planter', password, fullName: secret },
      },
    );
    expect(scan.leaks()).toContainEqual({ kind: 'planted body secret', where: expect.stringMatching(/^body of /) });
    expect(scan.leaks().map((leak) => leak.kind)).not.toContain('password');
    expect(scan.lines.some((line) => line.startsWith('gateway: '))).toBe(true);
    expect(scan.lines.some((line) => line.startsWith('local-service: '))).toBe(true);
  });
});

describe('the scan itself', () => {
  it('allows a token only in the answer that issued it', () => {
    const scan = new SecretScan();
    scan.body('login', '{"data":{"login":{"session":{"token":"0123456789abcdef"}}}}');
    expect(scan.leaks()).toEqual([]);
    scan.body('another answer', '{"data":{"echo":"0123456789abcdef"}}');
    expect(scan.leaks()).toEqual([{ kind: 'session token', where: expect.stringContaining('another answer') }]);
  });

  it('fails a run that captured nothing', () => {
    expect(() => expectNoSecretLeaked(new SecretScan())).toThrow(/log lines captured/);
  });

  it('does not print the secret it found', () => {
    const scan = new SecretScan();
    const secret = scan.secret(planted(), 'password');
    scan.body('answer', `{"oops":"${secret}"}`);
    expect(JSON.stringify(scan.leaks())).not.toContain(secret);
  });
});

describe('refused variables', () => {
  const scan = new SecretScan();
  let secured: SecuredGateway;
  beforeAll(async () => {
    secured = await startSecuredGateway(scan);
  });
  afterAll(() => secured?.close());

  it('are named with their path and reason, without echoing the value (the password)', async () => {
    const password = scan.secret(planted(), 'password');
    const res = await secured.client()('mutation($i: SignUpInput!) { signUp(input: $i) { __typename } }', {
      i: { login: 'echo', password, tags: ['fine', 1] },
    });
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.length).toBeGreaterThan(0);
    for (const error of res.errors ?? [])
      expect(error.message).toMatch(/^Variable "\$i" got invalid value( at "[^"]+")?; /);
    expect(res.errors?.map((e) => e.message).join('\n')).toContain('at "i.tags[1]"');
    expectNoSecretLeaked(scan);
  });
});
