import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileUrlSigner } from '../../src/files/signed-file-url.ts';
import { sha256, sha256OfResponse } from '../files/fixtures.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { restClient } from '../support/rest-client.ts';
import { newUser, postFile, UPLOAD_FILE } from '../support/uploads.ts';

// Private File.url: signed by the gateway for one file, the same within a window, expiring,
// served by the gateway with its application session.

const KEY = 'file-urls-test-signing-key-0123456789abcdef';
const bytes = new TextEncoder().encode('private bytes\n'.repeat(200));
const FILE_URL = 'query($uid: String!) { file(uid: $uid) { url } }';
let gw: RunningGateway;
let owner: { token: string };
let url: URL;
let otherUrl: URL;

async function uploadPrivate(gateway: RunningGateway, token: string, content = bytes): Promise<URL> {
  const { body } = await postFile(
    gateway,
    token,
    UPLOAD_FILE,
    { isPublic: false },
    new Blob([content], { type: 'text/plain' }),
    'secret.txt',
  );
  return new URL(body.data.uploadFile.file.url);
}

const uidOf = (u: URL) => decodeURIComponent(u.pathname.slice('/files/'.length));

async function readUrl(token: string, uid: string): Promise<URL> {
  const res = await gw.gql(FILE_URL, { uid }, { token });
  expect(res.errors).toBeUndefined();
  return new URL(res.data.file.url);
}

/** Reads in one window: when a window boundary passed mid-way (rare), the reads run again. */
async function inOneWindow(read: () => Promise<URL[]>): Promise<URL[]> {
  const first = await read();
  if (new Set(first.map((u) => u.searchParams.get('exp'))).size === 1) return first;
  return read();
}

beforeAll(async () => {
  gw = await startGateway({ env: { FILE_URL_SIGNING_KEY: KEY } });
  owner = await newUser(gw);
  url = await uploadPrivate(gw, owner.token);
  otherUrl = await uploadPrivate(gw, owner.token, new TextEncoder().encode('another file'));
});
afterAll(() => gw?.close());

async function answer(u: URL | string): Promise<{ status: number; body: string }> {
  const res = await fetch(u);
  return { status: res.status, body: await res.text() };
}

describe('signed private file URLs', () => {
  it('name the file, its expiry and a signature only, and carry no token', () => {
    expect(url.origin).toBe(gw.url);
    expect(url.pathname).toMatch(/^\/files\/[^/]+$/);
    expect([...url.searchParams.keys()]).toEqual(['exp', 'sig']);
    expect(url.href).not.toContain(owner.token);
  });

  it('are the same for the same file within a window, read twice and by two users', async () => {
    const stranger = await newUser(gw);
    const uid = uidOf(url);
    const reads = await inOneWindow(async () => [
      await readUrl(owner.token, uid),
      await readUrl(owner.token, uid),
      await readUrl(stranger.token, uid),
    ]);
    expect(reads.map((u) => u.href)).toEqual([reads[0]?.href, reads[0]?.href, reads[0]?.href]);
    expect(reads[0]?.href).not.toContain(stranger.token);
    // A whole TTL (900 s by default) or more left on a URL just handed out.
    expect(Number(reads[0]?.searchParams.get('exp')) - Date.now() / 1000).toBeGreaterThanOrEqual(899);
  });

  it('cost no upstream call beyond reading the file itself', async () => {
    gw.upstream.reset();
    await readUrl(owner.token, uidOf(url));
    expect(gw.upstream.calls.map((c) => `${c.method} ${c.path}${c.query.size ? `?${c.query}` : ''}`)).toEqual([
      `GET /blobs/${uidOf(url)}/object`,
    ]);
  });

  it('serve the bytes to a browser-like GET with no token, and to HEAD', async () => {
    const res = await fetch(url, {
      headers: {
        accept: 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8',
        'sec-fetch-dest': 'image',
        'sec-fetch-mode': 'no-cors',
        'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) test',
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect((await sha256OfResponse(res)).digest).toBe(sha256(bytes));
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(bytes.byteLength));
  });

  it('are cached by the browser for no longer than the URL lives', async () => {
    // What the URL had left when the request was sent: the gateway answers later, so its
    // max-age can only be less (read after the answer, the lifetime left may already be a
    // fraction of a second under the whole seconds the gateway counted).
    const leftWhenSent = Number(url.searchParams.get('exp')) - Date.now() / 1000;
    const res = await fetch(url);
    await res.arrayBuffer();
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(res.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(leftWhenSent);
  });

  it('refuse every altered, foreign or malformed link with the same 403', async () => {
    const changed = (change: (u: URL) => void) => {
      const copy = new URL(url);
      change(copy);
      return copy;
    };
    const sig = url.searchParams.get('sig') ?? '';
    const exp = url.searchParams.get('exp') ?? '';
    const foreign = createFileUrlSigner({ secret: 'some-other-gateway-key-0123456789abcdef' });
    const links: (URL | string)[] = [
      changed((u) => u.searchParams.set('sig', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1))),
      changed((u) => u.searchParams.set('exp', String(Number(exp) + 3600))),
      // This URL's signature on another file.
      changed((u) => {
        u.pathname = otherUrl.pathname;
      }),
      `${gw.url}${foreign.sign({ uid: uidOf(url) })}`,
      // Malformed: no signature, one that is not hex, two of them, no expiry, a bad uid.
      changed((u) => u.searchParams.delete('sig')),
      changed((u) => u.searchParams.set('sig', 'xyz')),
      changed((u) => u.searchParams.append('sig', sig)),
      changed((u) => u.searchParams.delete('exp')),
      `${gw.url}/files/%E0%A4%A?exp=${exp}&sig=${sig}`,
      `${gw.url}/files/`,
    ];
    const answers = await Promise.all(links.map(answer));
    expect(answers.map((a) => a.status)).toEqual(links.map(() => 403));
    expect(new Set(answers.map((a) => a.body))).toEqual(new Set(['This file link is not valid.']));
  });

  it("refuse another gateway's URL with the same 403", async () => {
    const other = await startGateway();
    try {
      const { token } = await newUser(other);
      const theirs = await uploadPrivate(other, token);
      expect(await answer(`${gw.url}${theirs.pathname}${theirs.search}`)).toEqual({
        status: 403,
        body: 'This file link is not valid.',
      });
    } finally {
      await other.close();
    }
  });

  it('expire at most two windows of FILE_URL_TTL_SECONDS after they are made, with the same 403', async () => {
    const short = await startGateway({ env: { FILE_URL_TTL_SECONDS: '1' } });
    try {
      const { token } = await newUser(short);
      const expiring = await uploadPrivate(short, token);
      expect((await answer(expiring)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      expect(await answer(expiring)).toEqual({ status: 403, body: 'This file link is not valid.' });
    } finally {
      await short.close();
    }
  });

  it('answer 404 once the file is deleted', async () => {
    const doomed = await uploadPrivate(gw, owner.token, new TextEncoder().encode('short-lived'));
    const res = await gw.gql('query($uid: String!) { file(uid: $uid) { databaseId } }', { uid: uidOf(doomed) }, owner);
    const deleted = await restClient(gw.local.url).delete(`/blobs/${res.data.file.databaseId}`, {
      token: owner.token,
    });
    expect(deleted.status).toBe(200);
    expect((await answer(doomed)).status).toBe(404);
  });
});
