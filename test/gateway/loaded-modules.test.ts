import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { type GatewayProcess, killAll, startGatewayProcess } from '../support/gateway-process.ts';

// Memory: a module a configuration does not use is never loaded (issue 13). A production
// gateway with UPSTREAM_URL set and no REDIS_URL, tracing endpoint or GraphiQL holds none of
// the local service's, Redis', OpenTelemetry's or GraphiQL's packages, having served a query.

const gateways: GatewayProcess[] = [];
afterAll(() => killAll(gateways));

/** The package of each `node_modules` file among `urls` (the innermost one when nested). */
function packagesOf(urls: string[]): Set<string> {
  const names = new Set<string>();
  for (const url of urls) {
    const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match?.[1]) names.add(match[1]);
  }
  return names;
}

/**
 * Starts `src/main.ts` with exactly `env`, asks it one query, and returns the modules it has
 * loaded by then, and their packages.
 */
async function modulesLoadedBy(
  env: Record<string, string | undefined>,
): Promise<{ packages: Set<string>; urls: string[] }> {
  const gateway = await startGatewayProcess(env, {
    nodeArgs: ['--import', fileURLToPath(new URL('../support/module-list.ts', import.meta.url))],
  });
  gateways.push(gateway);
  const res = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(await res.json()).toEqual({ data: { __typename: 'Query' } });

  gateway.child.kill('SIGUSR2');
  await expect.poll(gateway.output, { timeout: 10_000, interval: 50 }).toMatch(/loaded modules: .*\n/);
  const urls = JSON.parse(/loaded modules: (.*)\n/.exec(gateway.output())?.[1] ?? '[]') as string[];
  gateway.child.kill('SIGTERM');
  await gateway.exited;
  return { packages: packagesOf(urls), urls };
}

it('loads no package its configuration does not use', async () => {
  const { packages, urls } = await modulesLoadedBy({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // Nothing needs to answer there: the query below asks the gateway only.
    UPSTREAM_URL: 'http://127.0.0.1:9',
    CUBE_APPLICATION_ID: '1',
    CUBE_AUTH_KEY: 'loaded-modules-auth-key',
    FILE_URL_SIGNING_KEY: 'loaded-modules-file-url-signing-key-0123456789',
  });
  // The check itself works: what every gateway loads is there.
  expect(packages).toContain('graphql-yoga');
  for (const unused of [
    // The local users service (UPSTREAM_URL is set).
    'fastify',
    '@electric-sql/pglite',
    'kysely',
    'pg',
    'nodemailer',
    'jose',
    // Redis (REDIS_URL is unset).
    'ioredis',
    'bullmq',
    '@graphql-yoga/redis-event-target',
    // Tracing (no OTEL_EXPORTER_OTLP_ENDPOINT).
    '@opentelemetry/sdk-trace-node',
    '@opentelemetry/exporter-trace-otlp-http',
    // GraphiQL (off in production).
    '@graphql-yoga/render-graphiql',
    // Content sniffing: loaded by the first upload.
    'file-type',
  ]) {
    expect(packages, unused).not.toContain(unused);
  }
  // Of undici and rate-limiter-flexible, only the parts used (src/upstream/undici.ts,
  // src/security/rate-limiter.ts), not their indexes, which load every dispatcher or store.
  expect(packages).toContain('undici');
  expect(packages).toContain('rate-limiter-flexible');
  for (const index of ['/node_modules/undici/index.js', '/node_modules/rate-limiter-flexible/index.js']) {
    expect(urls.filter((url) => url.endsWith(index))).toEqual([]);
  }
});

it('starts the embedded local service without the packages of the stores, mail and logins it does not use', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cube-modules-'));
  try {
    const { packages } = await modulesLoadedBy({
      PORT: '0',
      LOCAL_SERVICE_PORT: '0',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
    });
    expect(packages).toContain('fastify');
    expect(packages).toContain('@electric-sql/pglite');
    for (const unused of [
      // PostgreSQL (no DATABASE_URL).
      'pg',
      // SMTP (no SMTP_URL): mail goes to the outbox.
      'nodemailer',
      // Firebase ID tokens: loaded by the first Firebase login.
      'jose',
    ]) {
      expect(packages, unused).not.toContain(unused);
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
