import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { newUser } from '../support/uploads.ts';
import { codes, rawPost } from './support.ts';

/**
 * A list of ids costs by its length: 100 ids (as many as a list may hold) pass the list cap
 * but not a tighter MAX_QUERY_COST, and are refused before any upstream call.
 */

let gw: RunningGateway;
let token: string;
beforeAll(async () => {
  gw = await startGateway({ env: { MAX_QUERY_COST: '150' } });
  token = (await newUser(gw)).token;
});
afterAll(() => gw?.close());

const ids = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`User:${i + 1}`).toString('base64'));
const query = 'query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { login } } }';
const post = (n: number) =>
  rawPost(gw, JSON.stringify({ query, variables: { ids: ids(n) } }), { authorization: `Bearer ${token}` });

it('counts a list of ids by its length', async () => {
  expect((await post(5)).json.errors).toBeUndefined();
  gw.upstream.reset();
  const many = await post(100);
  expect(codes(many.json)).toEqual(['COST_LIMIT_EXCEEDED']);
  expect(gw.upstream.calls).toHaveLength(0);
});
