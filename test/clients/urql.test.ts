import { gql } from '@urql/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createGatewayUrqlClient } from '../../examples/client/urql.ts';
import { PASSWORD } from '../support/users.ts';
import { type ClientFixture, clientFixture } from './support.ts';

/** The urql setup the README shows (examples/client/urql.ts), against the gateway. */

const LOGIN = gql`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      __typename
      ... on LoginSuccess { session { id token } }
      ... on Error { code message }
    }
  }
`;
const ME = gql`query Me { me { id login } }`;
const USERS = gql`
  query Users($filter: UserFilter!, $first: Int, $after: String) {
    users(filter: $filter, first: $first, after: $after) {
      edges { cursor node { id login } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const EVENTS = gql`subscription Events { sessionEvents { type session { user { login } } } }`;
/** Another document: urql shares one stream between identical operations. */
const EVENTS_AGAIN = gql`subscription EventsAgain { sessionEvents { type at session { user { login } } } }`;

let f: ClientFixture;
beforeAll(async () => {
  f = await clientFixture();
});
afterAll(() => f?.gw.close());

function setup(refreshSession: () => Promise<void> = async () => {}) {
  const state = { token: null as string | null };
  const urql = createGatewayUrqlClient({
    url: f.httpUrl,
    wsUrl: f.wsUrl,
    getToken: () => state.token,
    refreshSession,
    webSocketImpl: WebSocket,
  });
  return { ...urql, state };
}

describe('urql with graphcache and authExchange (examples/client/urql.ts)', () => {
  it("reads an error member's fields through graphcache's schema", async () => {
    const [user] = await f.addUsers(1);
    const { client, dispose } = setup();
    const result = await client
      .mutation(LOGIN, { input: { login: user!.login, password: 'not-the-password' } })
      .toPromise();
    expect(result.data?.login).toMatchObject({
      __typename: 'InvalidCredentialsError',
      code: 'INVALID_CREDENTIALS',
      message: expect.any(String),
    });
    await dispose();
  });

  it('merges users pages with relayPagination: no repeats and no gaps across inserts and deletes', async () => {
    const users = await f.addUsers(4);
    const session = await f.newSession();
    const { client, state, dispose } = setup();
    state.token = session.token;
    const filter = { tags: [f.tag], databaseIds: users.map((u) => u.id) };
    const page = async (after?: string) => {
      const result = await client
        .query(USERS, { filter, first: 2, after }, { requestPolicy: 'network-only' })
        .toPromise();
      if (result.error) throw result.error;
      return result.data as { users: { edges: { node: { login: string } }[]; pageInfo: { endCursor: string } } };
    };
    const first = await page();
    await f.deleteUser(users[1]!.id); // someone deletes a user already shown
    const second = await page(first.users.pageInfo.endCursor);
    // graphcache hands back every page so far, merged.
    expect(second.users.edges.map((e) => e.node.login)).toEqual(users.map((u) => u.login));
    await dispose();
  });

  it('refreshes once through authExchange when the session expired, then retries', async () => {
    const session = await f.newSession();
    let refreshes = 0;
    const { client, state, dispose } = setup(async () => {
      refreshes++;
      const res = await f.gw.gql(
        'mutation($input: LoginInput!) { login(input: $input) { ... on LoginSuccess { session { token } } } }',
        { input: { login: session.login, password: PASSWORD } },
      );
      state.token = res.data.login.session.token;
    });
    state.token = session.token;
    await f.destroyToken(session.token);
    const me = await client.query(ME, {}, { requestPolicy: 'network-only' }).toPromise();
    expect(me.error).toBeUndefined();
    expect(me.data?.me).toMatchObject({ login: session.login });
    expect(refreshes).toBe(1);
    expect(state.token).not.toBe(session.token);
    await dispose();
  });

  it('gives every subscription its own token on one socket', async () => {
    const a = await f.newSession();
    const b = await f.newSession();
    const { client, state, dispose } = setup();
    const subscribe = (query: typeof EVENTS) =>
      new Promise<{ event: { type: string; session: { user: { login: string } } }; unsubscribe(): void }>(
        (resolve, reject) => {
          const sub = client.subscription(query, {}).subscribe((result) => {
            if (result.error) reject(result.error);
            else resolve({ event: result.data.sessionEvents, unsubscribe: () => sub.unsubscribe() });
          });
        },
      );
    state.token = a.token;
    const first = await subscribe(EVENTS);
    expect(first.event).toMatchObject({ type: 'EXTENDED', session: { user: { login: a.login } } });
    // A's subscription keeps the socket (opened with A's token) open while B subscribes on it.
    state.token = b.token;
    const second = await subscribe(EVENTS_AGAIN);
    expect(second.event).toMatchObject({ type: 'EXTENDED', session: { user: { login: b.login } } });
    first.unsubscribe();
    second.unsubscribe();
    await dispose();
  });
});
