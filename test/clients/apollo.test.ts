import { randomUUID } from 'node:crypto';
import { gql } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createGatewayApolloClient, type GatewayApolloClient } from '../../examples/client/apollo.ts';
import { type ClientFixture, clientFixture } from './support.ts';

/** The Apollo Client setup the README shows (examples/client/apollo.ts), against the gateway. */

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
const UPDATE_ME = gql`
  mutation Rename($input: UpdateMeInput!) {
    updateMe(input: $input) { __typename ... on UpdateMeSuccess { user { id fullName } } ... on Error { code } }
  }
`;
const USERS = gql`
  query Users($filter: UserFilter!, $first: Int, $after: String) {
    users(filter: $filter, first: $first, after: $after) {
      edges { cursor node { id login } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const EVENTS = gql`subscription Events { sessionEvents { type session { user { login } } } }`;

let f: ClientFixture;
beforeAll(async () => {
  f = await clientFixture();
});
afterAll(() => f?.gw.close());

function setup(overrides: Partial<Parameters<typeof createGatewayApolloClient>[0]> = {}) {
  const state = { token: null as string | null, expired: [] as string[] };
  const apollo = createGatewayApolloClient({
    httpUrl: f.httpUrl,
    wsUrl: f.wsUrl,
    getToken: () => state.token,
    onSessionExpired: (code) => state.expired.push(code),
    webSocketImpl: WebSocket,
    ...overrides,
  });
  return { apollo, state };
}

async function close(apollo: GatewayApolloClient) {
  await apollo.dispose();
}

describe('Apollo Client (examples/client/apollo.ts)', () => {
  it('reads the fields of a union member through possibleTypes, and loses them without', async () => {
    const [user] = await f.addUsers(1);
    const input = { login: user!.login, password: 'not-the-password' };
    const { apollo } = setup();
    const result = await apollo.client.mutate({ mutation: LOGIN, variables: { input } });
    expect(result.data).toMatchObject({
      login: { __typename: 'InvalidCredentialsError', code: 'INVALID_CREDENTIALS', message: expect.any(String) },
    });
    await close(apollo);

    // The failure the recipe prevents: without possibleTypes the interface fragment is dropped.
    const bare = setup({ possibleTypes: {} });
    const without = await bare.apollo.client.mutate({ mutation: LOGIN, variables: { input } });
    expect((without.data as { login?: unknown } | undefined)?.login).toEqual({ __typename: 'InvalidCredentialsError' });
    await close(bare.apollo);
  });

  it('merges users pages with relayStylePagination: no repeats and no gaps across inserts and deletes', async () => {
    const users = await f.addUsers(5);
    const session = await f.newSession();
    const { apollo, state } = setup();
    state.token = session.token;
    const filter = { tags: [f.tag], databaseIds: users.map((u) => u.id) };
    const page = async (after?: string) =>
      (await apollo.client.query({ query: USERS, variables: { filter, first: 2, after }, fetchPolicy: 'network-only' }))
        .data as { users: { pageInfo: { endCursor: string; hasNextPage: boolean } } };

    const first = await page();
    await f.deleteUser(users[0]!.id); // someone deletes a user already shown
    const second = await page(first.users.pageInfo.endCursor);
    const third = await page(second.users.pageInfo.endCursor);
    expect(third.users.pageInfo.hasNextPage).toBe(false);

    const merged = apollo.client.readQuery({ query: USERS, variables: { filter, first: 2 } }) as {
      users: { edges: { node: { login: string } }[] };
    };
    const logins = merged.users.edges.map((e) => e.node.login);
    expect(logins).toEqual(users.map((u) => u.login));
    await close(apollo);
  });

  it('sends SESSION_EXPIRED to one error link for queries and mutations alike', async () => {
    const session = await f.newSession();
    const { apollo, state } = setup();
    state.token = session.token;
    const me = await apollo.client.query({ query: ME });
    expect(me.data).toEqual({ me: expect.objectContaining({ login: session.login }) });

    await f.destroyToken(session.token);
    await apollo.client.query({ query: ME, fetchPolicy: 'network-only' }).catch(() => {});
    await apollo.client.mutate({ mutation: UPDATE_ME, variables: { input: { fullName: 'x' } } }).catch(() => {});
    expect(state.expired).toEqual(['SESSION_EXPIRED', 'SESSION_EXPIRED']);
    await close(apollo);
  });

  it('clears the cache on logout', async () => {
    const session = await f.newSession();
    const { apollo, state } = setup();
    state.token = session.token;
    await apollo.client.query({ query: ME });
    expect(apollo.client.cache.extract()).not.toEqual({});
    state.token = null;
    await apollo.clearAfterLogout();
    expect(apollo.client.cache.extract()).toEqual({});
    await close(apollo);
  });

  it('subscribes over graphql-ws, and a new token after tokenChanged() reaches new subscriptions', async () => {
    const a = await f.newSession();
    const b = await f.newSession();
    const { apollo, state } = setup();
    const firstEvent = () =>
      new Promise<{ type: string; session: { user: { login: string } } }>((resolve, reject) => {
        const sub = apollo.client.subscribe({ query: EVENTS }).subscribe({
          next: (result) => {
            sub.unsubscribe();
            resolve((result.data as { sessionEvents: never }).sessionEvents);
          },
          error: reject,
        });
      });
    state.token = a.token;
    expect(await firstEvent()).toMatchObject({ type: 'EXTENDED', session: { user: { login: a.login } } });
    state.token = b.token;
    apollo.tokenChanged();
    expect(await firstEvent()).toMatchObject({ type: 'EXTENDED', session: { user: { login: b.login } } });
    await close(apollo);
  });

  it('sends automatic persisted queries as hash-only GETs once the gateway knows the hash', async () => {
    const session = await f.newSession();
    const requests: { method: string; hasQuery: boolean }[] = [];
    const recording: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      const body = typeof init?.body === 'string' ? init.body : '';
      requests.push({
        method: init?.method ?? 'GET',
        hasQuery: url.searchParams.has('query') || body.includes('"query"'),
      });
      return fetch(input, init);
    };
    const { apollo, state } = setup({ fetch: recording });
    state.token = session.token;
    // A document no one has sent before (hashes outlive a test run when they are kept in Redis).
    const query = gql(`query Me${randomUUID().replaceAll('-', '')} { me { id login } }`);
    await apollo.client.query({ query, fetchPolicy: 'network-only' });
    await apollo.client.query({ query, fetchPolicy: 'network-only' });
    // First: the hash alone (unknown), then the hash with the document; afterwards the hash alone.
    expect(requests).toEqual([
      { method: 'GET', hasQuery: false },
      { method: 'POST', hasQuery: true },
      { method: 'GET', hasQuery: false },
    ]);
    await close(apollo);
  });
});
