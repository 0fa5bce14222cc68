import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobsUpstream } from '../../src/files/blobs-upstream.ts';
import { BlobsUpstreamError } from '../../src/files/errors.ts';
import { generatedSource, PNG_BYTES, sha256, sha256OfResponse } from '../files/fixtures.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { blobCount, newUser, postFile, postStreamedFile, SET_AVATAR, UPLOAD_FILE } from '../support/uploads.ts';

// uploadFile / setAvatar / removeAvatar through the real gateway with multipart HTTP clients.

const MB = 1024 * 1024;
let gw: RunningGateway;

beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw?.close());

const png = () => new Blob([PNG_BYTES], { type: 'image/png' });

describe('uploadFile', () => {
  it.each([true, false])('bytes come back identical through File.url (isPublic: %s)', async (isPublic) => {
    const { token } = await newUser(gw);
    const bytes = new TextEncoder().encode('hello, files\n'.repeat(1000));
    const { status, body } = await postFile(
      gw,
      token,
      UPLOAD_FILE,
      { isPublic },
      new Blob([bytes], { type: 'text/plain' }),
      'notes.txt',
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const file = body.data.uploadFile.file;
    expect(file).toMatchObject({ name: 'notes.txt', contentType: 'text/plain', size: bytes.byteLength, isPublic });
    const url = file.url as string;
    expect(url).not.toContain(token);
    // Public: the upstream's URL; private: the gateway's signed route.
    expect(url.startsWith(isPublic ? `${gw.upstream.url}/blobs/` : `${gw.url}/files/`)).toBe(true);
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect((await sha256OfResponse(download)).digest).toBe(sha256(bytes));

    // Read again later through `file(uid)`: the same bytes.
    const again = await gw.gql('query($uid: String!) { file(uid: $uid) { url size } }', { uid: file.uid }, { token });
    expect(again.data.file.size).toBe(bytes.byteLength);
    expect((await sha256OfResponse(await fetch(again.data.file.url))).digest).toBe(sha256(bytes));
  });

  it('streams a 20 MB upload through and serves it back byte-identical', async () => {
    const { token } = await newUser(gw);
    const generated = generatedSource(20 * MB, { name: 'big.txt' });
    const { body } = await postStreamedFile(gw, token, UPLOAD_FILE, {
      filename: 'big.txt',
      contentType: 'text/plain',
      size: 20 * MB,
      chunks: generated.source.stream() as unknown as AsyncIterable<Uint8Array>,
    });
    expect(body.errors).toBeUndefined();
    expect(body.data.uploadFile.__typename).toBe('UploadFileSuccess');
    expect(body.data.uploadFile.file.size).toBe(20 * MB);
    const download = await fetch(body.data.uploadFile.file.url);
    expect(await sha256OfResponse(download)).toEqual({ digest: generated.sha256(), bytes: 20 * MB });
  });

  it('accepts any content type by default (UPLOAD_ALLOWED_TYPES narrows it)', async () => {
    const { token } = await newUser(gw);
    const { body } = await postFile(
      gw,
      token,
      UPLOAD_FILE,
      {},
      new Blob(['<html><script>alert(1)</script></html>'], { type: 'text/html' }),
      'page.html',
    );
    expect(body.data.uploadFile).toMatchObject({ __typename: 'UploadFileSuccess' });
    expect(await blobCount(gw, token)).toBe(1);
  });

  it('needs a user session', async () => {
    const { body } = await postFile(gw, null, UPLOAD_FILE, {}, png(), 'p.png');
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a file given inline instead of as a multipart variable', async () => {
    const { token } = await newUser(gw);
    const res = await gw.gql('mutation { uploadFile(input: { file: "x" }) { __typename } }', {}, { token });
    expect(res.errors?.[0]?.message).toMatch(/Upload must be a file of a multipart request/);
  });
});

describe('size limit', () => {
  let small: RunningGateway;
  beforeAll(async () => {
    small = await startGateway({ env: { UPLOAD_MAX_BYTES: String(256 * 1024) } });
  });
  afterAll(() => small?.close());

  it('refuses an upload over UPLOAD_MAX_BYTES and leaves no blob', async () => {
    const { token } = await newUser(small);
    const bytes = new Uint8Array(300 * 1024).fill(0x61);
    const { status, body } = await postFile(
      small,
      token,
      UPLOAD_FILE,
      {},
      new Blob([bytes], { type: 'text/plain' }),
      'big.txt',
    );
    expect(status).toBe(200);
    expect(body.data.uploadFile).toMatchObject({
      __typename: 'ValidationError',
      code: 'VALIDATION_FAILED',
    });
    expect(body.data.uploadFile.message).toBe('The file is larger than the maximum of 262144 bytes.');
    expect(await blobCount(small, token)).toBe(0);
  });

  it('accepts a file within the limit', async () => {
    const { token } = await newUser(small);
    const bytes = new Uint8Array(200 * 1024).fill(0x62);
    const { body } = await postFile(small, token, UPLOAD_FILE, {}, new Blob([bytes], { type: 'text/plain' }), 'ok.txt');
    expect(body.data.uploadFile.file.size).toBe(200 * 1024);
  });
});

describe('a failure after the blob was created', () => {
  let real: BlobsUpstream;
  beforeAll(() => {
    real = gw.app.deps.files.blobs;
  });
  afterAll(() => {
    gw.app.deps.files.blobs = real;
  });

  it('deletes the blob when completing it fails, and names the step', async () => {
    const { token } = await newUser(gw);
    gw.app.deps.files.blobs = {
      ...real,
      completeBlob: async () => {
        throw new BlobsUpstreamError('complete blob', 503, null);
      },
    };
    const { body } = await postFile(
      gw,
      token,
      UPLOAD_FILE,
      {},
      new Blob(['some text'], { type: 'text/plain' }),
      'a.txt',
    );
    gw.app.deps.files.blobs = real;
    expect(body.errors[0]).toMatchObject({
      message: 'Upload failed at step "complete".',
      extensions: { code: 'UPSTREAM_UNAVAILABLE', step: 'complete' },
    });
    expect(await blobCount(gw, token)).toBe(0);
  });

  it('deletes the new avatar blob when setting it on the user fails (a real 403 upstream)', async () => {
    const { token } = await newUser(gw);
    const other = await newUser(gw);
    // The real upstream refuses updating someone else: the step after the blob fails for real.
    gw.app.deps.files.blobs = {
      ...real,
      updateUserAvatar: (t, _id, fields) => real.updateUserAvatar(t, other.id, fields),
    };
    const { body } = await postFile(gw, token, SET_AVATAR, {}, png(), 'me.png');
    gw.app.deps.files.blobs = real;
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(body.errors[0].message).toMatch(/^Upload failed at step "set-avatar"\./);
    expect(await blobCount(gw, token)).toBe(0);
  });
});

describe('setAvatar and removeAvatar', () => {
  it('sets an uploaded image; avatarUrl serves it with no token', async () => {
    const { token } = await newUser(gw, { custom_data: '{"avatar_uid":"old","theme":"dark"}' });
    const { body } = await postFile(gw, token, SET_AVATAR, {}, png(), 'me.png');
    const result = body.data.setAvatar;
    expect(result.__typename).toBe('SetAvatarSuccess');
    expect(result.user.avatar).toMatchObject({ isPublic: true, contentType: 'image/png' });
    expect(result.user.customData).toEqual({ avatar_uid: result.user.avatar.uid, theme: 'dark' });
    const download = await fetch(result.user.avatarUrl);
    expect((await sha256OfResponse(download)).digest).toBe(sha256(PNG_BYTES));
  });

  it('refuses a text file as an avatar, whatever type it claims, and leaves no blob', async () => {
    const { token } = await newUser(gw);
    const text = new Blob(['not a picture at all, '.repeat(500)], { type: 'image/png' });
    const { body } = await postFile(gw, token, SET_AVATAR, {}, text, 'me.png');
    expect(body.data.setAvatar).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(body.data.setAvatar.message).toMatch(/^An avatar must be an image/);
    expect(await blobCount(gw, token)).toBe(0);
    const me = await gw.gql('{ me { avatarUrl } }', {}, { token });
    expect(me.data.me.avatarUrl).toBeNull();
  });

  it('sets a public file by uid, refuses a private or unknown one', async () => {
    const { token } = await newUser(gw);
    const pub = await postFile(gw, token, UPLOAD_FILE, { isPublic: true }, png(), 'pub.png');
    const priv = await postFile(gw, token, UPLOAD_FILE, { isPublic: false }, png(), 'priv.png');
    const pubFile = pub.body.data.uploadFile.file;

    const set = await gw.gql(SET_AVATAR, { input: { uid: pubFile.uid } }, { token });
    expect(set.data.setAvatar.__typename).toBe('SetAvatarSuccess');
    expect(set.data.setAvatar.user.avatar.uid).toBe(pubFile.uid);
    expect(set.data.setAvatar.user.avatarUrl).toBe(pubFile.url);

    const privRes = await gw.gql(SET_AVATAR, { input: { uid: priv.body.data.uploadFile.file.uid } }, { token });
    expect(privRes.data.setAvatar).toMatchObject({
      __typename: 'ValidationError',
      message: 'An avatar must be a public file.',
      fields: [{ field: 'uid', messages: ['is not a public file'] }],
    });
    const unknown = await gw.gql(SET_AVATAR, { input: { uid: 'no-such-uid' } }, { token });
    expect(unknown.data.setAvatar).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('wants exactly one of file and uid', async () => {
    const { token } = await newUser(gw);
    const neither = await gw.gql(SET_AVATAR, { input: {} }, { token });
    expect(neither.data.setAvatar).toMatchObject({
      __typename: 'ValidationError',
      code: 'VALIDATION_FAILED',
      fields: [{ field: 'file', messages: ['give exactly one of file and uid'] }],
    });
    const both = await postFile(gw, token, SET_AVATAR, { uid: 'some-uid' }, png(), 'me.png');
    expect(both.body.data.setAvatar).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(await blobCount(gw, token)).toBe(0);
  });

  it('removeAvatar clears avatar and the custom_data fallback, and keeps the file', async () => {
    const { token } = await newUser(gw, { custom_data: '{"avatar_uid":"x"}' });
    const { body } = await postFile(gw, token, SET_AVATAR, {}, png(), 'me.png');
    const uid = body.data.setAvatar.user.avatar.uid;
    const removed = await gw.gql(
      'mutation { removeAvatar { __typename ... on RemoveAvatarSuccess { user { avatar { uid } avatarUrl customData } } } }',
      {},
      { token },
    );
    expect(removed.data.removeAvatar).toEqual({
      __typename: 'RemoveAvatarSuccess',
      user: { avatar: null, avatarUrl: null, customData: {} },
    });
    const me = await gw.gql('{ me { avatarUrl } }', {}, { token });
    expect(me.data.me.avatarUrl).toBeNull();
    const file = await gw.gql('query($uid: String!) { file(uid: $uid) { uid } }', { uid }, { token });
    expect(file.data.file.uid).toBe(uid);
  });
});
