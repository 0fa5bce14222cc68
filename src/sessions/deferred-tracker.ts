import { eventStream } from './event-stream.ts';
import type { SessionEventSink, SessionTracker, Watching } from './session-tracker.ts';
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
    watch(token, sink) {
      return watchWhenLoaded(loading, token, sink);
    },
    subscribe: (token) => eventStream((sink) => watchWhenLoaded(loading, token, sink)),
    close: async () => {
      const tracker = await loading.catch(() => undefined);
      await tracker?.close();
    },
  };
}

/** Watches once the tracker has loaded; stopped before that, it never starts. */
function watchWhenLoaded(loading: Promise<SessionTracker>, token: string, sink: SessionEventSink): Watching {
  let watching: Watching | undefined;
  let stopped = false;
  loading.then(
    (tracker) => {
      if (!stopped) watching = tracker.watch(token, sink);
    },
    (error: unknown) => {
      if (!stopped) sink.end(error);
    },
  );
  return {
    stop() {
      stopped = true;
      watching?.stop();
    },
  };
}
