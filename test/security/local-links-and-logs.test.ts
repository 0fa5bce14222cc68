import { Writable } from 'node:stream';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLocalServiceConfig } from '../../src/local-service/config.ts';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { type RestClient, restClient, sessionsFor } from '../support/rest-client.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

// Links, logs and development helpers of the local users service, attacked over real HTTP.

let local: RunningLocalService | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

interface OutboxMail {
  to: string;
  text: string;
}

async function mailedLink(service: RunningLocalService, to: string): Promise<string> {
  const outbox = await restClient(service.url).get<{ items: OutboxMail[] }>('/dev/outbox');
  const mail = outbox.body.items.find((item) => item.to === to);
  const link = mail?.text.match(/https?:\/\/\S+/)?.[0];
  if (!link) throw new Error(`no reset link mailed to ${to}`);
  return link;
}

/** Asks for a reset with a forged Host header (fetch would not let us set one). */
async function requestResetWithHost(service: RunningLocalService, email: string, host: string): Promise<number> {
  const token = await sessionsFor(restClient(service.url), service.application).applicationToken();
  const response = await request(`${service.url}/users/password/reset?email=${encodeURIComponent(email)}`, {
    headers: { host, 'cb-token': token },
  });
  await response.body.dump();
  return response.statusCode;
}

describe('password reset links', () => {
  // Two services start in this test.
  it('ignore a forged Host: the configured origin, else the listening address', { timeout: 90_000 }, async () => {
    local = await startLocalService({ publicUrl: 'https://accounts.example.test/' });
    await insertUser(local, 'configured', { email: 'configured@example.test' });
    expect(await requestResetWithHost(local, 'configured@example.test', 'attacker.example')).toBe(200);
    expect(await mailedLink(local, 'configured@example.test')).toMatch(
      /^https:\/\/accounts\.example\.test\/users\/password\/reset\/[\w-]+$/,
    );
    await local.close();

    local = await startLocalService();
    const listening = new URL(local.url);
    await insertUser(local, 'unset', { email: 'unset@example.test' });
    for (const forged of ['attacker.example', '127.0.0.1:80@attacker.example', `attacker.example:${listening.port}`]) {
      expect(await requestResetWithHost(local, 'unset@example.test', forged)).toBe(200);
      const link = new URL(await mailedLink(local, 'unset@example.test'));
      expect(link.origin).toBe(listening.origin);
      expect(link.username).toBe('');
      await local.service.deps.db.deleteFrom('outbox').execute();
    }

    // Upload URLs are links too.
    const token = await sessionsFor(restClient(local.url), local.application).userToken('unset', PASSWORD);
    const created = await request(`${local.url}/blobs`, {
      method: 'POST',
      headers: { host: 'attacker.example', 'cb-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ blob: { content_type: 'text/plain', name: 'notes.txt' } }),
    });
    expect(created.statusCode).toBe(201);
    const { blob } = (await created.body.json()) as { blob: { blob_object_access: { params: string } } };
    expect(new URL(blob.blob_object_access.params).origin).toBe(listening.origin);
  });

  it('believe a loopback Host when no public URL is set (a developer on this machine)', async () => {
    local = await startLocalService();
    await insertUser(local, 'developer', { email: 'developer@example.test' });
    const port = new URL(local.url).port;
    expect(await requestResetWithHost(local, 'developer@example.test', `localhost:${port}`)).toBe(200);
    expect(new URL(await mailedLink(local, 'developer@example.test')).origin).toBe(`http://localhost:${port}`);
  });
});

describe('log lines', () => {
  it('carry route patterns, never a reset token in the path nor secrets in the query', async () => {
    const lines: string[] = [];
    local = await startLocalService({
      logLevel: 'debug',
      logDestination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    const api: RestClient = restClient(local.url);
    const { id, authKey, authSecret } = local.application;
    await insertUser(local, 'logged_user', { email: 'logged@example.test' });

    // A real reset token, taken from the mail, used in its path.
    const appToken = await sessionsFor(api, local.application).applicationToken();
    expect(
      (await api.get('/users/password/reset', { token: appToken, query: { email: 'logged@example.test' } })).status,
    ).toBe(200);
    const resetToken = (await mailedLink(local, 'logged@example.test')).split('/').pop() ?? '';
    expect(resetToken).not.toBe('');
    expect((await api.get(`/users/password/reset/${resetToken}`)).status).toBe(200);
    expect((await api.get(`/users/password/reset/${resetToken}.json`)).status).toBe(200);

    // Credentials sent as query parameters, as some SDKs do.
    const login = await api.post('/session', {
      query: { application_id: id, auth_key: authKey, user: { login: 'logged_user', password: PASSWORD } },
    });
    expect(login.status).toBe(201);
    const userToken: string = login.body.session.token;
    await api.get('/session', { query: { token: userToken } });
    await api.get(`/blobs/no-such-blob?token=${userToken}`);
    await api.get(`/no/such/route/${resetToken}?auth_key=${authKey}`);

    const log = lines.join('');
    expect(log).toContain('"url":"/users/password/reset/:token"');
    expect(log).toContain('"url":"/session"');
    for (const secret of [resetToken, PASSWORD, authKey, authSecret, userToken, appToken]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe('the development outbox', () => {
  it('does not exist with NODE_ENV=production', async () => {
    const config = loadLocalServiceConfig({ NODE_ENV: 'production' });
    local = await startLocalService({ production: config.production });
    await insertUser(local, 'prod_user', { email: 'prod@example.test' });
    const api = restClient(local.url);
    const token = await sessionsFor(api, local.application).applicationToken();
    expect((await api.get('/users/password/reset', { token, query: { email: 'prod@example.test' } })).status).toBe(200);
    const outbox = await api.get('/dev/outbox');
    expect(outbox.status).toBe(404);
    expect(outbox.body).toEqual({ errors: { base: ['Not found'] } });
    expect(JSON.stringify(outbox.body)).not.toContain('prod@example.test');
  });
});
