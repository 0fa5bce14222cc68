import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { WARM_UP_HEADER } from '../../src/server/warm-up.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';

// A production instance sends itself WARM_UP_REQUESTS GraphQL requests before /readyz says
// ready (src/server/warm-up.ts). Here: a gateway with 60, its log read at info level.

const WARM_UP_REQUESTS = 60;
const lines: string[] = [];
const requestLines = () =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.msg === 'request');

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway({
    env: { WARM_UP_REQUESTS: String(WARM_UP_REQUESTS) },
    logger: createLogger('info', { write: (line: string) => void lines.push(line) }),
  });
});
afterAll(async () => {
  await gw?.close();
});

describe('warm-up before ready', () => {
  it('runs every warm-up request through the GraphQL path before start resolves, calling no upstream', async () => {
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    const warmed =
      /^gateway_graphql_operations_total\{[^}]*operation_name="WarmUp"[^}]*outcome="success"[^}]*\} (\d+)$/m.exec(
        metrics,
      );
    expect(Number(warmed?.[1])).toBe(WARM_UP_REQUESTS);
    expect(gw.upstream.calls).toEqual([]);
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
  });

  it('keeps the warm-up out of the request log at info level, but not a request that only claims to be one', async () => {
    expect(requestLines()).toEqual([]);
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [WARM_UP_HEADER]: 'guessed' },
      body: JSON.stringify({ query: 'query WarmUp { __typename }' }),
    });
    expect(res.status).toBe(200);
    expect(requestLines()).toMatchObject([{ operationName: 'WarmUp', path: '/graphql', status: 200 }]);
  });

  it('answers /readyz 503 "starting" until the warm-up has run', async () => {
    // A second app on the same upstream, not started yet: its warm-up has not run.
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      UPSTREAM_URL: gw.upstream.url,
      CUBE_APPLICATION_ID: String(gw.local.application.id),
      CUBE_AUTH_KEY: gw.local.application.authKey,
      WARM_UP_REQUESTS: '20',
    });
    const app = buildApp({ ...config, upstream: config.upstream as NonNullable<typeof config.upstream> });
    try {
      const before = await app.fetch('http://gateway.test/readyz');
      expect(before.status).toBe(503);
      expect(await before.json()).toEqual({ status: 'starting' });
      await app.start(0, '127.0.0.1');
      expect((await app.fetch('http://gateway.test/readyz')).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it('is off by default outside production, on with NODE_ENV=production', async () => {
    const base = { UPSTREAM_URL: 'http://127.0.0.1:9', CUBE_APPLICATION_ID: '1', CUBE_AUTH_KEY: 'k' };
    expect(loadConfig({ ...base, NODE_ENV: 'development' }).warmUpRequests).toBe(0);
    expect(
      loadConfig({
        ...base,
        NODE_ENV: 'production',
        FILE_URL_SIGNING_KEY: 'a-signing-key-of-enough-characters-0123456789',
      }).warmUpRequests,
    ).toBeGreaterThan(0);
  });
});
