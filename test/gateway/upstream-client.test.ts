import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpstreamConfig } from '../../src/config.ts';
import { getDownloadUrl } from '../../src/upstream/blobs.ts';
import { parseExpiration, UpstreamClient } from '../../src/upstream/client.ts';

// The upstream client against a scripted loopback server: retries only for reads, timeouts,
// error mapping, and the expiration header.

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.end();
const hits: string[] = [];
let baseUrl = '';
const server = createServer((req, res) => {
  hits.push(`${req.method} ${req.url}`);
  handler(req, res);
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function client(overrides: Partial<UpstreamConfig> = {}) {
  return new UpstreamClient({
    url: baseUrl,
    applicationId: 1,
    authKey: 'key',
    connections: 4,
    connectTimeoutMs: 1000,
    headersTimeoutMs: 1000,
    bodyTimeoutMs: 1000,
    retries: 2,
    ...overrides,
  });
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('UpstreamClient', () => {
  it('retries a GET on 503 with backoff, then succeeds', async () => {
    hits.length = 0;
    let n = 0;
    handler = (_req, res) => (n++ < 2 ? json(res, 503, {}) : json(res, 200, { ok: true }));
    const c = client();
    try {
      const res = await c.request({ method: 'GET', path: '/session', token: 't' });
      expect(res.body).toEqual({ ok: true });
      expect(hits).toEqual(['GET /api/session', 'GET /api/session', 'GET /api/session']);
    } finally {
      await c.close();
    }
  });

  it('never retries a POST, PUT or DELETE', async () => {
    handler = (_req, res) => json(res, 503, {});
    const c = client();
    try {
      for (const method of ['POST', 'PUT', 'DELETE'] as const) {
        hits.length = 0;
        await expect(c.request({ method, path: '/users', json: {} })).rejects.toMatchObject({
          code: 'UPSTREAM_UNAVAILABLE',
        });
        expect(hits).toHaveLength(1);
      }
    } finally {
      await c.close();
    }
  });

  it('gives up on a slow upstream at the headers timeout with UPSTREAM_UNAVAILABLE', async () => {
    handler = () => {};
    const c = client({ headersTimeoutMs: 200, retries: 0 });
    const details: string[] = [];
    c.observe({ unavailable: (detail) => details.push(detail) });
    try {
      const started = Date.now();
      const error = await c.request({ method: 'GET', path: '/session' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      // The detail is for the logs (the observer), never in what a client sees.
      expect((error as { extensions: object }).extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
      expect(details).toEqual(['timeout']);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await c.close();
    }
  });

  it('maps error replies to the contract codes', async () => {
    const c = client({ retries: 0 });
    const cases: [number, unknown, string, object?][] = [
      [401, { errors: { base: ['Required session does not exist'] } }, 'SESSION_EXPIRED'],
      [401, { errors: { base: ['Unauthorized'] } }, 'INVALID_CREDENTIALS', { credentials: true }],
      [403, { errors: { base: ['Forbidden'] } }, 'FORBIDDEN'],
      [404, { errors: { base: ['Not found'] } }, 'NOT_FOUND'],
      [422, { errors: { login: ['has already been taken'] } }, 'ALREADY_TAKEN'],
      [422, { errors: { password: ['is too short'] } }, 'VALIDATION_FAILED'],
      [429, { errors: { base: ['Too many'] } }, 'RATE_LIMITED'],
      [500, 'not json', 'UPSTREAM_UNAVAILABLE'],
    ];
    try {
      for (const [status, body, code, context] of cases) {
        handler = (_req, res) => json(res, status, body);
        const error = await c.request({ method: 'POST', path: '/x', token: 'tok', context }).catch((e: unknown) => e);
        expect(error, `${status}`).toMatchObject({ code });
        expect(JSON.stringify(error)).not.toContain(baseUrl);
      }
    } finally {
      await c.close();
    }
  });

  it('reads CB-Token-ExpirationDate and tells observers', async () => {
    handler = (_req, res) => json(res, 200, {}, { 'CB-Token-ExpirationDate': '2030-01-02 03:04:05 UTC' });
    const c = client();
    const seen: [string, Date][] = [];
    c.observe({ tokenExtended: (token, at) => seen.push([token, at]) });
    try {
      const res = await c.request({ method: 'GET', path: '/session', token: 'tok' });
      expect(res.expiresAt?.toISOString()).toBe('2030-01-02T03:04:05.000Z');
      expect(seen).toEqual([['tok', new Date('2030-01-02T03:04:05Z')]]);
    } finally {
      await c.close();
    }
    expect(parseExpiration('garbage')).toBeNull();
    expect(parseExpiration(undefined)).toBeNull();
  });

  it('sends Rails-style query strings and the token only as a header', async () => {
    hits.length = 0;
    handler = (req, res) => json(res, 200, { token: req.headers['cb-token'] });
    const c = client();
    try {
      const res = await c.request({
        method: 'GET',
        path: '/users/v2',
        token: 'secret-token',
        query: { id: { in: ['1', '2'] }, limit: 5 },
      });
      expect(res.body).toEqual({ token: 'secret-token' });
      expect(decodeURIComponent(hits[0] ?? '')).toBe('GET /api/users/v2?id[in][]=1&id[in][]=2&limit=5');
    } finally {
      await c.close();
    }
  });
});

describe('getDownloadUrl', () => {
  // The storage page's example response of GET /blobs/{uid}/object?download_url=1, key as spelled there.
  const docsExample = {
    blob: {
      id: 8049,
      uid: '789AFF0737033E93E179BD7491169D6043B0',
      content_type: 'image/jpeg',
      name: 'Mixed_Pets.jpg',
      size: 70980,
      created_at: '2018-08-02T07:52:51Z',
      updated_at: '2018-08-02T07:52:51Z',
      public: true,
      blob_object_access: {
        dowload_url: 'https://cb-shared-s3.s3.amazonaws.com/789AFF0737033E93E179BD7491169D6043B0?X',
      },
    },
  };

  it("reads the docs' `dowload_url` spelling as well as `download_url`", async () => {
    hits.length = 0;
    let body: unknown = docsExample;
    handler = (_req, res) => json(res, 200, body);
    const c = client();
    try {
      const misspelt = await getDownloadUrl(c, 'tok', docsExample.blob.uid);
      expect(misspelt).toEqual({ url: docsExample.blob.blob_object_access.dowload_url, expiresAt: null });
      expect(decodeURIComponent(hits[0] ?? '')).toBe(`GET /api/blobs/${docsExample.blob.uid}/object?download_url=1`);

      body = { blob: { ...docsExample.blob, blob_object_access: { download_url: 'https://files.test/a' } } };
      expect((await getDownloadUrl(c, 'tok', docsExample.blob.uid)).url).toBe('https://files.test/a');

      body = { blob: { ...docsExample.blob, blob_object_access: {} } };
      await expect(getDownloadUrl(c, 'tok', docsExample.blob.uid)).rejects.toMatchObject({
        extensions: { code: 'UPSTREAM_UNAVAILABLE' },
      });
    } finally {
      await c.close();
    }
  });
});
