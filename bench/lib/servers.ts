import { fileURLToPath } from 'node:url';
import { gatewayArgv } from './gateway-command.ts';
import { integerIdArgument } from './gateway-schema.ts';
import { type Spawned, spawnNode, waitReady } from './processes.ts';

/** The servers the benchmarks compare, each started as its own process on the server core. */

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export interface RunningServer {
  name: string;
  url: string;
  process: Spawned;
  /** The request the load generator sends (POST /graphql). */
  request: { body: string; headers: Record<string, string> };
  /** Milliseconds from spawn to the first ready answer. */
  readyMs: number;
}

export const GATEWAY_TOKEN = 'bench-user-token';
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

export async function startStandInUpstream(): Promise<{ url: string; process: Spawned }> {
  // The stand-in shares the load core: its cost must not be charged to the server under test.
  const proc = spawnNode([here('../servers/stand-in-upstream.ts')], {}, '1');
  return { url: await proc.waitFor(/ready at (http\S+)/), process: proc };
}

export type ServerKind = 'gateway' | 'bare-yoga' | 'one-hop';

export async function startServer(kind: ServerKind, upstreamUrl: string): Promise<RunningServer> {
  const started = performance.now();
  if (kind === 'gateway') {
    const proc = spawnNode(gatewayArgv, {
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      UPSTREAM_URL: upstreamUrl,
      CUBE_APPLICATION_ID: '1',
      CUBE_AUTH_KEY: 'bench-auth-key',
      FILE_URL_SIGNING_KEY: 'bench-file-url-signing-key-0123456789abcdef',
      REDIS_URL: '',
    });
    const url = await proc.waitFor(/cube-gateway ready at (http\S+?)\s/);
    await waitReady(`${url}/readyz`);
    const headers = { ...JSON_HEADERS, authorization: `Bearer ${GATEWAY_TOKEN}` };
    return {
      name: 'this gateway, user(id:)',
      url,
      process: proc,
      readyMs: performance.now() - started,
      request: {
        headers,
        body: JSON.stringify({
          query: `{ user(${await integerIdArgument(`${url}/graphql`, headers, 1)}: 1) { id login fullName } }`,
        }),
      },
    };
  }
  const script = kind === 'bare-yoga' ? '../servers/bare-yoga.ts' : '../servers/one-hop.ts';
  const proc = spawnNode([here(script)], { UPSTREAM_URL: upstreamUrl });
  const url = await proc.waitFor(/ready at (http\S+)/);
  await waitReady(`${url}/health`);
  return kind === 'bare-yoga'
    ? {
        name: 'bare yoga, { hello }',
        url,
        process: proc,
        readyMs: performance.now() - started,
        request: { headers: JSON_HEADERS, body: JSON.stringify({ query: '{ hello }' }) },
      }
    : {
        name: 'one-hop yoga+undici, user(id:)',
        url,
        process: proc,
        readyMs: performance.now() - started,
        request: {
          headers: { ...JSON_HEADERS, authorization: `Bearer ${GATEWAY_TOKEN}` },
          body: JSON.stringify({ query: '{ user(id: 1) { id login fullName } }' }),
        },
      };
}
