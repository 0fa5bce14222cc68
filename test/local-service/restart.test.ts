import { rm } from 'node:fs/promises';
import { afterEach, expect, it } from 'vitest';
import { hashPassword } from '../../src/local-service/users/passwords.ts';
import { createTestDatabase, freshDataDir, startLocalService, storeUnderTest } from '../support/local-service.ts';
import { restClient } from '../support/rest-client.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A store that outlives one service: a data directory, plus a database on PostgreSQL. */
async function persistentStore(): Promise<{ dataDir: string; databaseUrl?: string }> {
  const dataDir = await freshDataDir();
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  if (storeUnderTest !== 'postgres') return { dataDir };
  const database = await createTestDatabase();
  cleanups.push(database.drop);
  return { dataDir, databaseUrl: database.url };
}

it('creates one application on first start and keeps it, its users and sessions across restarts', async () => {
  const store = await persistentStore();
  const first = await startLocalService(store);
  expect(first.service.seeded).toBe(true);
  const api = restClient(first.url);
  const credentials = { application_id: first.application.id, auth_key: first.application.authKey };
  await first.service.deps.users.insert({
    application_id: first.application.id,
    login: 'survivor',
    full_name: 'Sur Vivor',
    password_hash: await hashPassword('stays-the-same'),
  });
  const token = (
    await api.post('/session', { json: { ...credentials, user: { login: 'survivor', password: 'stays-the-same' } } })
  ).body.session.token;
  await first.close();

  const second = await startLocalService(store);
  cleanups.push(second.close);
  expect(second.service.seeded).toBe(false);
  expect(second.application).toEqual(first.application);
  const again = restClient(second.url);
  const session = await again.get('/session', { token });
  expect(session.status).toBe(200);
  expect(session.body.session.user).toMatchObject({ login: 'survivor', full_name: 'Sur Vivor' });
  const relogin = await again.post('/session', {
    json: { ...credentials, user: { login: 'survivor', password: 'stays-the-same' } },
  });
  expect(relogin.status).toBe(201);
});

it('seeds the application with the credentials it is given', async () => {
  const store = await persistentStore();
  const service = await startLocalService({
    ...store,
    application: { id: 4242, authKey: 'fixed-auth-key', authSecret: 'fixed-auth-secret' },
  });
  cleanups.push(service.close);
  expect(service.application).toEqual({ id: 4242, authKey: 'fixed-auth-key', authSecret: 'fixed-auth-secret' });
  const response = await restClient(service.url).post('/session', {
    json: { application_id: 4242, auth_key: 'fixed-auth-key' },
  });
  expect(response.status).toBe(201);
  expect(response.body.session.application_id).toBe(4242);
});
