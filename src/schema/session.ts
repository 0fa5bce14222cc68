import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Context } from '../context.ts';
import { NotFoundError, RateLimitedError, UnauthenticatedError, ValidationError } from '../errors.ts';
import { limited } from '../security/limited.ts';
import {
  createSession,
  destroyOtherSessions,
  destroySession,
  downgradeSession,
  getSession,
} from '../upstream/sessions.ts';
import type { SessionRecord } from '../upstream/types.ts';
import { builder } from './builder.ts';
import { databaseIdOf } from './global-ids.ts';
import { UserNode } from './user.ts';

/** `Session`, the caller's `session`, and the mutations that create or end sessions. */

const SessionKind = builder.enumType('SessionKind', {
  description: 'What a session token may do.',
  values: {
    APPLICATION: { description: 'No user: it can read users and files, and sign in.' },
    USER: { description: "Bound to one user: it can also change that user's own data." },
  },
});

export const SessionRef = builder.node(builder.objectRef<SessionRecord>('Session'), {
  description:
    'An upstream session: the token the caller sends as `Authorization: Bearer <token>`. As a `Node` it is ' +
    "readable only with its own token (the caller's current session); any other session id reads as null.",
  id: { resolve: (s) => s.id },
  loadOne: async (id, ctx) => {
    const current = await ctx.currentSession();
    return current && String(current.id) === id ? current : null;
  },
  fields: (t) => ({
    databaseId: t.exposeInt('id', { description: 'The upstream session id.' }),
    token: t.string({
      description:
        'Send it as `Authorization: Bearer <token>`. With browser cookie sessions on (`SESSION_COOKIE=1`) the token travels in an HttpOnly cookie instead, and this answers an empty string unless `SESSION_COOKIE_EXPOSE_TOKEN=1`.',
      resolve: (s, _args, ctx) => (ctx.deps.sessionCookie && !ctx.deps.sessionCookie.exposeToken ? '' : s.token),
    }),
    kind: t.field({
      type: SessionKind,
      description: 'Application or user session.',
      resolve: (s) => (s.user_id ? 'USER' : 'APPLICATION'),
    }),
    applicationId: t.exposeInt('application_id', { description: 'The application the session belongs to.' }),
    user: t.field({
      type: UserNode,
      nullable: true,
      description: 'The user of a user session; null for an application session.',
      resolve: (s) => (s.user_id ? (s.user ?? String(s.user_id)) : null),
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the session was created.',
      resolve: (s) => new Date(s.created_at),
    }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the token expires unless used again (each use moves it).',
      resolve: (s) => s.expiresAt,
    }),
  }),
});

/** A new session a login answers: tracked, and (cookie mode) set as this browser's cookie. */
export function issued(ctx: Context, session: SessionRecord): SessionRecord {
  ctx.sessionCookie?.issued(session.token);
  return ctx.trackSession(session);
}

/** Reads the caller's session again after a call changed it, and caches it for the request. */
export async function refreshSession(ctx: Context): Promise<SessionRecord> {
  const session = await getSession(ctx.deps.client, requireToken(ctx));
  ctx.setCurrentSession(session);
  return session;
}

/** A user's call never fails because of the session tracker: its failures are only logged. */
export function warnTracker(ctx: Context): (err: unknown) => void {
  return (err) => ctx.deps.logger.warn({ err }, 'session tracker');
}

export function requireToken(ctx: Context): string {
  if (!ctx.token) throw new UnauthenticatedError();
  return ctx.token;
}

builder.queryField('session', (t) =>
  t.field({
    type: SessionRef,
    nullable: true,
    description: "The caller's session; null without a token.",
    resolve: (_root, _args, ctx) => ctx.currentSession(),
  }),
);

const CreateSessionSuccess = builder.objectRef<{ session: SessionRecord }>('CreateSessionSuccess').implement({
  description: 'A new application session.',
  fields: (t) => ({ session: t.expose('session', { type: SessionRef, description: 'The new application session.' }) }),
});

builder.mutationField('createSession', (t) =>
  t.field({
    type: CreateSessionSuccess,
    description: 'A new application session: it can read users and files, and log in.',
    errors: { types: [RateLimitedError] },
    resolve: async (_root, _args, ctx) => ({
      session: issued(
        ctx,
        await limited(ctx, 'createSession', null, () => createSession(ctx.deps.client, ctx.deps.app)),
      ),
    }),
  }),
);

const LogoutSuccess = builder.objectRef<{ session: SessionRecord }>('LogoutSuccess').implement({
  description: 'The user is logged out; the token lives on as an application session.',
  fields: (t) => ({
    session: t.expose('session', { type: SessionRef, description: 'The same token, now an application session.' }),
  }),
});

builder.mutationField('logout', (t) =>
  t.field({
    type: LogoutSuccess,
    description: "Unbinds the user from the caller's token; the token stays valid as an application session.",
    errors: { types: [] },
    authScopes: { authenticated: true },
    resolve: async (_root, _args, ctx) => {
      const token = requireToken(ctx);
      await downgradeSession(ctx.deps.client, token);
      // Before the refresh, which tracks the token again as an application session.
      await ctx.deps.sessions.loggedOut(token).catch(warnTracker(ctx));
      ctx.sessionCookie?.ended();
      return { session: await refreshSession(ctx) };
    },
  }),
);

const DestroySessionInput = builder.inputType('DestroySessionInput', {
  description: 'Which session to end.',
  fields: (t) => ({
    id: t.id({ description: "One of the user's other sessions (`Session.id`); omit for the current one." }),
  }),
});

const DestroySessionSuccess = builder.objectRef<{ destroyedSessionId: number }>('DestroySessionSuccess').implement({
  description: 'The session has ended.',
  fields: (t) => ({
    destroyedSessionId: t.id({
      description: 'The global id of the session that ended (`Session.id`), e.g. for `@deleteRecord`.',
      resolve: (result) => encodeGlobalID('Session', result.destroyedSessionId),
    }),
  }),
});

builder.mutationField('destroySession', (t) =>
  t.field({
    type: DestroySessionSuccess,
    description: "Ends the current session, or one of the current user's other sessions by id.",
    errors: { types: [ValidationError, NotFoundError] },
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: DestroySessionInput, description: 'Which session; omit for the current one.' }) },
    resolve: async (_root, { input }, ctx) => {
      const token = requireToken(ctx);
      if (input?.id != null) {
        const id = databaseIdOf('Session', String(input.id), 'id');
        await destroySession(ctx.deps.client, token, id);
        void ctx.deps.sessions.destroyedSession(id).catch(warnTracker(ctx));
        return { destroyedSessionId: id };
      }
      const current = await ctx.currentSession();
      if (!current) throw new UnauthenticatedError();
      await destroySession(ctx.deps.client, token);
      void ctx.deps.sessions.destroyed(token).catch(warnTracker(ctx));
      ctx.sessionCookie?.ended();
      return { destroyedSessionId: current.id };
    },
  }),
);

const DestroyOtherSessionsSuccess = builder.objectRef<{ ok: boolean }>('DestroyOtherSessionsSuccess').implement({
  description: "The user's other sessions have ended.",
  fields: (t) => ({ ok: t.exposeBoolean('ok', { description: 'Always true.' }) }),
});

builder.mutationField('destroyOtherSessions', (t) =>
  t.field({
    type: DestroyOtherSessionsSuccess,
    description: 'Ends every session of the current user except this one.',
    errors: { types: [] },
    authScopes: { user: true },
    resolve: async (_root, _args, ctx) => {
      const token = requireToken(ctx);
      await destroyOtherSessions(ctx.deps.client, token);
      const userId = (await ctx.currentSession())?.user_id;
      if (userId) void ctx.deps.sessions.destroyOthers(userId, token).catch(warnTracker(ctx));
      return { ok: true };
    },
  }),
);
