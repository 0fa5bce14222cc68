import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, killAll, startGatewayProcess } from '../support/gateway-process.ts';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { sseSubscribe, wsConnect } from '../support/session-clients.ts';
import { sendStreamedUpload, UPLOAD_FILE } from '../support/uploads.ts';
import { userWithToken } from '../support/users.ts';
import { gatewayOver } from './gateway-over.ts';
import { type StandInUpstream, startStandInUpstream } from './stand-in-upstream.ts';

// Graceful shutdown of a real `node src/main.ts` on SIGTERM/SIGINT: in-flight requests
// finish, WebSockets close with 1001, SSE streams complete, no new connections, and the
// process exits 0 by itself (nothing left open keeps it alive).

const SLOW_MS = 2_000;

let local: RunningLocalService;
let standIn: StandInUpstream;
let token: string;
const processes: GatewayProcess[] = [];

beforeAll(async () => {
  local = await startLocalService();
  standIn = await startStandInUpstream(local.url, { slowMs: SLOW_MS });
  ({ token } = await userWithToken(local, 'shutdown_user'));
});
afterEach(() => {
  killAll(processes.splice(0));
  standIn.setMode('pass');
});
afterAll(async () => {
  await standIn?.close();
  await local?.close();
});

function gatewayProcess(env: Record<string, string> = {}) {
  return startGatewayProcess({
    UPSTREAM_URL: standIn.url,
    CUBE_APPLICATION_ID: String(local.application.id),
    CUBE_AUTH_KEY: local.application.authKey,
    UPSTREAM_RETRIES: '0',
    ...env,
  }).then((gateway) => {
    processes.push(gateway);
    return gateway;
  });
}

function me(url: string) {
  return fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { login } }' }),
  });
}

describe('graceful shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal}: in-flight requests finish, sockets close with 1001, SSE completes, exit 0 by itself`, async () => {
      const gateway = await gatewayProcess();
      const ws = wsConnect(gateway.url, { token });
      const overWs = ws.subscribe();
      // The WebSocket's authentication makes this gateway know the token; SSE relies on that.
      await overWs.waitFor('EXTENDED');
      const overSse = sseSubscribe(gateway.url, token);
      await overSse.waitFor('EXTENDED');

      standIn.setMode('slow');
      standIn.reset();
      const inFlight = me(gateway.url);
      await expect.poll(() => standIn.calls).toBe(1);
      gateway.child.kill(signal);

      // Stopped accepting at once, while the slow request is still being served.
      await expect
        .poll(
          () =>
            fetch(`${gateway.url}/healthz`).then(
              () => 'accepted',
              () => 'refused',
            ),
          { timeout: SLOW_MS },
        )
        .toBe('refused');
      const answered = await inFlight;
      expect(answered.status).toBe(200);
      expect(await answered.json()).toEqual({ data: { me: { login: 'shutdown_user' } } });

      expect(await ws.waitForClose()).toMatchObject({ code: 1001 });
      await overSse.waitForCompletion();
      expect(overSse.errors).toEqual([]);

      expect(await gateway.exited).toBe(0);
      expect(gateway.output()).toContain('shutdown started');
      expect(gateway.output()).toContain('shutdown complete');
      expect(gateway.output()).not.toContain('did not finish in time');
    }, 90_000);
  }

  it('an upload still streaming when SIGTERM arrives is finished and stored', async () => {
    const gateway = await gatewayProcess();
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const half = new TextEncoder().encode('x'.repeat(64 * 1024));
    async function* chunks() {
      yield half;
      await released;
      yield half;
    }
    standIn.reset();
    const upload = sendStreamedUpload(`${gateway.url}/graphql`, token, UPLOAD_FILE, {
      filename: 'notes.txt',
      contentType: 'text/plain',
      size: half.length * 2,
      chunks: chunks(),
    });
    // The gateway has begun the upload upstream (the blob is created) with half the bytes sent.
    await expect.poll(() => standIn.calls, { timeout: 10_000 }).toBeGreaterThan(0);
    gateway.child.kill('SIGTERM');
    await expect.poll(() => gateway.output(), { timeout: 10_000 }).toContain('shutdown started');
    release();
    const { status, body } = await upload;
    expect(status).toBe(200);
    expect(body.data.uploadFile).toMatchObject({ __typename: 'UploadFileSuccess', file: { size: half.length * 2 } });
    expect(await gateway.exited).toBe(0);
  }, 90_000);

  it('a request still running after SHUTDOWN_GRACE_MS is cut, and the process still exits 0 by itself', async () => {
    const gateway = await gatewayProcess({ SHUTDOWN_GRACE_MS: '1500', UPSTREAM_HEADERS_TIMEOUT_MS: '120000' });
    standIn.setMode('hang');
    standIn.reset();
    const stuck = me(gateway.url).then(
      (res) => `answered ${res.status}`,
      () => 'cut',
    );
    await expect.poll(() => standIn.calls).toBe(1);
    gateway.child.kill('SIGTERM');
    expect(await stuck).toBe('cut');
    // Long before the upstream's 120 s timeout, and without the forced exit.
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).not.toContain('did not finish in time');
  }, 90_000);

  it('/readyz answers 503 shutting-down as soon as shutdown starts', async () => {
    const gateway = await gatewayOver(standIn.url, local, { SHUTDOWN_GRACE_MS: '3000' });
    expect((await gateway.readyz()).status).toBe(200);
    standIn.setMode('slow');
    standIn.reset();
    // An in-flight request keeps the drain going while readiness is asked in-process.
    const inFlight = me(gateway.url);
    await expect.poll(() => standIn.calls).toBeGreaterThan(0);
    const stopped = gateway.app.stop();
    const ready = await gateway.app.fetch('http://gateway/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'shutting-down' });
    expect((await inFlight).status).toBe(200);
    await stopped;
  });
});
