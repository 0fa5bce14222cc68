import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { relayStylePagination } from '@apollo/client/utilities';
import { OperationTypeNode } from 'graphql';
import { createClient, type Client as WsClient } from 'graphql-ws';
import generated from './gql/possible-types.ts';

/**
 * Apollo Client 4 set up for cube-gateway (the README shows this file):
 * - `possibleTypes` from `npm run codegen`, so fragments on union members
 *   (`... on Error { code message }`) are not silently empty;
 * - `relayStylePagination` for `users`, whose cursors survive inserts and deletes;
 * - one error link for every auth failure: SESSION_EXPIRED and UNAUTHENTICATED are top-level
 *   errors for queries and mutations alike;
 * - queries and mutations over HTTP with automatic persisted queries (hash-only GETs),
 *   subscriptions over graphql-ws, whose client is recreated when the token changes.
 */

export interface GatewayClientOptions {
  /** `https://gateway.example/graphql` */
  httpUrl: string;
  /** `wss://gateway.example/graphql` */
  wsUrl: string;
  /** The current session token, or null (kept by the app, e.g. after `login`). */
  getToken(): string | null;
  /** The token is dead (expired, destroyed, logged out elsewhere): back to the login screen. */
  onSessionExpired(code: 'SESSION_EXPIRED' | 'UNAUTHENTICATED'): void;
  /** Only outside browsers (Node < 22 tests): the WebSocket implementation. */
  webSocketImpl?: unknown;
  /** Replaces the global `fetch` (server-side rendering, tests that watch requests). */
  fetch?: typeof fetch;
  /** Replaces the generated possibleTypes (a test shows what goes wrong without them). */
  possibleTypes?: Record<string, string[]>;
}

export interface GatewayApolloClient {
  client: ApolloClient;
  /** Call after login, logout or any token switch: new sockets carry the new token. */
  tokenChanged(): void;
  /** Logout: forget every cached object of the previous user. */
  clearAfterLogout(): Promise<void>;
  dispose(): Promise<void>;
}

const AUTH_FAILURES = ['SESSION_EXPIRED', 'UNAUTHENTICATED'] as const;

/** SHA-256 hex with Web Crypto (browsers and Node alike). */
async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function createGatewayApolloClient(options: GatewayClientOptions): GatewayApolloClient {
  const authorization = () => {
    const token = options.getToken();
    return token ? `Bearer ${token}` : undefined;
  };

  const newWsClient = (): WsClient =>
    createClient({
      url: options.wsUrl,
      lazy: true,
      connectionParams: () => {
        const value = authorization();
        return value ? { authorization: value } : {};
      },
      ...(options.webSocketImpl !== undefined && { webSocketImpl: options.webSocketImpl }),
    });
  let ws = newWsClient();
  let wsLink = new GraphQLWsLink(ws);

  const auth = new SetContextLink(({ headers }) => {
    const value = authorization();
    return { headers: { ...headers, ...(value && { authorization: value }) } };
  });
  const errors = new ErrorLink(({ error }) => {
    if (!CombinedGraphQLErrors.is(error)) return;
    const code = error.errors.map((e) => e.extensions?.code).find((c) => AUTH_FAILURES.includes(c as never));
    if (code) options.onSessionExpired(code as (typeof AUTH_FAILURES)[number]);
  });
  const http = ApolloLink.from([
    new PersistedQueryLink({ sha256, useGETForHashedQueries: true }),
    new HttpLink({ uri: options.httpUrl, ...(options.fetch && { fetch: options.fetch }) }),
  ]);
  // Always the current socket's link: `tokenChanged` swaps it.
  const subscriptions = new ApolloLink((operation) => wsLink.request(operation));
  const transport = ApolloLink.split(
    ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
    subscriptions,
    http,
  );

  const client = new ApolloClient({
    link: ApolloLink.from([errors, auth, transport]),
    cache: new InMemoryCache({
      possibleTypes: options.possibleTypes ?? generated.possibleTypes,
      typePolicies: {
        // `users` pages merge into one list per filter and order.
        Query: { fields: { users: relayStylePagination(['filter', 'orderBy']) } },
      },
    }),
  });

  return {
    client,
    tokenChanged() {
      void ws.dispose();
      ws = newWsClient();
      wsLink = new GraphQLWsLink(ws);
    },
    async clearAfterLogout() {
      await client.clearStore();
    },
    async dispose() {
      client.stop();
      await ws.dispose();
    },
  };
}
