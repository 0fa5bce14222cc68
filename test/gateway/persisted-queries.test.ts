import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, redisUrl, reportRedisSkip } from '../sessions/support.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';

/** Automatic persisted queries the way Apollo's APQ link sends them. */

const QUERY = '{ session { kind } }';
const HASH = createHash('sha256').update(QUERY).digest('hex');
const extensions = { persistedQuery: { version: 1, sha256Hash: HASH } };

/** Apollo's link: first the hash alone, as a GET. */
async function hashOnlyGet(gw: RunningGateway) {
  const url = `${gw.url}/graphql?extensions=${encodeURIComponent(JSON.stringify(extensions))}`;
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  return { res, body: (await res.json()) as any };
}

/** On PersistedQueryNotFound it sends the query with the hash once. */
async function register(gw: RunningGateway) {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: QUERY, extensions }),
  });
  return (await res.json()) as any;
}

describe('APQ (in memory)', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw?.close());

  it('an unknown hash answers PersistedQueryNotFound; after registering, the hash-only GET answers', async () => {
    const unknown = await hashOnlyGet(gw);
    expect(unknown.body.errors[0]).toMatchObject({
      message: 'PersistedQueryNotFound',
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
    });
    expect((await register(gw)).data).toEqual({ session: null });
    const known = await hashOnlyGet(gw);
    expect(known.res.status).toBe(200);
    expect(known.body).toEqual({ data: { session: null } });
    expect(known.res.headers.get('cache-control')).toBe('private, no-store');
  });

  it('refuses a query whose hash does not match', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }', extensions }),
    });
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions.code).toBe('PERSISTED_QUERY_MISMATCH');
  });
});

reportRedisSkip('APQ shared through Redis');

describe.runIf(redisUrl)('APQ in Redis', () => {
  const keyPrefix = `test:apq:${randomUUID()}:`;
  const env = {
    REDIS_URL: redisUrl as string,
    SESSION_TOKEN_HASH_KEY: randomBytes(24).toString('hex'),
    REDIS_KEY_PREFIX: keyPrefix,
  };
  let one: RunningGateway;
  let two: RunningGateway;
  beforeAll(async () => {
    one = await startGateway({ env });
    two = await startGateway({ env });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await deleteKeys(keyPrefix);
  });

  it('a hash one instance learned is known to the other', async () => {
    expect((await hashOnlyGet(two)).body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    await register(one);
    expect((await hashOnlyGet(two)).body).toEqual({ data: { session: null } });
  });
});
