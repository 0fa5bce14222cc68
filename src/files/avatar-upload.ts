import type { UpstreamUser } from '../upstream/types.ts';
import { type AvatarFields, avatarUpdate } from './avatar-uid.ts';
import type { BlobRecord, BlobsUpstream } from './blobs-upstream.ts';
import type { UploadLimits } from './upload-limits.ts';
import { type UploadSource, uploadToUpstream } from './upload-pipeline.ts';

export interface AvatarUploadInput {
  file: UploadSource;
  token: string;
  /** The caller: its id, and its current fields so `custom_data.avatar_uid` stays in step. */
  user: AvatarFields & { id: number };
  limits: UploadLimits;
  upstream: BlobsUpstream;
  signal?: AbortSignal | undefined;
}

/**
 * `setAvatar(file)`: an image-only upload, then the user update as the pipeline's last step
 * (a failed update deletes the new blob). Avatars are public blobs: `User.avatarUrl` must be
 * computable from the uid alone, with no upstream call.
 */
export async function uploadAvatar(input: AvatarUploadInput): Promise<{ blob: BlobRecord; user: UpstreamUser }> {
  const { blob, finished } = await uploadToUpstream({
    file: input.file,
    isPublic: true,
    token: input.token,
    limits: input.limits,
    upstream: input.upstream,
    purpose: 'avatar',
    signal: input.signal,
    finish: {
      step: 'set-avatar',
      run: (created) =>
        input.upstream.updateUserAvatar(input.token, input.user.id, avatarUpdate(input.user, created.uid)),
    },
  });
  return { blob, user: finished! };
}
