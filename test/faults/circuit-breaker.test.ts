import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { userWithToken } from '../support/users.ts';
import { errorCode, type GatewayOver, gatewayOver } from './gateway-over.ts';
import { type StandInUpstream, startStandInUpstream } from './stand-in-upstream.ts';

// The upstream circuit breaker against a stand-in upstream that fails on demand, in front of
// a real local users service: what counts, fast failure while open, recovery by itself.

const THRESHOLD = 3;
const HALF_OPEN_MS = 1_000;
const HEADERS_TIMEOUT_MS = 3_000;
const ME = '{ me { login } }';

let local: RunningLocalService;
let standIn: StandInUpstream;
let token: string;
const gateways: GatewayOver[] = [];

beforeAll(async () => {
  local = await startLocalService();
  standIn = await startStandInUpstream(local.url);
  ({ token } = await userWithToken(local, 'breaker_user'));
});
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.close();
  standIn.setMode('pass');
});
afterAll(async () => {
  await standIn?.close();
  await local?.close();
});

async function gateway(env: Record<string, string> = {}) {
  const gw = await gatewayOver(standIn.url, local, {
    UPSTREAM_BREAKER_THRESHOLD: String(THRESHOLD),
    UPSTREAM_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
    UPSTREAM_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    ...env,
  });
  gateways.push(gw);
  return gw;
}

/** Opens the circuit with THRESHOLD failing calls, each answered UPSTREAM_UNAVAILABLE. */
async function openCircuit(gw: GatewayOver) {
  standIn.setMode('status-500');
  for (let i = 0; i < THRESHOLD; i++) expect(errorCode(await gw.gql(ME, token))).toBe('UPSTREAM_UNAVAILABLE');
}

describe('upstream circuit breaker', () => {
  it('opens after consecutive 5xx answers: calls then fail at once without reaching the upstream, and /readyz says so', async () => {
    const gw = await gateway();
    expect((await gw.gql(ME, token)).data).toEqual({ me: { login: 'breaker_user' } });
    standIn.reset();
    await openCircuit(gw);
    expect(standIn.calls).toBe(THRESHOLD);

    const refused = await gw.gql(ME, token);
    expect(refused.status).toBe(200);
    expect(errorCode(refused)).toBe('UPSTREAM_UNAVAILABLE');
    expect(refused.errors?.[0]?.message).toBe('The users service is unavailable: try again later.');
    expect(JSON.stringify(refused)).not.toMatch(/db-7|5432|status 500/);
    expect(await gw.readyz()).toEqual({ status: 503, body: { status: 'unavailable', upstream: 'circuit-open' } });
    expect(standIn.calls).toBe(THRESHOLD);
  });

  it('half-opens after the delay and closes again once the upstream answers', async () => {
    const gw = await gateway();
    await openCircuit(gw);
    standIn.setMode('pass');
    // Still open: the upstream has recovered, but nothing is tried before the delay.
    standIn.reset();
    expect(errorCode(await gw.gql(ME, token))).toBe('UPSTREAM_UNAVAILABLE');
    expect(standIn.calls).toBe(0);

    await expect
      .poll(async () => (await gw.gql(ME, token)).data, { timeout: HALF_OPEN_MS * 5, interval: 200 })
      .toEqual({ me: { login: 'breaker_user' } });
    expect(await gw.readyz()).toEqual({ status: 200, body: { status: 'ok', upstream: 'reachable' } });
    expect(gw.app.deps.client.breaker.state).toBe('closed');
  });

  it('a failed trial call reopens the circuit', async () => {
    const gw = await gateway();
    const states: string[] = [];
    gw.app.deps.client.breaker.onStateChange((state) => states.push(state));
    await openCircuit(gw);
    await new Promise((resolve) => setTimeout(resolve, HALF_OPEN_MS + 200));
    standIn.reset();
    expect(errorCode(await gw.gql(ME, token))).toBe('UPSTREAM_UNAVAILABLE');
    expect(standIn.calls).toBe(1);
    expect(states).toEqual(['open', 'half-open', 'open']);
    expect(errorCode(await gw.gql(ME, token))).toBe('UPSTREAM_UNAVAILABLE');
    expect(standIn.calls).toBe(1);
  });

  it('4xx answers are the upstream working: they never open the circuit', async () => {
    const gw = await gateway();
    for (let i = 0; i < THRESHOLD * 2; i++) {
      expect(errorCode(await gw.gql(ME, 'not-a-valid-token'))).toBe('SESSION_EXPIRED');
    }
    expect(gw.app.deps.client.breaker.state).toBe('closed');
    standIn.reset();
    expect((await gw.gql(ME, token)).data).toEqual({ me: { login: 'breaker_user' } });
    expect(standIn.calls).toBe(1);
  });

  it('a hanging upstream opens it after timeouts; then calls are answered well before the timeout', async () => {
    const gw = await gateway();
    standIn.setMode('hang');
    // In parallel, so that the three timeouts take one timeout's time.
    const timedOut = await Promise.all(Array.from({ length: THRESHOLD }, () => gw.gql(ME, token)));
    for (const result of timedOut) expect(errorCode(result)).toBe('UPSTREAM_UNAVAILABLE');
    expect(gw.app.deps.client.breaker.state).toBe('open');

    standIn.reset();
    const started = Date.now();
    expect(errorCode(await gw.gql(ME, token))).toBe('UPSTREAM_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(HEADERS_TIMEOUT_MS);
    expect(standIn.calls).toBe(0);
  });

  it('garbage answers (HTML, a JSON string, a cut-off body) give UPSTREAM_UNAVAILABLE, never a masked error, and count', async () => {
    const gw = await gateway({ UPSTREAM_BREAKER_THRESHOLD: '10' });
    for (const mode of ['html', 'json-string', 'truncated'] as const) {
      standIn.setMode(mode);
      const result = await gw.gql(ME, token);
      expect(result.status, mode).toBe(200);
      expect(errorCode(result), mode).toBe('UPSTREAM_UNAVAILABLE');
      expect(result.errors?.[0]?.message, mode).toBe('The users service is unavailable: try again later.');
      expect(JSON.stringify(result), mode).not.toMatch(/nginx|10\.0\.0\.7|maintenance|Unexpected/);
    }
    // A mutation too: the error is UPSTREAM_UNAVAILABLE wherever the contract puts it.
    standIn.setMode('html');
    const created = await gw.gql('mutation { createSession { __typename ... on Error { code } } }');
    expect(JSON.stringify(created)).toContain('UPSTREAM_UNAVAILABLE');
    expect(created.errors?.some((e) => e.message === 'Unexpected error.') ?? false).toBe(false);

    standIn.setMode('pass');
    expect((await gw.gql(ME, token)).data).toEqual({ me: { login: 'breaker_user' } });
  });

  it('UPSTREAM_BREAKER_THRESHOLD=0 turns the breaker off: every call reaches the failing upstream', async () => {
    const gw = await gateway({ UPSTREAM_BREAKER_THRESHOLD: '0' });
    standIn.setMode('status-503');
    standIn.reset();
    for (let i = 0; i < THRESHOLD * 2; i++) expect(errorCode(await gw.gql(ME, token))).toBe('UPSTREAM_UNAVAILABLE');
    expect(standIn.calls).toBe(THRESHOLD * 2);
    expect(await gw.readyz()).toMatchObject({ status: 503, body: { upstream: 'unreachable' } });
  });
});
