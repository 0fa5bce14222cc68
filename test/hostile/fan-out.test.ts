import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { newUser } from '../support/uploads.ts';
import { aliases } from './support.ts';

// Upstream fan-out per operation is bounded (UPSTREAM_CONCURRENCY_PER_OPERATION), the file
// loader included: the upstream has no batch read of blobs, so its calls queue.

const CONCURRENCY = 4;
let gw: RunningGateway;
let token: string;

beforeAll(async () => {
  // Aliases raised so that 300 of them reach execution at all (the default refuses them).
  gw = await startGateway({ env: { MAX_ALIASES: '400', UPSTREAM_CONCURRENCY_PER_OPERATION: String(CONCURRENCY) } });
  token = (await newUser(gw)).token;
});
afterAll(() => gw?.close());

describe('upstream fan-out', () => {
  it(`300 aliases of file(uid:) are 300 calls, never more than ${CONCURRENCY} at once`, async () => {
    gw.upstream.reset();
    const selection = Array.from({ length: 300 }, (_, i) => `f${i}: file(uid: "missing-${i}") { id }`).join('\n');
    const res = await gw.gql(`{ ${selection} }`, undefined, { token });
    expect(res.errors).toBeUndefined();
    expect(Object.values(res.data).every((file) => file === null)).toBe(true);
    expect(gw.upstream.count('GET', /^\/blobs\/missing-\d+\/object$/)).toBe(300);
    expect(gw.upstream.maxInFlight()).toBeLessThanOrEqual(CONCURRENCY);
  });

  it('two operations at once each get their own share', async () => {
    gw.upstream.reset();
    const query = (prefix: string) =>
      `{ ${Array.from({ length: 50 }, (_, i) => `f${i}: file(uid: "${prefix}-${i}") { id }`).join('\n')} }`;
    const [a, b] = await Promise.all([
      gw.gql(query('a'), undefined, { token }),
      gw.gql(query('b'), undefined, { token }),
    ]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(gw.upstream.maxInFlight()).toBeLessThanOrEqual(2 * CONCURRENCY);
  });

  it('the same uid many times is one call (the loader batches what it can)', async () => {
    gw.upstream.reset();
    const res = await gw.gql(`{ ${aliases(100, 'file(uid: "same") { id }')} }`, undefined, { token });
    expect(res.errors).toBeUndefined();
    expect(gw.upstream.count('GET', '/blobs/same/object')).toBe(1);
  });
});
