import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileUrlSigner } from '../../src/files/signed-file-url.ts';
import { sha256, sha256OfResponse } from '../files/fixtures.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { newUser, postFile, UPLOAD_FILE } from '../support/uploads.ts';

// Private File.url: signed by the gateway, one file, expiring, served by the gateway.

const KEY = 'file-urls-test-signing-key-0123456789abcdef';
const bytes = new TextEncoder().encode('private bytes\n'.repeat(200));
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

beforeAll(async () => {
  gw = await startGateway({ env: { FILE_URL_SIGNING_KEY: KEY } });
  owner = await newUser(gw);
  url = await uploadPrivate(gw, owner.token);
  otherUrl = await uploadPrivate(gw, owner.token, new TextEncoder().encode('another file'));
});
afterAll(() => gw?.close());

async function status(u: URL | string): Promise<number> {
  const res = await fetch(u);
  await res.arrayBuffer();
  return res.status;
}

describe('signed private file URLs', () => {
  it('serve the bytes with no token (GET and HEAD)', async () => {
    expect(url.origin).toBe(gw.url);
    expect(url.pathname.startsWith('/files/')).toBe(true);
    expect(url.href).not.toContain(owner.token);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await sha256OfResponse(res)).digest).toBe(sha256(bytes));
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(bytes.byteLength));
  });

  it('refuse a tampered signature, uid, expiry or source', async () => {
    const flip = (u: URL, name: string, value: (v: string) => string) => {
      const copy = new URL(u);
      copy.searchParams.set(name, value(copy.searchParams.get(name) ?? ''));
      return copy;
    };
    expect(await status(flip(url, 'sig', (s) => (s[0] === 'a' ? 'b' : 'a') + s.slice(1)))).toBe(403);
    expect(await status(flip(url, 'exp', (e) => String(Number(e) + 3600)))).toBe(403);
    // Another file's sealed source under this URL's signature.
    expect(await status(flip(url, 'src', () => otherUrl.searchParams.get('src') ?? ''))).toBe(403);
    const otherUid = new URL(url);
    otherUid.pathname = otherUrl.pathname;
    expect(await status(otherUid)).toBe(403);
    const noSig = new URL(url);
    noSig.searchParams.delete('sig');
    expect(await status(noSig)).toBe(400);
  });

  it('refuse a URL signed with another key', async () => {
    const foreign = createFileUrlSigner({ secret: 'some-other-gateway-key-0123456789abcdef' });
    const uid = decodeURIComponent(url.pathname.slice('/files/'.length));
    expect(await status(`${gw.url}${foreign.sign({ uid })}`)).toBe(403);
    const other = await startGateway();
    try {
      const { token } = await newUser(other);
      const theirs = await uploadPrivate(other, token);
      // Their URL, sent to this gateway.
      expect(await status(`${gw.url}${theirs.pathname}${theirs.search}`)).toBe(403);
    } finally {
      await other.close();
    }
  });

  it('expire after FILE_URL_TTL_SECONDS', async () => {
    const short = await startGateway({ env: { FILE_URL_TTL_SECONDS: '1' } });
    try {
      const { token } = await newUser(short);
      const expiring = await uploadPrivate(short, token);
      expect(await status(expiring)).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      const res = await fetch(expiring);
      expect(res.status).toBe(403);
      expect(await res.text()).toBe('This file link has expired.');
    } finally {
      await short.close();
    }
  });

  it("another user's private file: File.url answers a signed URL, as the upstream lets any token of the application read it", async () => {
    // Private means "needs a token of this application", not "owner only" (upstream-api.md, Storage).
    const stranger = await newUser(gw);
    const uid = decodeURIComponent(url.pathname.slice('/files/'.length));
    const res = await gw.gql('query($uid: String!) { file(uid: $uid) { url } }', { uid }, { token: stranger.token });
    expect(res.errors).toBeUndefined();
    const theirs = new URL(res.data?.file?.url);
    expect(theirs.pathname).toBe(url.pathname);
    expect(theirs.search).not.toContain(stranger.token);
    expect(await status(theirs)).toBe(200);
  });
});
