import { z } from 'zod';
import type { Context } from '../context.ts';
import {
  type ErrorCode,
  ForbiddenError,
  GatewayError,
  NotFoundError,
  RateLimitedError,
  SessionExpiredError,
  UpstreamUnavailableError,
  ValidationError,
} from '../errors.ts';
import { avatarUid, avatarUpdate } from '../files/avatar-uid.ts';
import { uploadAvatar } from '../files/avatar-upload.ts';
import { FileUploadError, FileValidationError } from '../files/errors.ts';
import { uploadToUpstream } from '../files/upload-pipeline.ts';
import type { UpstreamBlob, UpstreamUser } from '../upstream/types.ts';
import { updateUser } from '../upstream/users.ts';
import { builder } from './builder.ts';
import { FileNode } from './file.ts';
import { requireToken } from './session.ts';
import { UserNode } from './user.ts';

/** `uploadFile`, `setAvatar` and `removeAvatar`: uploads streamed through to the upstream. */

const UploadFileInput = builder.inputType('UploadFileInput', {
  description: "The file to store (multipart request; limits on size and type are the operator's).",
  fields: (t) => ({
    file: t.field({ type: 'Upload', required: true, description: 'The bytes, as a multipart file part.' }),
    isPublic: t.boolean({ description: 'Public files are readable by anyone with the URL; default false.' }),
  }),
});

const UploadFileSuccess = builder.objectRef<{ file: UpstreamBlob }>('UploadFileSuccess').implement({
  description: 'The file was stored.',
  fields: (t) => ({ file: t.expose('file', { type: FileNode, description: 'The stored file.' }) }),
});

builder.mutationField('uploadFile', (t) =>
  t.field({
    type: UploadFileSuccess,
    description: 'Stores a file for the caller. Errors name the step that failed; a partial blob is deleted.',
    errors: { types: [ValidationError] },
    authScopes: { user: true },
    args: { input: t.arg({ type: UploadFileInput, required: true, description: 'The file to store.' }) },
    resolve: async (_root, { input }, ctx) => {
      const { files } = ctx.deps;
      try {
        const { blob } = await uploadToUpstream({
          file: input.file,
          isPublic: input.isPublic ?? false,
          token: requireToken(ctx),
          limits: files.limits,
          upstream: files.blobs,
        });
        FileNode.getDataloader(ctx).prime(blob.uid, blob);
        return { file: blob };
      } catch (error) {
        throw uploadError(error, ctx);
      }
    },
  }),
);

const SetAvatarInput = builder.inputType('SetAvatarInput', {
  description: 'Exactly one of `file` (a new image) and `uid` (a public file already stored).',
  fields: (t) => ({
    file: t.field({ type: 'Upload', description: 'A new image (its bytes must be an allowed image type).' }),
    uid: t.string({ description: 'The uid of a public file already stored.' }),
  }),
  validate: z
    .looseObject({ file: z.unknown().nullish(), uid: z.string().nullish() })
    .refine((i) => (i.file != null) !== (i.uid != null), {
      message: 'give exactly one of file and uid',
      path: ['file'],
    }),
});

const SetAvatarSuccess = builder.objectRef<{ user: UpstreamUser }>('SetAvatarSuccess').implement({
  description: 'The avatar was set.',
  fields: (t) => ({ user: t.expose('user', { type: UserNode, description: 'The user with the new avatar.' }) }),
});

builder.mutationField('setAvatar', (t) =>
  t.field({
    type: SetAvatarSuccess,
    description: "Sets the caller's avatar: uploads an image (checked by its bytes) or names a public file.",
    errors: { types: [ValidationError, NotFoundError] },
    authScopes: { user: true },
    args: { input: t.arg({ type: SetAvatarInput, required: true, description: 'The image to use.' }) },
    resolve: async (_root, { input }, ctx) => {
      const token = requireToken(ctx);
      const me = await currentUser(ctx);
      let user: UpstreamUser;
      if (input.file) {
        try {
          const { files } = ctx.deps;
          const uploaded = await uploadAvatar({
            file: input.file,
            token,
            user: me,
            limits: files.limits,
            upstream: files.blobs,
          });
          FileNode.getDataloader(ctx).prime(uploaded.blob.uid, uploaded.blob);
          user = uploaded.user;
        } catch (error) {
          throw uploadError(error, ctx);
        }
      } else {
        const uid = input.uid as string;
        const blob = await FileNode.getDataloader(ctx).load(uid);
        if (!blob) throw new NotFoundError('File not found.');
        // `avatarUrl` is the public URL made from the uid alone.
        if (!blob.public) {
          throw new ValidationError('An avatar must be a public file.', [
            { field: 'uid', messages: ['is not a public file'] },
          ]);
        }
        user = await updateUser(ctx.deps.client, token, me.id, avatarUpdate(me, uid));
      }
      UserNode.getDataloader(ctx).clear(String(me.id)).prime(String(me.id), user);
      return { user };
    },
  }),
);

const RemoveAvatarSuccess = builder.objectRef<{ user: UpstreamUser }>('RemoveAvatarSuccess').implement({
  description: 'The avatar was cleared.',
  fields: (t) => ({ user: t.expose('user', { type: UserNode, description: 'The user without an avatar.' }) }),
});

builder.mutationField('removeAvatar', (t) =>
  t.field({
    type: RemoveAvatarSuccess,
    description: "Clears the caller's avatar (also `custom_data.avatar_uid`); the file itself is kept.",
    errors: { types: [] },
    authScopes: { user: true },
    resolve: async (_root, _args, ctx) => {
      const me = await currentUser(ctx);
      if (!avatarUid(me)) return { user: me };
      const user = await updateUser(ctx.deps.client, requireToken(ctx), me.id, avatarUpdate(me, null));
      UserNode.getDataloader(ctx).clear(String(me.id)).prime(String(me.id), user);
      return { user };
    },
  }),
);

/** The caller's user record: from the session when it came with one, else loaded. */
async function currentUser(ctx: Context): Promise<UpstreamUser> {
  const session = await ctx.currentSession();
  if (!session?.user_id) throw new ForbiddenError('This needs a user session: log in first.');
  const user = session.user ?? (await UserNode.getDataloader(ctx).load(String(session.user_id)));
  if (!user) throw new NotFoundError('User not found.');
  return user;
}

const codeByStatus: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'SESSION_EXPIRED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  422: 'VALIDATION_FAILED',
  429: 'RATE_LIMITED',
};

/**
 * The files feature's plain errors as the contract's typed errors. An upstream failure keeps
 * its code and says which step failed (also in `extensions.step`); its cause goes to the log.
 */
function uploadError(error: unknown, ctx: Context): unknown {
  const invalid = (e: FileValidationError) =>
    new ValidationError(e.message, [{ field: e.field, messages: [e.message] }]);
  if (error instanceof FileValidationError) return invalid(error);
  if (!(error instanceof FileUploadError)) return error;
  const { cause, step, cleanup } = error;
  // The multipart parser cut the part at the size limit.
  if (cause instanceof FileValidationError) return invalid(cause);
  const log = { err: cause, step, cleanup };
  if (cleanup === 'delete-failed') ctx.deps.logger.warn(log, 'upload failed; its partial blob could not be deleted');
  else ctx.deps.logger.info(log, 'upload failed');

  const code = cause instanceof GatewayError ? cause.code : (codeByStatus[error.status ?? 0] ?? 'UPSTREAM_UNAVAILABLE');
  // Gateway errors carry the gateway's own words; anything else stays in the log.
  const message = cause instanceof GatewayError ? `${error.message} ${cause.message}` : error.message;
  const extensions = { step };
  switch (code) {
    case 'SESSION_EXPIRED':
      return new SessionExpiredError(message, extensions);
    case 'FORBIDDEN':
      return new ForbiddenError(message, extensions);
    case 'NOT_FOUND':
      return new NotFoundError(message, extensions);
    case 'RATE_LIMITED':
      return new RateLimitedError(
        cause instanceof RateLimitedError ? cause.retryAfterSeconds : undefined,
        message,
        extensions,
      );
    case 'VALIDATION_FAILED':
    case 'ALREADY_TAKEN': {
      const fields = cause instanceof ValidationError ? cause.fields : [];
      const refused = new ValidationError(message, fields);
      Object.assign(refused.extensions, extensions);
      return refused;
    }
    default:
      return new UpstreamUnavailableError(message, extensions);
  }
}
