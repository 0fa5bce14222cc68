import { encodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { AlreadyTakenError, ForbiddenError, RateLimitedError, ValidationError } from '../errors.ts';
import { limited } from '../security/limited.ts';
import { destroyOtherSessions } from '../upstream/sessions.ts';
import type { UpstreamUser } from '../upstream/types.ts';
import { deleteUser, requestPasswordReset, updateUser } from '../upstream/users.ts';
import { builder } from './builder.ts';
import { profileFields, toUserParams } from './profile-input.ts';
import { requireToken, warnTracker } from './session.ts';
import { UserNode } from './user.ts';

/** The caller's own account: `me`, `updateMe`, `deleteMe`, and `resetPassword`. */

async function currentUserId(ctx: Context): Promise<number> {
  const session = await ctx.currentSession();
  if (!session?.user_id) throw new ForbiddenError('This needs a user session: log in first.');
  return session.user_id;
}

builder.queryField('me', (t) =>
  t.field({
    type: UserNode,
    nullable: true,
    description: "The user of the caller's session; null without a user session.",
    resolve: async (_root, _args, ctx) => {
      const session = await ctx.currentSession();
      if (!session?.user_id) return null;
      return session.user ?? String(session.user_id);
    },
  }),
);

const UpdateMeInput = builder.inputType('UpdateMeInput', {
  description: 'Only the given fields change; null clears a field that can be empty.',
  fields: (t) => ({
    ...profileFields(t),
    password: t.string({
      description:
        "A new password (8 to 128 characters); needs `oldPassword`. The user's other sessions end when it changes.",
    }),
    oldPassword: t.string({ description: 'The current password: required to change `password` or `email`.' }),
  }),
  validate: z
    .looseObject({ password: z.string().nullish(), email: z.string().nullish(), oldPassword: z.string().nullish() })
    .refine((i) => !i.password || !!i.oldPassword, {
      message: 'is required to change the password',
      path: ['oldPassword'],
    })
    .refine((i) => !!i.password || !i.email || !!i.oldPassword, {
      message: 'is required to change the email',
      path: ['oldPassword'],
    }),
});

const UpdateMeSuccess = builder.objectRef<{ user: UpstreamUser }>('UpdateMeSuccess').implement({
  description: 'The profile was changed.',
  fields: (t) => ({ user: t.expose('user', { type: UserNode, description: 'The user as changed.' }) }),
});

builder.mutationField('updateMe', (t) =>
  t.field({
    type: UpdateMeSuccess,
    description: "Changes the caller's profile, and the password when `oldPassword` matches.",
    errors: { types: [ValidationError, AlreadyTakenError, RateLimitedError] },
    authScopes: { user: true },
    args: { input: t.arg({ type: UpdateMeInput, required: true, description: 'The fields to change.' }) },
    resolve: async (_root, { input }, ctx) => {
      const id = await currentUserId(ctx);
      const token = requireToken(ctx);
      const params = toUserParams(input);
      // The upstream checks `old_password` only with a new password: an email change sends the
      // current one as both, so that the upstream verifies it (and refuses a wrong one).
      if (input.email != null && input.password == null) params.password = params.old_password;
      const update = () => updateUser(ctx.deps.client, token, id, params);
      const user = params.old_password != null ? await limited(ctx, 'oldPassword', String(id), update) : await update();
      UserNode.getDataloader(ctx).clear(String(id)).prime(String(id), user);
      if (input.password != null) await endOtherSessions(ctx, token, id);
      return { user };
    },
  }),
);

/** After a password change: whoever holds another of the user's tokens is logged out. */
async function endOtherSessions(ctx: Context, token: string, userId: number): Promise<void> {
  try {
    await destroyOtherSessions(ctx.deps.client, token);
  } catch (err) {
    // The password did change; the caller learns that, and the operator learns the rest.
    ctx.deps.logger.error({ err, userId }, 'password changed, but the other sessions could not be ended');
    return;
  }
  void ctx.deps.sessions.destroyOthers(userId, token).catch(warnTracker(ctx));
}

const DeleteMeSuccess = builder.objectRef<{ deletedUserId: number }>('DeleteMeSuccess').implement({
  description: 'The account was deleted.',
  fields: (t) => ({
    deletedUserId: t.id({
      description: 'The global id of the deleted user (`User.id`), e.g. for `@deleteRecord`.',
      resolve: (result) => encodeGlobalID('User', result.deletedUserId),
    }),
  }),
});

builder.mutationField('deleteMe', (t) =>
  t.field({
    type: DeleteMeSuccess,
    description: "Deletes the caller's account; its sessions end with it.",
    errors: { types: [] },
    authScopes: { user: true },
    resolve: async (_root, _args, ctx) => {
      const id = await currentUserId(ctx);
      await deleteUser(ctx.deps.client, requireToken(ctx), id);
      void ctx.deps.sessions.destroyAllOf(id).catch(warnTracker(ctx));
      ctx.sessionCookie?.ended();
      return { deletedUserId: id };
    },
  }),
);

const ResetPasswordInput = builder.inputType('ResetPasswordInput', {
  description: 'Whose password to reset.',
  fields: (t) => ({
    email: t.string({
      required: true,
      description: 'The email of the account; the reset link is sent there.',
      validate: z.email('is not an email address'),
    }),
  }),
});

const ResetPasswordSuccess = builder.objectRef<{ ok: boolean }>('ResetPasswordSuccess').implement({
  description: 'The request was taken (whether or not the email belongs to a user).',
  fields: (t) => ({ ok: t.exposeBoolean('ok', { description: 'Always true.' }) }),
});

builder.mutationField('resetPassword', (t) =>
  t.field({
    type: ResetPasswordSuccess,
    description: 'Sends a reset link if the email belongs to a user; the answer is the same either way.',
    errors: { types: [ValidationError, RateLimitedError] },
    args: { input: t.arg({ type: ResetPasswordInput, required: true, description: 'Whose password to reset.' }) },
    resolve: async (_root, { input }, ctx) => {
      await limited(ctx, 'resetPassword', input.email, () =>
        ctx.deps.appSession.use((token) => requestPasswordReset(ctx.deps.client, token, input.email)),
      );
      return { ok: true };
    },
  }),
);
