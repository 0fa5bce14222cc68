import type { SessionEvent } from '../sessions/session-events.ts';
import { isTerminal } from '../sessions/session-events.ts';
import type { SessionRecord } from '../upstream/types.ts';
import { builder } from './builder.ts';
import { requireToken, SessionRef } from './session.ts';

/** `sessionEvents`: what happens to the caller's token, over graphql-ws and SSE. */

const SessionEventType = builder.enumType('SessionEventType', {
  description: "What happened to the caller's session token.",
  values: {
    EXTENDED: { description: 'Activity moved the expiry (also the first event: the present state).' },
    EXPIRING: { description: 'The session expires within the configured lead time unless used.' },
    EXPIRED: { description: 'The upstream no longer accepts the token.' },
    LOGGED_OUT: { description: 'The user logged out; the token lives on as an application session.' },
    DESTROYED: { description: 'The session was destroyed (here, from another device, or with the account).' },
  },
});

const SessionEventRef = builder.objectRef<SessionEvent>('SessionEvent').implement({
  description: "Something that happened to the caller's session token.",
  fields: (t) => ({
    type: t.field({ type: SessionEventType, description: 'What happened.', resolve: (e) => e.type }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the token expires unless used again; null once that no longer applies.',
      resolve: (e) => e.expiresAt,
    }),
    at: t.field({ type: 'DateTime', description: 'When the event happened.', resolve: (e) => e.at }),
    session: t.field({
      type: SessionRef,
      nullable: true,
      description:
        'The session, read once per subscription (one upstream GET, which itself counts as activity); null after a terminal event.',
      resolve: async (e, _args, ctx): Promise<SessionRecord | null> => {
        // Never per event: GET /session extends the session, so each EXPIRING would cause an EXTENDED.
        if (isTerminal(e.type)) return null;
        const session = await ctx.currentSession();
        return session && { ...session, expiresAt: e.expiresAt };
      },
    }),
  }),
});

builder.subscriptionType({
  description: 'Streams, over WebSocket (`graphql-transport-ws` on `/graphql`) or Server-Sent Events.',
});

builder.subscriptionField('sessionEvents', (t) =>
  t.field({
    type: SessionEventRef,
    description:
      "Events of the caller's session token: first its present state, then EXTENDED / EXPIRING, until a terminal EXPIRED, LOGGED_OUT or DESTROYED ends the stream.",
    subscribe: (_root, _args, ctx) => ctx.deps.sessions.subscribe(requireToken(ctx)),
    resolve: (event) => event,
  }),
);
