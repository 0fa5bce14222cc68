import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/local-service/users/passwords.ts';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { type RestClient, restClient, sessionsFor } from '../support/rest-client.ts';

const OLD_PASSWORD = 'old-password-1';
const FAILED_LOGIN_LIMIT = 2;

let local: RunningLocalService;
let api: RestClient;
let sessions: ReturnType<typeof sessionsFor>;
let appToken: string;
let oldHash: string;

beforeAll(async () => {
  local = await startLocalService({ failedLoginLimit: FAILED_LOGIN_LIMIT });
  api = restClient(local.url);
  sessions = sessionsFor(api, local.application);
  [appToken, oldHash] = await Promise.all([sessions.applicationToken(), hashPassword(OLD_PASSWORD)]);
});
afterAll(() => local.close());

interface OutboxMail {
  id: number;
  to: string;
  subject: string;
  text: string;
  created_at: string;
}

async function outbox(service: RunningLocalService = local): Promise<OutboxMail[]> {
  const response = await restClient(service.url).get('/dev/outbox');
  expect(response.status).toBe(200);
  return response.body.items;
}

const LINK = /(https?:\/\/\S+\/users\/password\/reset\/([A-Za-z0-9_-]+))/;

/** The newest reset link mailed to the address, rebased on the service's own origin. */
async function linkFor(email: string, service: RunningLocalService = local): Promise<{ mailed: string; path: string }> {
  const mail = (await outbox(service)).find((item) => item.to === email);
  const match = mail && LINK.exec(mail.text);
  if (!match?.[1]) throw new Error(`no reset mail for ${email}`);
  return { mailed: match[1], path: new URL(match[1]).pathname };
}

async function createUser(login: string) {
  return local.service.deps.users.insert({
    application_id: local.application.id,
    login,
    email: `${login}@example.test`,
    password_hash: oldHash,
  });
}

const requestReset = (email: string, token: string | null = appToken) =>
  api.post('/users/password/reset', { ...(token && { token }), json: { email } });

const canLogIn = async (login: string, password: string) =>
  (
    await api.post('/session', {
      json: { application_id: local.application.id, auth_key: local.application.authKey, user: { login, password } },
    })
  ).status;

const submit = (path: string, form: Record<string, string>) => api.post(path, { form });

describe('requesting a reset', () => {
  it('mails a known address a link to its own origin, and answers an empty 200', async () => {
    await createUser('mailed');
    const response = await requestReset('mailed@example.test');
    expect(response.status).toBe(200);
    expect(response.body).toBe('');

    const [mail] = await outbox();
    expect(mail).toMatchObject({ to: 'mailed@example.test', subject: 'Reset your password' });
    expect(mail?.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const { mailed } = await linkFor('mailed@example.test');
    expect(mailed.startsWith(`${local.url}/users/password/reset/`)).toBe(true);
    expect(mail?.text).toContain('within 60 minutes');
    expect(mail?.text).not.toContain(oldHash);
  });

  it('answers an unknown address exactly the same, and mails nothing', async () => {
    const before = await outbox();
    const unknown = await requestReset('nobody-here@example.test');
    await createUser('known_one');
    const known = await requestReset('known_one@example.test');
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: known.status, body: known.body });
    const after = await outbox();
    expect(after).toHaveLength(before.length + 1);
    expect(after.some((mail) => mail.to === 'nobody-here@example.test')).toBe(false);
  });

  it('works as GET with the email in the query, and finds the address in any letter case', async () => {
    await createUser('by_get');
    const response = await api.get('/users/password/reset.json', {
      token: appToken,
      query: { email: 'BY_GET@example.TEST' },
    });
    expect(response.status).toBe(200);
    expect((await outbox())[0]?.to).toBe('by_get@example.test');
  });

  it('needs a token (an application token is enough) and an email', async () => {
    const none = await requestReset('mailed@example.test', null);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ errors: { base: ['Token is required'] } });
    const missing = await api.post('/users/password/reset', { token: appToken, json: {} });
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({ errors: { email: ['is required'] } });
  });

  it('stores only a hash of the token', async () => {
    const user = await createUser('hashed');
    await requestReset('hashed@example.test');
    const { path } = await linkFor('hashed@example.test');
    const token = path.split('/').pop() ?? '';
    const rows = await local.service.deps.db
      .selectFrom('password_resets')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('rate limits requests for one address (429), whether or not it is known, and not for others', async () => {
    for (let n = 0; n < 3; n += 1) expect((await requestReset('Flood@example.test')).status).toBe(200);
    const limited = await requestReset('flood@EXAMPLE.test');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ errors: { base: ['Too many requests. Try again later.'] } });
    expect((await requestReset('not-flooded@example.test')).status).toBe(200);
  });
});

describe('using the link', () => {
  it('shows a form, sets the new password once, ends the sessions and refuses the link afterwards', async () => {
    await createUser('resetter');
    const userToken = await sessions.userToken('resetter', OLD_PASSWORD);
    await requestReset('resetter@example.test');
    const { path } = await linkFor('resetter@example.test');

    const form = await api.get(path);
    expect(form.status).toBe(200);
    expect(form.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(form.headers.get('cache-control')).toBe('no-store');
    expect(form.headers.get('referrer-policy')).toBe('no-referrer');
    expect(form.body).toContain('<form method="post">');
    expect(form.body).toContain('name="password"');

    const done = await submit(path, { password: 'new-password-1', password_confirmation: 'new-password-1' });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Password changed');
    expect(done.body).not.toContain('new-password-1');

    expect(await canLogIn('resetter', OLD_PASSWORD)).toBe(401);
    expect(await canLogIn('resetter', 'new-password-1')).toBe(201);
    expect((await api.get('/session', { token: userToken })).status).toBe(401);

    const again = await submit(path, { password: 'newer-password-2', password_confirmation: 'newer-password-2' });
    expect(again.status).toBe(410);
    expect(again.body).toContain('This password reset link has already been used.');
    expect((await api.get(path)).status).toBe(410);
    expect(await canLogIn('resetter', 'new-password-1')).toBe(201);
  });

  it('keeps the link usable after a too short or mismatched password', async () => {
    await createUser('fumbler');
    await requestReset('fumbler@example.test');
    const { path } = await linkFor('fumbler@example.test');

    const short = await submit(path, { password: 'short', password_confirmation: 'short' });
    expect(short.status).toBe(422);
    expect(short.body).toContain('Password is too short (minimum is 8 characters).');
    const mismatch = await submit(path, { password: 'long-enough-1', password_confirmation: 'long-enough-2' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body).toContain('The two passwords do not match.');
    expect(await canLogIn('fumbler', OLD_PASSWORD)).toBe(201);

    const done = await submit(path, { password: 'long-enough-1', password_confirmation: 'long-enough-1' });
    expect(done.status).toBe(200);
    expect(await canLogIn('fumbler', 'long-enough-1')).toBe(201);
  });

  it('spends every open link of the user when one is used', async () => {
    await createUser('two_links');
    await requestReset('two_links@example.test');
    const first = await linkFor('two_links@example.test');
    await requestReset('two_links@example.test');
    const second = await linkFor('two_links@example.test');
    expect(second.path).not.toBe(first.path);

    expect((await submit(second.path, { password: 'second-link-pw' })).status).toBe(200);
    expect((await submit(first.path, { password: 'first-link-pw1' })).status).toBe(410);
    expect(await canLogIn('two_links', 'second-link-pw')).toBe(201);
  });

  it('lifts a failed-login block once the password is reset', async () => {
    await createUser('locked_out');
    for (let n = 0; n < FAILED_LOGIN_LIMIT; n += 1) expect(await canLogIn('locked_out', `wrong-guess-${n}`)).toBe(401);
    expect(await canLogIn('locked_out', OLD_PASSWORD)).toBe(429);
    await requestReset('locked_out@example.test');
    const { path } = await linkFor('locked_out@example.test');
    expect((await submit(path, { password: 'unlocked-password' })).status).toBe(200);
    expect(await canLogIn('locked_out', 'unlocked-password')).toBe(201);
  });

  it('answers 404 with an HTML page for an unknown or malformed link', async () => {
    for (const path of [
      '/users/password/reset/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '/users/password/reset/x',
    ]) {
      const shown = await api.get(path);
      expect(shown.status).toBe(404);
      expect(shown.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(shown.body).toContain('This password reset link is not valid.');
      expect((await submit(path, { password: 'whatever-123' })).status).toBe(404);
    }
  });
});

describe('link lifetime and origin', () => {
  let shortLived: RunningLocalService;

  beforeAll(async () => {
    shortLived = await startLocalService({ resetTokenTtlSeconds: 1, publicUrl: 'https://public.example.test/' });
  });
  afterAll(() => shortLived.close());

  it('builds the link on the public URL when one is set, and refuses it with 410 once expired', async () => {
    const shortApi = restClient(shortLived.url);
    await shortLived.service.deps.users.insert({
      application_id: shortLived.application.id,
      login: 'slow_reader',
      email: 'slow@example.test',
      password_hash: oldHash,
    });
    const token = await sessionsFor(shortApi, shortLived.application).applicationToken();
    expect((await shortApi.post('/users/password/reset', { token, json: { email: 'slow@example.test' } })).status).toBe(
      200,
    );
    const { mailed, path } = await linkFor('slow@example.test', shortLived);
    expect(mailed.startsWith('https://public.example.test/users/password/reset/')).toBe(true);
    expect((await shortApi.get(path)).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await shortApi.get(path);
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('This password reset link has expired.');
    expect((await shortApi.post(path, { form: { password: 'too-late-password' } })).status).toBe(410);
  });
});

describe('GET /dev/outbox', () => {
  it('lists mails newest first', async () => {
    await createUser('outbox_order');
    await requestReset('outbox_order@example.test');
    const items = await outbox();
    expect(items[0]?.to).toBe('outbox_order@example.test');
    expect(Object.keys(items[0] ?? {}).sort()).toEqual(['created_at', 'id', 'subject', 'text', 'to']);
    const ids = items.map((item) => item.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it('answers 404 to a caller from a non-loopback address', async () => {
    // Tests may only send traffic to loopback, so a remote caller is simulated with
    // fastify's injection, which runs the real routes and hooks with a given peer address.
    for (const remoteAddress of ['203.0.113.7', '2001:db8::1', '10.1.2.3']) {
      const response = await local.service.server.inject({ method: 'GET', url: '/dev/outbox', remoteAddress });
      expect(response.statusCode).toBe(404);
    }
    const fromLoopback = await local.service.server.inject({
      method: 'GET',
      url: '/dev/outbox',
      remoteAddress: '127.0.0.1',
    });
    expect(fromLoopback.statusCode).toBe(200);
  });
});

describe('with SMTP configured', () => {
  let smtp: RunningLocalService;
  beforeAll(async () => {
    // Nothing listens there: mail is never sent in this test, only the outbox route's absence is checked.
    smtp = await startLocalService({ smtp: { url: 'smtp://127.0.0.1:9', from: 'test <t@example.test>' } });
  });
  afterAll(() => smtp.close());

  it('has no outbox endpoint, and still answers reset requests with 200', async () => {
    const smtpApi = restClient(smtp.url);
    const response = await smtpApi.get('/dev/outbox');
    expect(response.status).toBe(404);
    const token = await sessionsFor(smtpApi, smtp.application).applicationToken();
    expect((await smtpApi.post('/users/password/reset', { token, json: { email: 'x@example.test' } })).status).toBe(
      200,
    );
  });
});
