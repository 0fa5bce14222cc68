import type { Logger } from 'pino';
import { buildApp, type GatewayApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { LocalServiceOptions } from '../../src/local-service/app.ts';
import type { Tracing } from '../../src/observability/tracing.ts';
import { type CountingProxy, startCountingProxy } from './counting-proxy.ts';
import { type RunningLocalService, startLocalService } from './local-service.ts';

export interface GraphQLResult<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [k: string]: unknown } }[];
}

export interface RunningGateway {
  url: string;
  app: GatewayApp;
  local: RunningLocalService;
  /** Counts the gateway's upstream calls. */
  upstream: CountingProxy;
  /** POST /graphql over real HTTP; `token` goes in `Authorization: Bearer`. */
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string | null; headers?: Record<string, string> },
  ): Promise<GraphQLResult<T>>;
  close(): Promise<void>;
}

/**
 * A local users service on port 0, a counting proxy in front of it, and a gateway on port 0
 * wired to the proxy with the service's application (signed session creation included).
 */
export async function startGateway(
  options: {
    local?: Partial<LocalServiceOptions>;
    env?: Record<string, string>;
    signed?: boolean;
    logger?: Logger;
    tracing?: Tracing;
  } = {},
): Promise<RunningGateway> {
  // As under `npm start`, the service believes the gateway's X-Forwarded-For: the gateway
  // (through the counting proxy) reaches it from 127.0.0.1.
  const local = await startLocalService({ trustedProxies: ['127.0.0.1'], ...options.local });
  const upstream = await startCountingProxy(local.url);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.GATEWAY_LOG_LEVEL ?? 'silent',
    UPSTREAM_URL: upstream.url,
    CUBE_APPLICATION_ID: String(local.application.id),
    CUBE_AUTH_KEY: local.application.authKey,
    ...(options.signed !== false && { CUBE_AUTH_SECRET: local.application.authSecret }),
    UPSTREAM_RETRIES: '0',
    // The service's download URLs name its own origin, not the proxy's (as S3 would for the real one).
    FILE_SOURCE_ORIGINS: `${upstream.url},${local.url}`,
    ...options.env,
  });
  if (!config.upstream) throw new Error('unreachable: UPSTREAM_URL is set');
  const app = buildApp(
    { ...config, upstream: config.upstream },
    { ...(options.logger && { logger: options.logger }), ...(options.tracing && { tracing: options.tracing }) },
  );
  const url = await app.start(0, '127.0.0.1');
  return {
    url,
    app,
    local,
    upstream,
    gql: (query, variables, options) => postGraphQL(url, query, variables, options),
    async close() {
      await app.stop();
      await upstream.close();
      await local.close();
    },
  };
}

/** POST /graphql over real HTTP; `token` goes in `Authorization: Bearer`. */
export async function postGraphQL<T = any>(
  baseUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  { token, headers }: { token?: string | null; headers?: Record<string, string> } = {},
): Promise<GraphQLResult<T>> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token && { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GraphQLResult, 'status'>;
  return { status: res.status, ...body };
}
