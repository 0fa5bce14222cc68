import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadBlob } from '../support/blobs.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

/** Every argument and result that names an object takes and gives its global id. */

let gw: RunningGateway;
let ada: { token: string; id: string; sessionId: string };
let bob: { token: string; id: string; sessionId: string };

async function signIn(login: string) {
  await insertUser(gw.local, login);
  const res = await gw.gql(
    'mutation($i: LoginInput!) { login(input: $i) { ... on LoginSuccess { session { id token user { id } } } } }',
    { i: { login, password: PASSWORD } },
  );
  const { session } = res.data.login;
  return { token: session.token as string, id: session.user.id as string, sessionId: session.id as string };
}

beforeAll(async () => {
  gw = await startGateway();
  ada = await signIn('ada');
  bob = await signIn('bob');
});
afterAll(() => gw?.close());

describe('ids that round-trip', () => {
  it('user(id:) takes the id a User gives, user(databaseId:) the upstream integer', async () => {
    const { data } = await gw.gql('{ me { id databaseId } }', {}, { token: ada.token });
    const res = await gw.gql(
      'query($id: ID, $db: Int) { a: user(id: $id) { id login } b: user(databaseId: $db) { id login } }',
      { id: bob.id, db: data.me.databaseId },
      { token: ada.token },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ a: { id: bob.id, login: 'bob' }, b: { id: ada.id, login: 'ada' } });
  });

  it('user(id:) refuses an id of another type or a malformed one with BAD_USER_INPUT', async () => {
    for (const id of [ada.sessionId, 'not-an-id', encodeGlobalID('User', 'abc')]) {
      const res = await gw.gql('query($id: ID) { user(id: $id) { id } }', { id }, { token: ada.token });
      expect(res.errors?.[0]?.extensions?.code, id).toBe('BAD_USER_INPUT');
    }
    const both = await gw.gql(
      'query($id: ID) { user(id: $id, databaseId: 1) { id } }',
      { id: ada.id },
      { token: ada.token },
    );
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('UserFilter.ids and excludeIds take global ids; databaseIds takes integers', async () => {
    const query = `query($f: UserFilter!) { users(filter: $f, orderBy: { field: LOGIN, direction: ASC }) {
      nodes { login }
    } }`;
    const logins = async (f: Record<string, unknown>) => {
      const res = await gw.gql(query, { f }, { token: ada.token });
      expect(res.errors).toBeUndefined();
      return res.data.users.nodes.map((u: { login: string }) => u.login);
    };
    expect(await logins({ ids: [ada.id, bob.id] })).toEqual(['ada', 'bob']);
    expect(await logins({ ids: [ada.id, bob.id], excludeIds: [bob.id] })).toEqual(['ada']);
    const { data } = await gw.gql('{ me { databaseId } }', {}, { token: bob.token });
    expect(await logins({ databaseIds: [data.me.databaseId] })).toEqual(['bob']);
    expect(await logins({ ids: [ada.id], databaseIds: [data.me.databaseId] })).toEqual([]);
    const bad = await gw.gql(query, { f: { ids: [ada.sessionId] } }, { token: ada.token });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('Session is a Node', () => {
  it("node(id:) reads the caller's own session and null for anyone else's", async () => {
    const query = 'query($id: ID!) { node(id: $id) { __typename id ... on Session { kind user { login } } } }';
    const own = await gw.gql(query, { id: ada.sessionId }, { token: ada.token });
    expect(own.data.node).toEqual({ __typename: 'Session', id: ada.sessionId, kind: 'USER', user: { login: 'ada' } });
    const foreign = await gw.gql(query, { id: bob.sessionId }, { token: ada.token });
    expect(foreign.errors).toBeUndefined();
    expect(foreign.data.node).toBeNull();
  });
});

describe('nodes(ids:)', () => {
  it('answers null for each id it cannot read and still answers the rest', async () => {
    const blob = await uploadBlob(gw.local.url, ada.token, { name: 'mine.txt', content_type: 'text/plain' });
    const ids = [
      bob.id,
      'not a global id',
      encodeGlobalID('Nope', 1),
      encodeGlobalID('User', 'abc'),
      encodeGlobalID('User', 999_999),
      bob.sessionId,
      ada.sessionId,
      encodeGlobalID('File', blob.uid),
      encodeGlobalID('File', 'no-such-uid'),
    ];
    const res = await gw.gql(
      'query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }',
      { ids },
      { token: ada.token },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.nodes).toEqual([
      { __typename: 'User', id: bob.id },
      null,
      null,
      null,
      null,
      null,
      { __typename: 'Session', id: ada.sessionId },
      { __typename: 'File', id: encodeGlobalID('File', blob.uid) },
      null,
    ]);
  });
});
