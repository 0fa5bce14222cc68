import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';

// No upstream detail reaches a client: a stand-in upstream answers 431, or nothing at all;
// the client gets UPSTREAM_UNAVAILABLE and the contract's message, the log gets the detail
// with the request id. (A stand-in: the local service never answers 431 or hangs.)

let upstream: Server;
let app: GatewayApp;
let url: string;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    if (req.url?.startsWith('/session')) {
      res.writeHead(431, { 'content-type': 'application/json' }).end('{"errors":["Request Header Fields Too Large"]}');
    }
    // Anything else: no answer (the headers timeout fires).
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const config = loadConfig({
    NODE_ENV: 'test',
    UPSTREAM_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    CUBE_APPLICATION_ID: '1',
    CUBE_AUTH_KEY: 'key',
    UPSTREAM_RETRIES: '0',
    UPSTREAM_HEADERS_TIMEOUT_MS: '300',
  });
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(JSON.parse(String(chunk)));
      done();
    },
  });
  app = buildApp({ ...config, upstream: config.upstream! }, { logger: pino({ level: 'warn' }, sink) });
  url = await app.start(0, '127.0.0.1');
});
afterAll(async () => {
  await app?.stop();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

const ask = async (query: string, requestId: string) => {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer some-token', 'x-request-id': requestId },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] };
};

describe('upstream failures', () => {
  it('a 431 reaches the client as UPSTREAM_UNAVAILABLE only; the status goes to the log', async () => {
    const body = await ask('{ session { kind } }', 'req-431');
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(JSON.stringify(body)).not.toMatch(/431|Too Large|reason/);
    expect(logs).toContainEqual(expect.objectContaining({ requestId: 'req-431', upstream: 'status 431' }));
  });

  it('a timeout reaches the client as UPSTREAM_UNAVAILABLE only; "timeout" goes to the log', async () => {
    const body = await ask('{ file(uid: "x") { id } }', 'req-timeout');
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(JSON.stringify(body)).not.toMatch(/timeout|reason|127\.0\.0\.1/);
    expect(logs).toContainEqual(expect.objectContaining({ requestId: 'req-timeout', upstream: 'timeout' }));
  });

  it('a request without X-Request-Id is logged with one of its own', async () => {
    const before = logs.length;
    await ask('{ session { kind } }', '');
    const entry = logs.slice(before).find((l) => l.upstream === 'status 431');
    expect(entry?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
