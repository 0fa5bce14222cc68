import type { Context } from '../context.ts';

/**
 * `User` fields that belong to the user alone: null for anyone but the user themself (an
 * application session is "anyone"), unless `PUBLIC_USER_FIELDS` lists them. The rule is one
 * scope-auth field option set (`ownerOnly`), applied to each of these fields in `user.ts`.
 */
export const personalFields = ['email', 'phone', 'externalId', 'facebookId', 'twitterId'] as const;
export type PersonalField = (typeof personalFields)[number];

/** Users the caller proved to be in this request (signing up, logging in): they may read their own fields. */
const provenByContext = new WeakMap<object, Set<number>>();

/** After a mutation authenticated the caller as `userId` (its answer shows that user's fields). */
export function actsAs(ctx: Context, userId: number | null | undefined): void {
  if (userId == null) return;
  const proven = provenByContext.get(ctx) ?? new Set<number>();
  proven.add(userId);
  provenByContext.set(ctx, proven);
}

async function mayRead(ctx: Context, field: PersonalField, userId: number): Promise<boolean> {
  if (ctx.deps.security.publicUserFields.has(field)) return true;
  if (provenByContext.get(ctx)?.has(userId)) return true;
  if (!ctx.token) return false;
  return (await ctx.currentSession())?.user_id === userId;
}

/**
 * Field options (scope-auth) that hide a personal field from everyone but its owner; `what`
 * starts the field's description.
 */
export function ownerOnly(field: PersonalField, what: string) {
  return {
    description: `${what} Private to the user (null for anyone else) unless PUBLIC_USER_FIELDS lists \`${field}\`.`,
    authScopes: (user: { id: number }, _args: unknown, ctx: Context) => mayRead(ctx, field, user.id),
    unauthorizedResolver: () => null,
  };
}
