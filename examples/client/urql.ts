import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { authExchange } from '@urql/exchange-auth';
import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { createClient as createWsClient } from 'graphql-ws';
import schema from './gql/introspection.ts';

/**
 * urql set up for cube-gateway (the README shows this file):
 * - graphcache with the schema from `npm run codegen`, so fragments on union members and
 *   interfaces resolve, and `relayPagination` merges `users` pages;
 * - `authExchange`: SESSION_EXPIRED and UNAUTHENTICATED (top-level errors for queries and
 *   mutations alike) call `refreshSession` once, then the operation is retried;
 * - subscriptions over graphql-ws where every subscription carries its own token in
 *   `extensions.authorization`, so a token switch needs no new socket.
 */

export interface UrqlGatewayOptions {
  /** `https://gateway.example/graphql` */
  url: string;
  /** `wss://gateway.example/graphql` */
  wsUrl: string;
  /** The current session token, or null. */
  getToken(): string | null;
  /** The token was refused: get a new one (log in again, or send the user to the login screen). */
  refreshSession(): Promise<void>;
  /** Only outside browsers (Node < 22 tests): the WebSocket implementation. */
  webSocketImpl?: unknown;
}

const AUTH_FAILURES = new Set(['SESSION_EXPIRED', 'UNAUTHENTICATED']);

/** Objects without an `id` (payloads, errors, edges, events) are kept inside their parent. */
const keys = Object.fromEntries(
  schema.__schema.types
    .filter((type) => type.kind === 'OBJECT' && !type.fields.some((field) => field.name === 'id'))
    .map((type) => [type.name, () => null]),
);

export function createGatewayUrqlClient(options: UrqlGatewayOptions): { client: Client; dispose(): Promise<void> } {
  const bearer = () => {
    const token = options.getToken();
    return token ? `Bearer ${token}` : null;
  };
  const ws = createWsClient({
    url: options.wsUrl,
    lazy: true,
    // The socket opens with whatever token there is; each subscription then sends its own.
    connectionParams: () => {
      const authorization = bearer();
      return authorization ? { authorization } : {};
    },
    ...(options.webSocketImpl !== undefined && { webSocketImpl: options.webSocketImpl }),
  });

  const client = new Client({
    url: options.url,
    exchanges: [
      cacheExchange({ schema, keys, resolvers: { Query: { users: relayPagination() } } }),
      authExchange(async (utils) => ({
        addAuthToOperation(operation) {
          const authorization = bearer();
          return authorization ? utils.appendHeaders(operation, { Authorization: authorization }) : operation;
        },
        didAuthError: (error) => error.graphQLErrors.some((e) => AUTH_FAILURES.has(String(e.extensions?.code))),
        refreshAuth: () => options.refreshSession(),
      })),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const authorization = bearer();
          const input = {
            ...request,
            query: request.query ?? '',
            extensions: { ...request.extensions, ...(authorization && { authorization }) },
          };
          return { subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }) };
        },
      }),
    ],
  });
  return {
    client,
    async dispose() {
      await ws.dispose();
    },
  };
}
