import { Repeater } from 'graphql-yoga';
import type { SessionEvent } from './session-events.ts';
import type { SessionTracker } from './session-tracker.ts';
import type { TokenKeyer } from './token-key.ts';

/**
 * A tracker usable at once whose implementation is still loading (the Redis one is imported
 * on demand): every call waits for it. Token keys need no Redis and are answered directly.
 */
export function deferTracker(keyOf: TokenKeyer, loading: Promise<SessionTracker>): SessionTracker {
  return {
    tokenKey: keyOf,
    observe: async (token, expiresAt, identity) => (await loading).observe(token, expiresAt, identity),
    expired: async (token) => (await loading).expired(token),
    loggedOut: async (token) => (await loading).loggedOut(token),
    destroyed: async (token) => (await loading).destroyed(token),
    destroyedSession: async (sessionId) => (await loading).destroyedSession(sessionId),
    destroyOthers: async (userId, exceptToken) => (await loading).destroyOthers(userId, exceptToken),
    destroyAllOf: async (userId) => (await loading).destroyAllOf(userId),
    currentState: async (token) => (await loading).currentState(token),
    subscribe(token) {
      return new Repeater<SessionEvent>(async (push, stop) => {
        const events = (await loading).subscribe(token);
        // An unsubscribing client ends the inner subscription now, not at its next event.
        stop.then(() => events.return?.());
        for await (const event of events) await push(event);
        stop();
      });
    },
    close: async () => {
      const tracker = await loading.catch(() => undefined);
      await tracker?.close();
    },
  };
}
