import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import {
  ConnectionHandler,
  commitLocalUpdate,
  commitMutation,
  Environment,
  fetchQuery,
  type GraphQLResponse,
  Network,
  RecordSource,
  type RequestParameters,
  Store,
  type Variables,
} from 'relay-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientFixture, clientFixture } from './support.ts';

/**
 * relay-compiler over examples/relay (fragments with @connection, @refetchable and
 * @deleteRecord) against the committed schema, then Relay's runtime against the gateway.
 */

const relayDir = new URL('../../examples/relay/', import.meta.url).pathname;
const generated = (name: string) => import(`${relayDir}src/__generated__/${name}.graphql.ts`).then((m) => m.default);

let f: ClientFixture;
beforeAll(async () => {
  await mkdir(`${relayDir}src/__generated__`, { recursive: true });
  const compiler = new URL('../../node_modules/.bin/relay-compiler', import.meta.url).pathname;
  await promisify(execFile)(compiler, [], { cwd: relayDir });
  f = await clientFixture();
}, 120_000);
afterAll(() => f?.gw.close());

function environment(token: string): Environment {
  const fetchFn = async (params: RequestParameters, variables: Variables): Promise<GraphQLResponse> => {
    const res = await fetch(f.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: params.text, variables }),
    });
    return (await res.json()) as GraphQLResponse;
  };
  return new Environment({ network: Network.create(fetchFn), store: new Store(new RecordSource()) });
}

describe('Relay (relay-compiler and relay-runtime)', () => {
  it('pages a @connection with no repeats and no gaps when a shown user is deleted', async () => {
    const users = await f.addUsers(5);
    const session = await f.newSession();
    const env = environment(session.token);
    const tag = f.tag;
    await fetchQuery(env, await generated('operationsUsersQuery'), { tag }).toPromise();
    const edges = () => {
      let logins: string[] = [];
      let cursor: string | null = null;
      commitLocalUpdate(env, (store) => {
        const connection = ConnectionHandler.getConnection(store.getRoot(), 'operations_users', {
          filter: { tags: [tag] },
        });
        logins = (connection?.getLinkedRecords('edges') ?? []).map(
          (edge) => edge?.getLinkedRecord('node')?.getValue('login') as string,
        );
        cursor = (connection?.getLinkedRecord('pageInfo')?.getValue('endCursor') as string | null) ?? null;
      });
      return { logins, cursor };
    };
    await f.deleteUser(users[0]!.id);
    const pagination = await generated('operationsUserListPaginationQuery');
    for (let page = 0; page < 3; page++) {
      await fetchQuery(env, pagination, { tag, count: 2, cursor: edges().cursor }).toPromise();
    }
    // Every tagged user once, in order: the first page held users[0], the rest follow it.
    const expected = [...users.map((u) => u.login), session.login];
    expect(edges().logins).toEqual(expected);
  });

  it('refetches a @refetchable User fragment through node(id:) with its global id', async () => {
    const [user] = await f.addUsers(1);
    const session = await f.newSession();
    const env = environment(session.token);
    const globalId = Buffer.from(`User:${user!.id}`).toString('base64');
    const data = (await fetchQuery(env, await generated('operationsUserRefetchQuery'), {
      id: globalId,
    }).toPromise()) as {
      node: unknown;
    };
    expect(data.node).toBeTruthy();
    expect(env.getStore().getSource().get(globalId)).toMatchObject({ login: user!.login });
  });

  it('deletes the destroyed session from the store with @deleteRecord on destroyedSessionId', async () => {
    const session = await f.newSession();
    const env = environment(session.token);
    const data = (await fetchQuery(env, await generated('operationsSessionQuery'), {}).toPromise()) as {
      session: { id: string };
    };
    const id = data.session.id;
    expect(env.getStore().getSource().get(id)).toBeTruthy();
    const mutation = await generated('operationsDestroySessionMutation');
    await new Promise<void>((resolve, reject) =>
      commitMutation(env, { mutation, variables: { input: {} }, onCompleted: () => resolve(), onError: reject }),
    );
    expect(env.getStore().getSource().get(id)).toBeNull();
  });
});
