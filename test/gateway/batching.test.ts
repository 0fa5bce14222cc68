import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadBlob } from '../support/blobs.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

// Upstream-call counts: per-request loaders batch through /users/v2 with `in`, 100 keys a
// call, and load each distinct file once.

let gw: RunningGateway;
let token: string;
const users: { id: number; login: string }[] = [];
const avatars: string[] = [];

beforeAll(async () => {
  gw = await startGateway();
  for (let i = 0; i < 150; i++) {
    const login = `member${String(i).padStart(3, '0')}`;
    users.push({ id: (await insertUser(gw.local, login, { user_tags: ['member'] })).id, login });
  }
  const res = await gw.gql(
    `mutation { login(input: { login: "member000", password: "${PASSWORD}" }) { ... on LoginSuccess { session { token } } } }`,
  );
  token = res.data.login.session.token;
  for (let i = 0; i < 5; i++) {
    avatars.push(
      (await uploadBlob(gw.local.url, token, { name: `avatar-${i}.png`, content_type: 'image/png', public: true })).uid,
    );
  }
  // The first 50 users (by id) wear one of the 5 avatars each.
  for (const [i, user] of users.slice(0, 50).entries()) {
    await gw.local.service.deps.users.update(user.id, { avatar: avatars[i % 5] ?? null });
  }
});
afterAll(() => gw?.close());

const usersCalls = () => gw.upstream.calls.filter((c) => c.method === 'GET' && c.path === '/users/v2');

describe('users by id', () => {
  it('nodes(ids:) over 100 users is one upstream users call', async () => {
    const ids = users.slice(0, 100).map((u) => encodeGlobalID('User', u.id));
    gw.upstream.reset();
    const res = await gw.gql('query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { login } } }', { ids }, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data.nodes.map((n: { login: string }) => n.login)).toEqual(users.slice(0, 100).map((u) => u.login));
    expect(gw.upstream.calls).toHaveLength(1);
    expect(usersCalls()).toHaveLength(1);
  });

  it('more than 100 ids in one request are split into calls of at most 100', async () => {
    const ids = users.map((u) => encodeGlobalID('User', u.id));
    gw.upstream.reset();
    const res = await gw.gql(
      'query($a: [ID!]!, $b: [ID!]!) { a: nodes(ids: $a) { ... on User { login } } b: nodes(ids: $b) { ... on User { login } } }',
      { a: ids.slice(0, 100), b: ids.slice(100) },
      { token },
    );
    expect([...res.data.a, ...res.data.b]).toHaveLength(150);
    expect(usersCalls()).toHaveLength(2);
    for (const call of usersCalls()) expect(call.query.getAll('id[in][]').length).toBeLessThanOrEqual(100);
  });

  it('nodes(ids:) with more than 100 ids is refused (BAD_USER_INPUT) before any upstream call', async () => {
    const ids = users.map((u) => encodeGlobalID('User', u.id));
    gw.upstream.reset();
    const res = await gw.gql('query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { login } } }', { ids }, { token });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/at most 100/);
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('users(filter: {ids:}) over 100 users is one upstream users call', async () => {
    gw.upstream.reset();
    const res = await gw.gql(
      'query($ids: [Int!]) { users(filter: { databaseIds: $ids }, first: 100) { totalCount nodes { login } } }',
      { ids: users.slice(0, 100).map((u) => u.id) },
      { token },
    );
    expect(res.data.users.totalCount).toBe(100);
    expect(res.data.users.nodes).toHaveLength(100);
    expect(gw.upstream.calls).toHaveLength(1);
  });
});

describe('aliased lookups', () => {
  it('30 users named by login, email and id make at most one call per lookup kind', async () => {
    const fields = users.slice(0, 30).map((u, i) => {
      const arg =
        i % 3 === 0 ? `login: "${u.login}"` : i % 3 === 1 ? `email: "${u.login}@example.test"` : `databaseId: ${u.id}`;
      return `u${i}: user(${arg}) { login }`;
    });
    // The same user asked for twice in one kind is loaded once.
    fields.push(`again: user(login: "${users[0]?.login}") { login }`);
    gw.upstream.reset();
    const res = await gw.gql(`{ ${fields.join('\n')} }`, {}, { token });
    expect(res.errors).toBeUndefined();
    for (let i = 0; i < 30; i++) expect(res.data[`u${i}`].login).toBe(users[i]?.login);
    const calls = usersCalls();
    expect(calls.length).toBeLessThanOrEqual(3);
    expect(gw.upstream.calls).toHaveLength(calls.length);
    const kinds = calls.map((c) => [...new Set([...c.query.keys()].filter((k) => k.includes('[in]')))]);
    expect(kinds.map((k) => k.length)).toEqual(calls.map(() => 1));
    expect(new Set(kinds.flat())).toEqual(new Set(['login[in][]', 'email[in][]', 'id[in][]']));
  });
});

describe('avatars', () => {
  it('a page of 50 users with avatar { name } is one users call plus one per distinct avatar', async () => {
    gw.upstream.reset();
    const res = await gw.gql(
      '{ users(filter: { tags: ["member"] }, orderBy: { field: ID, direction: ASC }, first: 50) { nodes { login avatar { name } } } }',
      {},
      { token },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.users.nodes).toHaveLength(50);
    expect(res.data.users.nodes[7].avatar.name).toBe('avatar-2.png');
    expect(usersCalls()).toHaveLength(1);
    const blobCalls = gw.upstream.calls.filter((c) => c.path.startsWith('/blobs/'));
    expect(blobCalls).toHaveLength(5);
    expect(new Set(blobCalls.map((c) => c.path))).toEqual(new Set(avatars.map((uid) => `/blobs/${uid}/object`)));
    expect(gw.upstream.calls).toHaveLength(6);
  });
});

describe('no caching across requests', () => {
  it('a second request asks the upstream again and sees changes', async () => {
    const query = `{ user(login: "member001") { fullName } }`;
    await gw.gql(query, {}, { token });
    await gw.local.service.deps.users.update(users[1]?.id ?? 0, { full_name: 'Renamed' });
    gw.upstream.reset();
    const res = await gw.gql(query, {}, { token });
    expect(res.data.user.fullName).toBe('Renamed');
    expect(usersCalls()).toHaveLength(1);
  });
});
