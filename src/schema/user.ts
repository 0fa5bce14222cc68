import { z } from 'zod';
import { avatarUid } from '../files/avatar-uid.ts';
import { batchUsersBy, type UserLookup, userLookups } from '../loaders/users.ts';
import { ownerOnly } from '../security/personal-fields.ts';
import type { UpstreamUser } from '../upstream/types.ts';
import { USERS_PAGE_MAX } from '../upstream/users.ts';
import { builder } from './builder.ts';
import { FileNode } from './file.ts';
import { databaseIdOf } from './global-ids.ts';

/** `User` and the single-user lookup `user(...)`. */

export const UserNode = builder.loadableNode('User', {
  description: 'A user of the application.',
  id: { resolve: (user: UpstreamUser) => user.id },
  load: (ids: string[], ctx) => {
    ctx.deps.metrics.loaderBatch('User', ids.length);
    return batchUsersBy(ctx.deps.client, ctx.token ?? '', 'id')(ids);
  },
  loaderOptions: { maxBatchSize: USERS_PAGE_MAX },
  toKey: (user) => String(user.id),
  sort: false,
  fields: (t) => ({
    databaseId: t.exposeInt('id', { description: 'The upstream user id.' }),
    login: t.string({
      nullable: true,
      description: 'Unique login; null for a user who has only an email.',
      resolve: (u) => u.login,
    }),
    email: t.string({
      nullable: true,
      ...ownerOnly('email', 'Email address.'),
      resolve: (u) => u.email,
    }),
    fullName: t.string({ nullable: true, description: 'Name shown to other users.', resolve: (u) => u.full_name }),
    phone: t.string({
      nullable: true,
      ...ownerOnly('phone', 'Phone number.'),
      resolve: (u) => u.phone,
    }),
    website: t.string({ nullable: true, description: "A URL of the user's choice.", resolve: (u) => u.website }),
    externalId: t.string({
      nullable: true,
      ...ownerOnly(
        'externalId',
        "The id of the user at the application's own identity provider (set by a CUSTOM login).",
      ),
      resolve: (u) => stringOrNull(u.external_id ?? u.external_user_id),
    }),
    facebookId: t.string({
      nullable: true,
      ...ownerOnly('facebookId', 'Facebook user id, for users who logged in with Facebook.'),
      resolve: (u) => stringOrNull(u.facebook_id),
    }),
    twitterId: t.string({
      nullable: true,
      ...ownerOnly('twitterId', 'Twitter user id, for users who logged in with Twitter.'),
      resolve: (u) => stringOrNull(u.twitter_id),
    }),
    customData: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The upstream keeps custom data as a string; JSON text comes back parsed.',
      resolve: (u) => parseCustomData(u.custom_data),
    }),
    tags: t.stringList({
      description: 'Labels to search users by; empty when none.',
      resolve: (u) => splitTags(u.user_tags),
    }),
    timezone: t.int({ nullable: true, description: 'Offset from UTC in minutes.', resolve: (u) => u.timezone ?? null }),
    isGuest: t.boolean({
      description: 'A guest user (`loginAsGuest`), deleted when its session ends.',
      resolve: (u) => !!u.is_guest,
    }),
    avatar: t.field({
      type: FileNode,
      nullable: true,
      description: 'The avatar file (a public image); null when none is set.',
      resolve: (u) => avatarUid(u),
    }),
    avatarUrl: t.string({
      nullable: true,
      description: "The avatar's URL, made without an upstream call.",
      resolve: (u, _args, ctx) => {
        const uid = avatarUid(u);
        return uid ? ctx.deps.files.publicFileUrl(uid) : null;
      },
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the user was created.',
      resolve: (u) => new Date(u.created_at),
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When the profile last changed.',
      resolve: (u) => new Date(u.updated_at),
    }),
    lastRequestAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the user last made a request; null if never.',
      resolve: (u) => (u.last_request_at ? new Date(u.last_request_at) : null),
    }),
  }),
});

/** `user(...)`'s arguments: the global `id`, the upstream `databaseId`, or another lookup. */
const lookupArgs = [
  'id',
  'databaseId',
  ...(Object.keys(userLookups) as UserLookup[]).filter((k) => k !== 'id'),
] as const;

builder.queryField('user', (t) =>
  t.field({
    type: UserNode,
    nullable: true,
    description: 'One user, by exactly one of the arguments; null when none matches.',
    authScopes: { authenticated: true },
    args: {
      id: t.arg.id({ description: 'The global id (`User.id`).' }),
      databaseId: t.arg.int({ description: 'The upstream user id (`User.databaseId`).' }),
      login: t.arg.string({ description: 'A login, exactly.' }),
      email: t.arg.string({ description: 'An email, exactly.' }),
      phone: t.arg.string({ description: 'A phone number, exactly.' }),
      externalId: t.arg.string({ description: 'An external id, exactly.' }),
      facebookId: t.arg.string({ description: 'A Facebook user id.' }),
      twitterId: t.arg.string({ description: 'A Twitter user id.' }),
    },
    validate: z
      .record(z.string(), z.unknown())
      .refine((args) => lookupArgs.filter((k) => args[k] != null).length === 1, {
        message: `Give exactly one of ${lookupArgs.join(', ')}`,
      }),
    resolve: async (_root, args, ctx) => {
      if (args.id != null) return String(databaseIdOf('User', String(args.id), 'id'));
      if (args.databaseId != null) return String(args.databaseId);
      const lookup = lookupArgs.find((k) => args[k] != null) as Exclude<UserLookup, 'id'>;
      const user = await ctx.userLoader(lookup).load(String(args[lookup]));
      if (user) UserNode.getDataloader(ctx).prime(String(user.id), user);
      return user;
    },
  }),
);

function parseCustomData(raw: string | null): unknown {
  if (raw === null || raw === undefined || raw === '') return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function splitTags(tags: string | string[] | null): string[] {
  if (!tags) return [];
  const list = Array.isArray(tags) ? tags : tags.split(',');
  return list.map((tag) => tag.trim()).filter(Boolean);
}

function stringOrNull(value: string | number | null | undefined): string | null {
  return value === null || value === undefined || value === '' ? null : String(value);
}
