import { buildApp, type GatewayApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { type GraphQLResult, postGraphQL } from '../support/gateway.ts';
import type { RunningLocalService } from '../support/local-service.ts';

export interface GatewayOver {
  url: string;
  app: GatewayApp;
  gql<T = any>(query: string, token?: string): Promise<GraphQLResult<T>>;
  /** `/readyz` status and body. */
  readyz(): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** An in-process gateway on port 0 whose upstream is `upstreamUrl`, acting for `local`'s application. */
export async function gatewayOver(
  upstreamUrl: string,
  local: RunningLocalService,
  env: Record<string, string> = {},
): Promise<GatewayOver> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.GATEWAY_LOG_LEVEL ?? 'silent',
    UPSTREAM_URL: upstreamUrl,
    CUBE_APPLICATION_ID: String(local.application.id),
    CUBE_AUTH_KEY: local.application.authKey,
    UPSTREAM_RETRIES: '0',
    ...env,
  });
  if (!config.upstream) throw new Error('unreachable: UPSTREAM_URL is set');
  const app = buildApp({ ...config, upstream: config.upstream });
  const url = await app.start(0, '127.0.0.1');
  return {
    url,
    app,
    gql: (query, token) => postGraphQL(url, query, undefined, { token }),
    async readyz() {
      const res = await fetch(`${url}/readyz`);
      return { status: res.status, body: await res.json() };
    },
    close: () => app.stop(),
  };
}

/** The one error code of a result, whether it came as a top-level error or not at all. */
export function errorCode(result: GraphQLResult): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}
