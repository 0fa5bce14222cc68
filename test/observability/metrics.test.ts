import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { parseScrape, type Scrape, scrape } from '../support/prometheus.ts';
import { sseSubscribe, wsConnect } from '../support/session-clients.ts';
import { insertUser, PASSWORD, userWithToken } from '../support/users.ts';

// Known operations against a real gateway, local service and counting proxy; the scrape
// must move by exactly what they did, and hold no token, login or email.

const OPS = 'gateway_graphql_operations_total';
const UPSTREAM = 'gateway_upstream_requests_total';

let gw: RunningGateway;
let token: string;
const ids: string[] = [];
beforeAll(async () => {
  gw = await startGateway();
  ({ token } = await userWithToken(gw.local, 'metrics_ada'));
  for (const login of ['metrics_b', 'metrics_c', 'metrics_d']) ids.push(String((await insertUser(gw.local, login)).id));
});
afterAll(async () => {
  await gw?.close();
});

const delta = (before: Scrape, after: Scrape, name: string, labels: Record<string, string>) =>
  after.sum(name, labels) - before.sum(name, labels);

describe('GET /metrics', () => {
  it('counts operations by name, type and outcome, upstream calls by route template and status, and batch sizes', async () => {
    const before = await scrape(gw.url);
    gw.upstream.reset();

    const login = await gw.gql(
      'mutation Login($p: String!) { login(input: { login: "metrics_ada", password: $p }) { __typename ... on LoginSuccess { session { token } } } }',
      { p: PASSWORD },
    );
    expect(login.data?.login.__typename).toBe('LoginSuccess');
    const me = await gw.gql('query Me { me { login email } }', {}, { token });
    expect(me.data?.me.login).toBe('metrics_ada');
    const lookup = await gw.gql(
      'query Lookup { b: user(login: "metrics_b") { id } c: user(login: "metrics_c") { id } d: user(login: "metrics_d") { id } }',
      {},
      { token },
    );
    expect(lookup.errors).toBeUndefined();
    const userIds = Object.values(lookup.data as Record<string, { id: string }>).map((u) => u.id);
    expect(userIds).toHaveLength(3);
    const batched = await gw.gql(
      'query Batched($ids: [ID!]!) { nodes(ids: $ids) { ... on User { login } } }',
      { ids: userIds },
      { token },
    );
    expect(batched.data?.nodes).toHaveLength(3);
    const broken = await gw.gql('query Broken { user(login: "a", email: "b@example.test") { id } }', {}, { token });
    expect(broken.errors?.length).toBeGreaterThan(0);
    const invalid = await gw.gql('query Invalid { noSuchField }');
    expect(invalid.errors?.length).toBeGreaterThan(0);

    const after = await scrape(gw.url);
    const op = (operation_name: string, operation_type: string, outcome: string) =>
      delta(before, after, OPS, { operation_name, operation_type, outcome });
    expect(op('Login', 'mutation', 'success')).toBe(1);
    expect(op('Me', 'query', 'success')).toBe(1);
    expect(op('Lookup', 'query', 'success')).toBe(1);
    expect(op('Batched', 'query', 'success')).toBe(1);
    expect(op('Broken', 'query', 'error')).toBe(1);
    expect(op('Invalid', 'query', 'invalid')).toBe(1);
    expect(after.sum(OPS) - before.sum(OPS)).toBe(6);
    // Every executed operation has a duration; the invalid one never ran.
    const durations = 'gateway_graphql_operation_duration_seconds_count';
    expect(after.sum(durations) - before.sum(durations)).toBe(5);
    expect(delta(before, after, durations, { operation_name: 'Login', outcome: 'success' })).toBe(1);

    // Upstream calls: per route template, exactly what the proxy saw.
    const calls = gw.upstream.calls;
    expect(after.sum(UPSTREAM) - before.sum(UPSTREAM)).toBe(calls.length);
    for (const [method, route, path] of [
      ['POST', '/session', '/session'],
      ['GET', '/session', '/session'],
      ['GET', '/users/v2', '/users/v2'],
    ] as const) {
      const seen = gw.upstream.count(method, path);
      expect(seen).toBeGreaterThan(0);
      expect(delta(before, after, UPSTREAM, { method, route })).toBe(seen);
      expect(delta(before, after, 'gateway_upstream_request_duration_seconds_count', { method, route })).toBe(seen);
    }
    for (const sample of after.samples(UPSTREAM)) {
      expect(sample.labels.route).toMatch(
        /^(\/(users|v2|session|list|login|password|reset|blobs|object|complete|:id|:uid))+$/,
      );
      expect(sample.labels.status).toMatch(/^(\d{3}|error)$/);
    }
    expect(delta(before, after, UPSTREAM, { method: 'POST', route: '/session', status: '201' })).toBe(
      gw.upstream.count('POST', '/session'),
    );

    // Three lookups by login were one batch; the three users of `Batched` one of the User node's loader.
    expect(delta(before, after, 'gateway_dataloader_batch_size_count', { loader: 'User.login' })).toBe(1);
    expect(delta(before, after, 'gateway_dataloader_batch_size_sum', { loader: 'User.login' })).toBe(3);
    expect(delta(before, after, 'gateway_dataloader_batch_size_count', { loader: 'User' })).toBe(1);
    expect(delta(before, after, 'gateway_dataloader_batch_size_sum', { loader: 'User' })).toBe(3);

    // Process metrics come with it.
    expect(after.sum('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(after.samples('nodejs_heap_size_used_bytes').length).toBe(1);

    // No secret or personal value anywhere in the scrape.
    const loginToken = login.data?.login.session.token as string;
    for (const secret of [
      token,
      loginToken,
      PASSWORD,
      'metrics_ada',
      '@example.test',
      ...ids.map((id) => `/users/${id}`),
    ]) {
      expect(after.text).not.toContain(secret);
    }
  });

  it('tracks open WebSocket connections, running subscriptions and SSE streams', async () => {
    const gauges = async () => {
      const s = await scrape(gw.url);
      return {
        ws: s.value('gateway_websocket_connections'),
        subscriptions: s.value('gateway_subscriptions'),
        sse: s.value('gateway_sse_streams'),
      };
    };
    expect(await gauges()).toEqual({ ws: 0, subscriptions: 0, sse: 0 });
    const ws = wsConnect(gw.url, { token });
    const wsEvents = ws.subscribe();
    await wsEvents.waitFor('EXTENDED');
    expect(await gauges()).toEqual({ ws: 1, subscriptions: 1, sse: 0 });
    const sse = sseSubscribe(gw.url, token);
    await sse.waitFor('EXTENDED');
    expect(await gauges()).toEqual({ ws: 1, subscriptions: 2, sse: 1 });
    wsEvents.stop();
    await vi.waitFor(async () => expect(await gauges()).toEqual({ ws: 1, subscriptions: 1, sse: 1 }));
    sse.stop();
    await ws.dispose();
    await vi.waitFor(async () => expect(await gauges()).toEqual({ ws: 0, subscriptions: 0, sse: 0 }));
  });

  it('counts rate-limit refusals and shows the circuit-breaker state', async () => {
    const limitedGw = await startGateway({
      env: { RATE_LIMIT_CREATE_SESSION_PER_ADDRESS: '2/60', UPSTREAM_BREAKER_THRESHOLD: '1' },
    });
    try {
      const create = 'mutation { createSession { __typename } }';
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push((await limitedGw.gql(create)).data?.createSession.__typename);
      expect(answers).toEqual(['CreateSessionSuccess', 'CreateSessionSuccess', 'RateLimitedError']);
      const s = await scrape(limitedGw.url);
      expect(s.value('gateway_rate_limited_total', { operation: 'createSession' })).toBe(1);
      expect(s.value('gateway_circuit_breaker_state', { circuit: 'upstream' })).toBe(0);

      // The upstream goes away: one failure opens the circuit (threshold 1).
      await limitedGw.upstream.close();
      await limitedGw.gql('mutation { login(input: { login: "nobody", password: "whatever-1" }) { __typename } }');
      expect((await scrape(limitedGw.url)).value('gateway_circuit_breaker_state', { circuit: 'upstream' })).toBe(2);
    } finally {
      await limitedGw.app.stop();
      await limitedGw.local.close();
    }
  });
});

describe('METRICS_PORT', () => {
  it('moves /metrics to its own port: the public port no longer serves it', async () => {
    const moved = await startGateway({ env: { METRICS_PORT: '0' } });
    try {
      expect(moved.app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(moved.app.metricsUrl).not.toBe(moved.url);
      expect((await fetch(`${moved.url}/metrics`)).status).toBe(404);
      await moved.gql('query Ping { session { kind } }');
      const s = parseScrape(await (await fetch(`${moved.app.metricsUrl}/metrics`)).text());
      expect(s.value(OPS, { operation_name: 'Ping', operation_type: 'query', outcome: 'success' })).toBe(1);
      // Its own registry: the other gateway's operations are not in it.
      expect(s.sum(OPS, { operation_name: 'Login' })).toBe(0);
      expect((await fetch(`${moved.app.metricsUrl}/graphql`)).status).toBe(404);
    } finally {
      await moved.close();
    }
  });
});
