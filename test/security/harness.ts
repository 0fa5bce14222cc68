import { Agent, fetch } from 'undici';
import { expect } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { LocalServiceOptions } from '../../src/local-service/app.ts';
import { createLogger } from '../../src/logger.ts';
import { type GraphQLResult, type RunningGateway, startGateway } from '../support/gateway.ts';
import type { SecretScan } from './secret-scan.ts';

/**
 * The security suite's processes: a real local users service and gateway (through the
 * counting proxy), both logging at `trace` into the scan, and GraphQL clients whose socket is
 * bound to a chosen loopback address, so that each test can be a different client address.
 */

export interface SecuredGateway {
  gw: RunningGateway;
  /** A GraphQL client from `localAddress` (default 127.0.0.1); every body goes to the scan. */
  client(localAddress?: string): GqlClient;
  close(): Promise<void>;
}

export type GqlClient = <T = any>(
  query: string,
  variables?: Record<string, unknown>,
  options?: { token?: string | null; headers?: Record<string, string> },
) => Promise<GraphQLResult<T> & { headers: Headers }>;

export async function startSecuredGateway(
  scan: SecretScan,
  options: { env?: Record<string, string>; local?: Partial<LocalServiceOptions> } = {},
): Promise<SecuredGateway> {
  const gw = await startGateway({
    env: options.env ?? {},
    logger: createLogger('trace', scan.logStream('gateway')),
    local: {
      logLevel: 'trace',
      logDestination: scan.logStream('local-service'),
      ...options.local,
    },
  });
  scan.secret(gw.local.application.authKey, 'auth key');
  scan.secret(gw.local.application.authSecret, 'auth secret');
  const agents: Agent[] = [];
  return {
    gw,
    client: (localAddress = '127.0.0.1') => {
      const agent = new Agent({ localAddress });
      agents.push(agent);
      return gqlClient(scan, `${gw.url}/graphql`, agent, localAddress);
    },
    async close() {
      await Promise.all(agents.map((agent) => agent.close()));
      await gw.close();
    },
  };
}

/** Another gateway instance in front of the same upstream (the counting proxy), with its own settings. */
export async function startAnotherGateway(
  scan: SecretScan,
  first: RunningGateway,
  env: Record<string, string>,
): Promise<{ app: GatewayApp; url: string; client(localAddress?: string): GqlClient; close(): Promise<void> }> {
  const config = loadConfig({
    NODE_ENV: 'test',
    UPSTREAM_URL: first.upstream.url,
    CUBE_APPLICATION_ID: String(first.local.application.id),
    CUBE_AUTH_KEY: first.local.application.authKey,
    CUBE_AUTH_SECRET: first.local.application.authSecret,
    UPSTREAM_RETRIES: '0',
    ...env,
  });
  if (!config.upstream) throw new Error('unreachable: UPSTREAM_URL is set');
  const app = buildApp(
    { ...config, upstream: config.upstream },
    { logger: createLogger('trace', scan.logStream('gateway-2')) },
  );
  const url = await app.start(0, '127.0.0.1');
  const agents: Agent[] = [];
  return {
    app,
    url,
    client: (localAddress = '127.0.0.1') => {
      const agent = new Agent({ localAddress });
      agents.push(agent);
      return gqlClient(scan, `${url}/graphql`, agent, localAddress);
    },
    async close() {
      await Promise.all(agents.map((agent) => agent.close()));
      await app.stop();
    },
  };
}

function gqlClient(scan: SecretScan, endpoint: string, agent: Agent, label: string): GqlClient {
  return async (query, variables, { token, headers } = {}) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token && { authorization: `Bearer ${token}` }),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    scan.body(`${label} ${query.replace(/\s+/g, ' ').slice(0, 60)}`, text);
    return { status: res.status, headers: res.headers as unknown as Headers, ...(JSON.parse(text) as object) };
  };
}

/** The end of every security test file: the scan saw real traffic, and found no secret. */
export function expectNoSecretLeaked(scan: SecretScan): void {
  expect(scan.lines.length, 'log lines captured').toBeGreaterThan(0);
  expect(scan.bodies.length, 'response bodies captured').toBeGreaterThan(0);
  expect(scan.secretCount, 'secrets registered').toBeGreaterThan(0);
  expect(scan.leaks()).toEqual([]);
}

export const LOGIN = `mutation($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on LoginSuccess { session { token user { databaseId } } }
    ... on Error { code message }
    ... on RateLimitedError { retryAfterSeconds }
  }
}`;
