import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadBlob } from '../support/blobs.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

// user(...), users(...) with filters, order and paging, file(uid), node and nodes.

let gw: RunningGateway;
let token: string;
type Login = 'alice' | 'bob' | 'carol' | 'dave' | 'erin' | 'frank' | 'grace' | 'gracie';
const ids = {} as Record<Login, number>;

const USERS = `query($filter: UserFilter!, $orderBy: UserOrder, $first: Int, $after: String, $last: Int, $before: String) {
  users(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { login } }
    nodes { login }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

async function users(variables: Record<string, unknown>) {
  return gw.gql(USERS, variables, { token });
}
const logins = (res: { data?: any }) => res.data.users.nodes.map((n: { login: string }) => n.login);

beforeAll(async () => {
  gw = await startGateway();
  const people = [
    {
      login: 'alice',
      full_name: 'Alice Liddell',
      phone: '+100',
      external_id: 'ext-1',
      facebook_id: 'fb-1',
      twitter_id: 'tw-1',
      user_tags: ['red', 'blue'],
    },
    {
      login: 'bob',
      full_name: 'Bob Builder',
      phone: '+200',
      external_id: 'ext-2',
      facebook_id: 'fb-2',
      twitter_id: 'tw-2',
      user_tags: ['blue'],
    },
    { login: 'carol', full_name: 'Carol Singer', phone: '+300', user_tags: ['green'] },
    { login: 'dave', full_name: 'Dave Grohl', user_tags: ['red'] },
    { login: 'erin', full_name: 'Erin Brockovich', user_tags: [] },
    { login: 'frank', full_name: 'Frank Sinatra', user_tags: ['red', 'green'] },
    { login: 'grace', full_name: 'Grace Hopper' },
    { login: 'gracie', full_name: 'Grace Hoppers' },
  ];
  for (const { login, ...fields } of people) ids[login as Login] = (await insertUser(gw.local, login, fields)).id;
  const res = await gw.gql(
    `mutation { login(input: { login: "alice", password: "${PASSWORD}" }) { ... on LoginSuccess { session { token } } } }`,
  );
  token = res.data.login.session.token;
});
afterAll(() => gw?.close());

describe('user(...)', () => {
  it('finds a user by each lookup', async () => {
    const res = await gw.gql(
      `{
        byId: user(id: "${encodeGlobalID('User', ids.bob)}") { login }
        byDatabaseId: user(databaseId: ${ids.bob}) { login }
        byLogin: user(login: "BOB") { login }
        byEmail: user(email: "bob@example.test") { login }
        byPhone: user(phone: "+200") { login }
        byExternal: user(externalId: "ext-2") { login }
        byFacebook: user(facebookId: "fb-2") { login }
        byTwitter: user(twitterId: "tw-2") { login }
      }`,
      {},
      { token },
    );
    expect(res.errors).toBeUndefined();
    expect(Object.values(res.data)).toEqual(Array(8).fill({ login: 'bob' }));
  });

  it('answers every User field', async () => {
    const res = await gw.gql(
      `{ user(login: "alice") { id databaseId login email fullName phone website externalId facebookId twitterId customData tags timezone isGuest avatar { uid } avatarUrl createdAt updatedAt lastRequestAt } }`,
      {},
      { token },
    );
    expect(res.data.user).toMatchObject({
      id: encodeGlobalID('User', ids.alice),
      databaseId: ids.alice,
      login: 'alice',
      email: 'alice@example.test',
      fullName: 'Alice Liddell',
      phone: '+100',
      website: null,
      externalId: 'ext-1',
      facebookId: 'fb-1',
      twitterId: 'tw-1',
      customData: null,
      tags: ['red', 'blue'],
      timezone: null,
      isGuest: false,
      avatar: null,
      avatarUrl: null,
    });
    expect(Date.parse(res.data.user.createdAt)).not.toBeNaN();
  });

  it('answers null when nobody matches', async () => {
    const res = await gw.gql('{ a: user(login: "nobody") { id } b: user(databaseId: 999999) { id } }', {}, { token });
    expect(res).toMatchObject({ data: { a: null, b: null } });
    expect(res.errors).toBeUndefined();
  });

  it('answers BAD_USER_INPUT unless exactly one argument is given', async () => {
    for (const args of ['', '(id: 1, login: "bob")']) {
      const res = await gw.gql(`{ user${args} { id } }`, {}, { token });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('answers UNAUTHENTICATED without a token', async () => {
    const res = await gw.gql('{ user(login: "bob") { id } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('users(filter, orderBy, paging)', () => {
  it('filters by ids, logins, emails, phones, externalIds, facebookIds and twitterIds', async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ ids: [encodeGlobalID('User', ids.alice), encodeGlobalID('User', ids.carol)] }, ['alice', 'carol']],
      [{ databaseIds: [ids.alice, ids.carol] }, ['alice', 'carol']],
      [{ logins: ['bob', 'dave'] }, ['bob', 'dave']],
      [{ emails: ['erin@example.test'] }, ['erin']],
      [{ phones: ['+100', '+300'] }, ['alice', 'carol']],
      [{ externalIds: ['ext-2'] }, ['bob']],
      [{ facebookIds: ['fb-1'] }, ['alice']],
      [{ twitterIds: ['tw-1', 'tw-2'] }, ['alice', 'bob']],
    ];
    for (const [filter, expected] of cases) {
      const res = await users({ filter, orderBy: { field: 'LOGIN', direction: 'ASC' } });
      expect(logins(res), JSON.stringify(filter)).toEqual(expected);
      expect(res.data.users.totalCount).toBe(expected.length);
    }
  });

  it('filters by tags, excludeTags, excludeIds, fullName and fullNameStartsWith', async () => {
    const asc = { field: 'LOGIN', direction: 'ASC' };
    expect(logins(await users({ filter: { tags: ['red'] }, orderBy: asc }))).toEqual(['alice', 'dave', 'frank']);
    expect(logins(await users({ filter: { tags: ['red'], excludeTags: ['green'] }, orderBy: asc }))).toEqual([
      'alice',
      'dave',
    ]);
    expect(
      logins(await users({ filter: { tags: ['red'], excludeIds: [encodeGlobalID('User', ids.dave)] }, orderBy: asc })),
    ).toEqual(['alice', 'frank']);
    expect(logins(await users({ filter: { fullName: 'Grace Hopper' } }))).toEqual(['grace']);
    expect(logins(await users({ filter: { fullNameStartsWith: 'Grace' }, orderBy: asc }))).toEqual(['grace', 'gracie']);
  });

  it('filters by date ranges', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const past = new Date(Date.now() - 3_600_000).toISOString();
    const all = { tags: ['red'] };
    expect(logins(await users({ filter: { ...all, createdAt: { gte: past, lt: future } } }))).toHaveLength(3);
    expect(logins(await users({ filter: { ...all, createdAt: { gt: future } } }))).toEqual([]);
    expect(logins(await users({ filter: { ...all, updatedAt: { lte: past } } }))).toEqual([]);
    expect((await users({ filter: { ...all, lastRequestAt: { gte: past } } })).errors).toBeUndefined();
  });

  it('orders by a field in either direction', async () => {
    const filter = { tags: ['red', 'green', 'blue'] };
    const up = logins(await users({ filter, orderBy: { field: 'FULL_NAME', direction: 'ASC' } }));
    const down = logins(await users({ filter, orderBy: { field: 'FULL_NAME', direction: 'DESC' } }));
    expect(up).toEqual(['alice', 'bob', 'carol', 'dave', 'frank']);
    expect(down).toEqual([...up].reverse());
    const byId = logins(await users({ filter, orderBy: { field: 'ID', direction: 'DESC' } }));
    expect(byId[0]).toBe('frank');
  });

  it('pages forward with first/after and backward with last/before, with opaque cursors', async () => {
    const filter = { tags: ['red', 'green', 'blue'] };
    const orderBy = { field: 'LOGIN', direction: 'ASC' };
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const res = await users({ filter, orderBy, first: 2, after });
      const page = res.data.users;
      expect(page.totalCount).toBe(5);
      seen.push(...logins(res));
      expect(page.pageInfo.hasPreviousPage).toBe(pages > 0);
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      expect(after).not.toMatch(/^\d+$/);
    }
    expect(seen).toEqual(['alice', 'bob', 'carol', 'dave', 'frank']);
    expect(pages).toBe(3);

    const last = await users({ filter, orderBy, last: 2 });
    expect(logins(last)).toEqual(['dave', 'frank']);
    expect(last.data.users.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const before = await users({ filter, orderBy, last: 2, before: last.data.users.pageInfo.startCursor });
    expect(logins(before)).toEqual(['bob', 'carol']);
    expect(before.data.users.edges.map((e: { cursor: string }) => e.cursor)).toHaveLength(2);
  });

  it('answers an empty page for an empty id list without asking the upstream', async () => {
    gw.upstream.reset();
    const res = await users({ filter: { ids: [] } });
    expect(res.data.users).toMatchObject({ totalCount: 0, nodes: [], pageInfo: { hasNextPage: false } });
    expect(gw.upstream.count('GET', '/users/v2')).toBe(0);
  });

  it('refuses what the upstream cannot express with BAD_USER_INPUT', async () => {
    gw.upstream.reset();
    const refused = [
      { filter: { excludeTags: ['red'] } },
      { filter: { createdAt: { gt: new Date().toISOString() } } },
      { filter: { fullNameStartsWith: 'Gra' } },
      { filter: { fullName: 'Grace Hopper', fullNameStartsWith: 'Grace' } },
      { filter: { fullNameStartsWith: 'Grace' }, first: 6 },
      { filter: { tags: ['red'] }, first: 101 },
      { filter: { tags: ['red'] }, first: -1 },
      { filter: { tags: ['red'] }, after: 'not-a-cursor' },
    ];
    for (const variables of refused) {
      const res = await users(variables);
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toBeTruthy();
    }
    expect(gw.upstream.count('GET', '/users/v2')).toBe(0);
  });

  it('answers UNAUTHENTICATED without a token', async () => {
    const res = await gw.gql(USERS, { filter: { tags: ['red'] } });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('file(uid), node and nodes', () => {
  let blob: { id: number; uid: string };
  beforeAll(async () => {
    blob = await uploadBlob(gw.local.url, token, { name: 'notes.txt', content_type: 'text/plain', public: true });
  });

  it('file(uid) answers a stored file, null for an unknown uid', async () => {
    const res = await gw.gql(
      `query($uid: String!) { file(uid: $uid) { id databaseId uid name contentType size isPublic url createdAt } missing: file(uid: "nope") { id } }`,
      { uid: blob.uid },
      { token },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.file).toMatchObject({
      id: encodeGlobalID('File', blob.uid),
      databaseId: blob.id,
      uid: blob.uid,
      name: 'notes.txt',
      contentType: 'text/plain',
      size: 'bytes of notes.txt'.length,
      isPublic: true,
    });
    expect(res.data.missing).toBeNull();
    const bytes = await fetch(res.data.file.url);
    expect(await bytes.text()).toBe('bytes of notes.txt');
  });

  it('file(uid) answers UNAUTHENTICATED without a token', async () => {
    const res = await gw.gql(`{ file(uid: "${blob.uid}") { id } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('node and nodes load users and files by global id', async () => {
    const res = await gw.gql(
      `query($user: ID!, $file: ID!, $ids: [ID!]!) {
        u: node(id: $user) { __typename id ... on User { login } }
        f: node(id: $file) { __typename ... on File { name } }
        many: nodes(ids: $ids) { __typename ... on User { login } }
      }`,
      {
        user: encodeGlobalID('User', ids.carol),
        file: encodeGlobalID('File', blob.uid),
        ids: [encodeGlobalID('User', ids.bob), encodeGlobalID('User', 999999), encodeGlobalID('User', ids.dave)],
      },
      { token },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      u: { __typename: 'User', id: encodeGlobalID('User', ids.carol), login: 'carol' },
      f: { __typename: 'File', name: 'notes.txt' },
      many: [{ __typename: 'User', login: 'bob' }, null, { __typename: 'User', login: 'dave' }],
    });
  });

  it('node answers an error for a malformed id, and UNAUTHENTICATED without a token', async () => {
    const bad = await gw.gql('{ node(id: "not a global id") { id } }', {}, { token });
    expect(bad.data?.node ?? null).toBeNull();
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unknownType = await gw.gql(`{ node(id: "${encodeGlobalID('Nope', 1)}") { id } }`, {}, { token });
    expect(unknownType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badUserId = await gw.gql(`{ node(id: "${encodeGlobalID('User', 'abc')}") { id } }`, {}, { token });
    expect(badUserId.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const none = await gw.gql(`{ node(id: "${encodeGlobalID('User', ids.bob)}") { id } }`);
    expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('User.avatar loads the avatar file; avatarUrl needs no call; custom_data.avatar_uid is read too', async () => {
    await insertUser(gw.local, 'pictured', { avatar: blob.uid });
    await insertUser(gw.local, 'legacy', { custom_data: JSON.stringify({ avatar_uid: blob.uid }) });
    gw.upstream.reset();
    const urls = await gw.gql(
      '{ a: user(login: "pictured") { avatarUrl } b: user(login: "legacy") { avatarUrl } }',
      {},
      { token },
    );
    expect(urls.data.a.avatarUrl).toContain(blob.uid);
    expect(urls.data.b.avatarUrl).toContain(blob.uid);
    expect(gw.upstream.calls.filter((c) => c.path.startsWith('/blobs'))).toHaveLength(0);
    const res = await gw.gql('{ user(login: "pictured") { avatar { uid name } } }', {}, { token });
    expect(res.data.user.avatar).toEqual({ uid: blob.uid, name: 'notes.txt' });
  });
});
