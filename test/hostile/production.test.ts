import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';

// NODE_ENV=production: introspection, GraphiQL and field suggestions off, CORS only for
// CORS_ORIGINS (none by default); the first two come back with their settings.

const SIGNING_KEY = 'k'.repeat(48);
const production = { NODE_ENV: 'production', FILE_URL_SIGNING_KEY: SIGNING_KEY };

let prod: RunningGateway;
let opened: RunningGateway;
beforeAll(async () => {
  prod = await startGateway({ env: production });
  opened = await startGateway({
    env: { ...production, GRAPHQL_INTROSPECTION: '1', GRAPHIQL: 'true', CORS_ORIGINS: 'https://app.example' },
  });
});
afterAll(async () => {
  await prod?.close();
  await opened?.close();
});

const graphiqlPage = (gw: RunningGateway) =>
  fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } }).then(async (res) => ({
    status: res.status,
    text: await res.text(),
  }));

describe('NODE_ENV=production', () => {
  it('refuses introspection with INTROSPECTION_DISABLED and still answers __typename', async () => {
    const res = await prod.gql('{ __schema { types { name } } }');
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toEqual({
      message: 'Introspection is disabled on this server (GRAPHQL_INTROSPECTION).',
      locations: [{ line: 1, column: 3 }],
      extensions: { code: 'INTROSPECTION_DISABLED' },
    });
    expect(res.errors?.every((e) => e.extensions?.code === 'INTROSPECTION_DISABLED')).toBe(true);
    expect(res.data).toBeUndefined();
    expect((await prod.gql('{ __type(name: "User") { name } }')).errors?.[0]?.extensions?.code).toBe(
      'INTROSPECTION_DISABLED',
    );
    expect((await prod.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('serves no GraphiQL', async () => {
    const page = await graphiqlPage(prod);
    expect(page.text).not.toMatch(/<html|graphiql/i);
  });

  it('suggests no field names in validation errors', async () => {
    const res = await prod.gql('{ mee { id } }');
    expect(res.errors?.[0]?.message).not.toContain('Did you mean');
    expect(res.errors?.[0]?.message).not.toContain('"me"');
  });

  it('sends no CORS headers to any origin, with or without credentials (none allowed by default)', async () => {
    const simple = await fetch(`${prod.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    expect(simple.headers.get('access-control-allow-credentials')).toBeNull();
    const preflight = await fetch(`${prod.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('production with GRAPHQL_INTROSPECTION=1, GRAPHIQL=true, CORS_ORIGINS', () => {
  it('answers introspection', async () => {
    const res = await opened.gql('{ __schema { queryType { name } } }');
    expect(res.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('serves GraphiQL', async () => {
    const page = await graphiqlPage(opened);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/graphiql/i);
  });

  it('allows the listed origin with credentials, and no other', async () => {
    const preflight = (origin: string) =>
      fetch(`${opened.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight('https://app.example');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('settings', () => {
  const base = { UPSTREAM_URL: 'http://127.0.0.1:1', CUBE_APPLICATION_ID: '1', CUBE_AUTH_KEY: 'k' };
  it('has each limit as a setting with its default', () => {
    const config = loadConfig({ ...base, MAX_QUERY_DEPTH: '4', MAX_QUERY_COST: '10' });
    expect(config.limits).toMatchObject({ maxDepth: 4, maxCost: 10, maxAliases: 50, maxRequestBytes: 1_048_576 });
    expect(config.introspection).toBe(true);
    expect(config.corsOrigins).toEqual([]);
  });

  it('explains a bad value in one line', () => {
    expect(() => loadConfig({ ...base, MAX_ALIASES: 'lots' })).toThrow(/MAX_ALIASES: .*number/);
    expect(() => loadConfig({ ...base, GRAPHIQL: 'yes' })).toThrow('GRAPHIQL: must be 1, true, 0 or false');
    expect(() => loadConfig({ ...base, CORS_ORIGINS: 'https://app.example/path' })).toThrow(
      'CORS_ORIGINS.0: must be origins (scheme://host[:port], no path)',
    );
  });
});
