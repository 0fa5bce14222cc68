import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avatarUid } from '../../src/files/avatar-uid.ts';
import { uploadAvatar } from '../../src/files/avatar-upload.ts';
import { FileUploadError } from '../../src/files/errors.ts';
import { uploadLimits } from '../../src/files/upload-limits.ts';
import { bytesSource, type FilesFixture, PNG_BYTES, sha256, sha256OfResponse, startFilesFixture } from './fixtures.ts';

let fx: FilesFixture;
const limits = uploadLimits();

beforeAll(async () => {
  fx = await startFilesFixture();
});

afterAll(async () => {
  await fx?.close();
});

describe('uploadAvatar', () => {
  it('uploads a public image and sets it on the user, keeping custom_data in step', async () => {
    const { token, user } = await fx.newUser({ custom_data: '{"avatar_uid":"old-uid","theme":"dark"}' });
    const { blob, user: updated } = await uploadAvatar({
      file: bytesSource(PNG_BYTES, 'me.png', 'application/octet-stream'),
      token,
      user,
      limits,
      upstream: fx.upstream,
    });
    expect(blob).toMatchObject({ public: true, content_type: 'image/png', size: PNG_BYTES.byteLength });
    expect(updated.avatar).toBe(blob.uid);
    expect(JSON.parse(updated.custom_data as string)).toEqual({ avatar_uid: blob.uid, theme: 'dark' });
    expect(avatarUid(updated as { avatar: string })).toBe(blob.uid);
    // Public: readable with no token at the URL `User.avatarUrl` derives from the uid alone.
    const response = await fetch(fx.upstream.publicBlobUrl(blob.uid));
    expect((await sha256OfResponse(response)).digest).toBe(sha256(PNG_BYTES));
  });

  it('deletes the new blob when the upstream refuses the user update', async () => {
    const { token, user } = await fx.newUser();
    const other = await fx.newUser();
    const error = await uploadAvatar({
      file: bytesSource(PNG_BYTES, 'me.png', 'image/png'),
      token,
      // Someone else's id: the real service answers 403 after the blob exists.
      user: { ...user, id: other.id },
      limits,
      upstream: fx.upstream,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FileUploadError);
    expect(error).toMatchObject({ step: 'set-avatar', cleanup: 'deleted', cause: { code: 'FORBIDDEN' } });
    expect(await fx.blobCount(token)).toBe(0);
  });
});
