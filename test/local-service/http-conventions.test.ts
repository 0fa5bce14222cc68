import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/local-service/users/passwords.ts';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { type RestClient, restClient } from '../support/rest-client.ts';

const logLines: string[] = [];
let local: RunningLocalService;
let api: RestClient;

beforeAll(async () => {
  local = await startLocalService({
    logLevel: 'debug',
    logDestination: new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  });
  api = restClient(local.url);
});
afterAll(() => local.close());

describe('wire conventions', () => {
  it('answers malformed JSON with 400 in the errors shape, without internals', async () => {
    const response = await fetch(`${local.url}/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"application_id": ',
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.errors.base).toHaveLength(1);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('answers unknown routes with 404 in the errors shape', async () => {
    const response = await api.get('/no/such/route.json');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ errors: { base: ['Not found'] } });
  });

  it('never writes tokens, passwords or the auth secret to the log', async () => {
    const { id, authKey, authSecret } = local.application;
    await local.service.deps.users.insert({
      application_id: id,
      login: 'logged',
      password_hash: await hashPassword('very-secret-password'),
    });
    const created = await api.post('/session', {
      json: { application_id: id, auth_key: authKey, user: { login: 'logged', password: 'very-secret-password' } },
    });
    const token: string = created.body.session.token;
    await api.get('/session', { token });
    await api.get(`/blobs/not-a-blob?token=${token}`);
    await api.get('/session', { token: 'f'.repeat(40) });

    const log = logLines.join('');
    expect(log).toContain('"url":"/session"');
    for (const secret of [token, 'very-secret-password', authSecret, 'f'.repeat(40)]) {
      expect(log).not.toContain(secret);
    }
  });
});
