import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { type Context, createContext, type GatewayDeps, tokenFromHeaders } from '../context.ts';
import { buildSchema } from '../schema/index.ts';
import { graphiqlDefaultQuery, graphiqlHeaders } from './graphiql.ts';
import { useHealth } from './use-health.ts';

export type GatewayYoga = YogaServerInstance<Record<string, unknown>, Context>;

/**
 * GraphQL over HTTP on `/graphql` (GET, POST, SSE) with GraphiQL served from the package
 * (no CDN), health endpoints, and a context per request. Errors that are not GraphQLErrors
 * are masked, always: no stack, upstream URL or token reaches a client.
 */
export function createGatewayYoga(deps: GatewayDeps, ready: () => Promise<boolean>): GatewayYoga {
  return createYoga<Record<string, unknown>, Context>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    context: ({ request }) => createContext(deps, tokenFromHeaders(request.headers)),
    maskedErrors: { isDev: false },
    logging: {
      debug: (...args) => deps.logger.debug(args.length === 1 ? args[0] : args),
      info: (...args) => deps.logger.info(args.length === 1 ? args[0] : args),
      warn: (...args) => deps.logger.warn(args.length === 1 ? args[0] : args),
      error: (...args) => deps.logger.error(args.length === 1 ? args[0] : args),
    },
    graphiql: {
      title: 'cube-gateway',
      defaultQuery: graphiqlDefaultQuery,
      headers: graphiqlHeaders,
      defaultEditorToolsVisibility: 'headers',
      shouldPersistHeaders: false,
    },
    renderGraphiQL,
    plugins: [useHealth(ready)],
  });
}
