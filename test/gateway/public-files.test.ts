import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { PNG_BYTES, sha256, sha256OfResponse } from '../files/fixtures.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { newUser, postFile, SET_AVATAR, UPLOAD_FILE } from '../support/uploads.ts';

// Every URL the gateway hands out must be reachable on its own origin when the upstream is
// not (the embedded service on loopback, a compose network): avatars and public files are
// then served as `<gateway>/files/public/<uid>`, streamed from the upstream.

const png = () => new Blob([PNG_BYTES], { type: 'image/png' });

describe('PUBLIC_FILES_VIA_GATEWAY', () => {
  it('is on by default with the embedded local service, off in front of another upstream', () => {
    expect(loadConfig({}).files.publicViaGateway).toBe(true);
    const fronting = { UPSTREAM_URL: 'https://api.example.com', CUBE_APPLICATION_ID: '1', CUBE_AUTH_KEY: 'k' };
    expect(loadConfig(fronting).files.publicViaGateway).toBe(false);
    expect(loadConfig({ ...fronting, PUBLIC_FILES_VIA_GATEWAY: '1' }).files.publicViaGateway).toBe(true);
    expect(loadConfig({ PUBLIC_FILES_VIA_GATEWAY: '0' }).files.publicViaGateway).toBe(false);
    expect(() => loadConfig({ PUBLIC_FILES_VIA_GATEWAY: 'yes' })).toThrow(/PUBLIC_FILES_VIA_GATEWAY/);
  });
});

describe('public files on the gateway origin', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway({ env: { PUBLIC_FILES_VIA_GATEWAY: '1' } });
  });
  afterAll(() => gw?.close());

  it('hands out avatar and public file URLs on its own origin that serve the bytes with no token', async () => {
    const { token } = await newUser(gw);
    const { body } = await postFile(gw, token, SET_AVATAR, {}, png(), 'me.png');
    const { user } = body.data.setAvatar;
    expect(user.avatarUrl).toBe(`${gw.url}/files/public/${user.avatar.uid}`);
    const me = await gw.gql('{ me { avatarUrl avatar { url } } }', {}, { token });
    expect(me.data.me).toEqual({ avatarUrl: user.avatarUrl, avatar: { url: user.avatarUrl } });

    const download = await fetch(user.avatarUrl);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await sha256OfResponse(download)).digest).toBe(sha256(PNG_BYTES));
    const head = await fetch(user.avatarUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('does not serve a private file by its uid, nor tell it apart from a missing one', async () => {
    const { token } = await newUser(gw);
    const { body } = await postFile(gw, token, UPLOAD_FILE, { isPublic: false }, png(), 'secret.png');
    const { uid, url } = body.data.uploadFile.file;
    expect(url.startsWith(`${gw.url}/files/${uid}?`)).toBe(true);
    const attempt = await fetch(`${gw.url}/files/public/${uid}`);
    expect(attempt.status).toBe(404);
    expect(await attempt.text()).toBe('No such file.');
    const missing = await fetch(`${gw.url}/files/public/${'0'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('No such file.');
  });

  it('refuses odd paths and methods without asking the upstream', async () => {
    gw.upstream.reset();
    for (const path of ['..%2F..%2Fusers', 'a/b', '', 'x'.repeat(200)]) {
      const res = await fetch(`${gw.url}/files/public/${path}`);
      expect(res.status, path).toBe(404);
    }
    const post = await fetch(`${gw.url}/files/public/${'0'.repeat(32)}`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(gw.upstream.calls).toEqual([]);
  });
});

describe('in front of a reachable upstream (the default there)', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw?.close());

  it("hands out the upstream's URL and does not serve /files/public/", async () => {
    const { token } = await newUser(gw);
    const { body } = await postFile(gw, token, SET_AVATAR, {}, png(), 'me.png');
    const { user } = body.data.setAvatar;
    expect(user.avatarUrl).toBe(`${gw.upstream.url}/blobs/${user.avatar.uid}`);
    // Not a public-file route here: it reads as a malformed signed link, refused like any other.
    const res = await fetch(`${gw.url}/files/public/${user.avatar.uid}`);
    expect(res.status).toBe(403);
  });
});
