import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { insertUser } from '../support/users.ts';

/**
 * Keyset cursors: users added and removed between pages never repeat or go missing, forward
 * and backward, for the default order and ID / CREATED_AT both ways. Many users share one
 * `created_at` second (the upstream's resolution), so ties across page boundaries are covered.
 */

let gw: RunningGateway;
let token: string;
const START = Date.UTC(2025, 0, 1, 12, 0, 0);

beforeAll(async () => {
  gw = await startGateway();
  await insertUser(gw.local, 'pager');
  const res = await gw.gql(
    'mutation { login(input: { login: "pager", password: "correct-horse-battery" }) { ... on LoginSuccess { session { token } } } }',
  );
  token = res.data.login.session.token;
});
afterAll(() => gw?.close());

/** 24 users in 6 seconds, four to a second, in creation (and id) order. */
async function seed(tag: string): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (let i = 0; i < 24; i++) {
    const login = `${tag}-${String(i).padStart(2, '0')}`;
    const row = await gw.local.service.deps.users.insert({
      application_id: gw.local.application.id,
      login,
      email: `${login}@example.test`,
      password_hash: 'not used',
      user_tags: [tag],
      created_at: new Date(START + Math.floor(i / 4) * 1000 + (i % 4) * 100),
    });
    ids.set(login, row.id);
  }
  return ids;
}

const remove = (id: number) => gw.local.service.deps.db.deleteFrom('users').where('id', '=', id).execute();
const add = (tag: string, login: string, at: Date) =>
  gw.local.service.deps.users.insert({
    application_id: gw.local.application.id,
    login,
    email: `${login}@example.test`,
    password_hash: 'not used',
    user_tags: [tag],
    created_at: at,
  });

const QUERY = `query($f: UserFilter!, $o: UserOrder, $first: Int, $after: String, $last: Int, $before: String) {
  users(filter: $f, orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { login } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

async function page(variables: Record<string, unknown>) {
  const res = await gw.gql(QUERY, variables, { token });
  expect(res.errors).toBeUndefined();
  return res.data.users as {
    totalCount: number;
    edges: { cursor: string; node: { login: string } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
  };
}

const orders: [string, Record<string, string> | null, boolean][] = [
  ['default', null, true],
  ['id-asc', { field: 'ID', direction: 'ASC' }, true],
  ['id-desc', { field: 'ID', direction: 'DESC' }, false],
  ['created-asc', { field: 'CREATED_AT', direction: 'ASC' }, true],
  ['created-desc', { field: 'CREATED_AT', direction: 'DESC' }, false],
];

describe.each(orders)('users keyset paging, order %s', (tag, orderBy, ascending) => {
  it('forward: inserts and deletes between pages make nobody repeat or go missing', async () => {
    const ids = await seed(`kf-${tag}`);
    const filter = { tags: [`kf-${tag}`] };
    const expected = [...ids.keys()];
    if (!ascending) expected.reverse();
    const seen: string[] = [];
    let after: string | null = null;
    for (let round = 0; round < 20; round++) {
      const current = await page({ f: filter, o: orderBy, first: 5, after });
      seen.push(...current.edges.map((e) => e.node.login));
      expect(current.pageInfo.hasPreviousPage).toBe(after !== null);
      if (round === 0) {
        // Between pages: one already seen and one not yet seen go, and a user created in the
        // last page's second appears before the cursor (for ascending orders: after it).
        await remove(ids.get(seen[1] as string) as number);
        const unseen = expected[12] as string;
        await remove(ids.get(unseen) as number);
        expected.splice(expected.indexOf(unseen), 1);
        await add(`kf-${tag}`, `kf-${tag}-late`, new Date(START + 60_000));
        if (ascending) expected.push(`kf-${tag}-late`);
      }
      if (!current.pageInfo.hasNextPage) break;
      after = current.pageInfo.endCursor;
      expect(Buffer.from(after, 'base64url').toString()).toMatch(/^v1:k:/);
    }
    expect(seen).toEqual(expected);
  });

  it('backward: last/before pages walk to the start the same way', async () => {
    const ids = await seed(`kb-${tag}`);
    const filter = { tags: [`kb-${tag}`] };
    const expected = [...ids.keys()];
    if (!ascending) expected.reverse();
    const seen: string[] = [];
    let before: string | null = null;
    for (let round = 0; round < 20; round++) {
      const current = await page({ f: filter, o: orderBy, last: 5, before });
      seen.unshift(...current.edges.map((e) => e.node.login));
      expect(current.pageInfo.hasNextPage).toBe(before !== null);
      if (round === 0) {
        await remove(ids.get(seen[0] as string) as number);
        const unseen = expected[9] as string;
        await remove(ids.get(unseen) as number);
        expected.splice(expected.indexOf(unseen), 1);
        // Created after everything: in the page order it sorts past the cursor for ascending
        // orders (never walked) and for descending ones at the start (walked last).
        await add(`kb-${tag}`, `kb-${tag}-late`, new Date(START + 60_000));
        if (!ascending) expected.unshift(`kb-${tag}-late`);
      }
      if (!current.pageInfo.hasPreviousPage) break;
      before = current.pageInfo.startCursor;
    }
    expect(seen).toEqual(expected);
  });
});

describe('users cursors', () => {
  it('a cursor serves only the order it came from, and junk is BAD_USER_INPUT', async () => {
    await seed('kx');
    const filter = { tags: ['kx'] };
    const byId = await page({ f: filter, first: 2 });
    const byLogin = await gw.gql(
      QUERY,
      { f: filter, o: { field: 'LOGIN', direction: 'ASC' }, first: 2, after: byId.pageInfo.endCursor },
      { token },
    );
    expect(byLogin.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const desc = await gw.gql(
      QUERY,
      { f: filter, o: { field: 'ID', direction: 'DESC' }, first: 2, after: byId.pageInfo.endCursor },
      { token },
    );
    expect(desc.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    for (const junk of ['', 'abc', Buffer.from('v1:k:ida:x:1').toString('base64url'), 'djE6bzotMQ']) {
      const res = await gw.gql(QUERY, { f: filter, first: 2, after: junk }, { token });
      expect(res.errors?.[0]?.extensions?.code, junk).toBe('BAD_USER_INPUT');
    }
  });

  it('orders the upstream cannot bound page by offset cursors, and say so', async () => {
    const schema = await gw.gql('{ __type(name: "Query") { fields { name description } } }', {}, { token });
    const users = schema.data.__type.fields.find((f: { name: string }) => f.name === 'users');
    expect(users.description).toMatch(/LOGIN/);
    const res = await page({ f: { tags: ['kx'] }, o: { field: 'LOGIN', direction: 'DESC' }, first: 3 });
    expect(res.edges.map((e) => e.node.login)).toEqual(['kx-23', 'kx-22', 'kx-21']);
    expect(Buffer.from(res.pageInfo.endCursor, 'base64url').toString()).toBe('v1:o:2');
    const next = await page({
      f: { tags: ['kx'] },
      o: { field: 'LOGIN', direction: 'DESC' },
      first: 2,
      after: res.pageInfo.endCursor,
    });
    expect(next.edges.map((e) => e.node.login)).toEqual(['kx-20', 'kx-19']);
    expect(next.totalCount).toBe(24);
  });
});
