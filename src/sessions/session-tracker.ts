import type { Listening, SessionEventBus, SessionEventListener } from './event-bus.ts';
import { eventStream } from './event-stream.ts';
import type { ExpiryScheduler, WakeUpHandler } from './expiry-scheduler.ts';
import { isTerminal, type SessionEvent, type SessionEventType } from './session-events.ts';
import type { SessionStore } from './session-store.ts';
import type { TokenKeyer } from './token-key.ts';

export type UserId = string | number;

/** Who the token belongs to, when the caller knows (session creation, GET /session). */
export interface SessionIdentity {
  userId?: UserId | undefined;
  /** The upstream session id (`Session.databaseId`), for `destroySession(id)`. */
  sessionId?: string | number | undefined;
}

export interface SessionEventSink {
  event(event: SessionEvent): void;
  /** No more events: after a terminal one, on `close`, or with the error that stopped the watch. */
  end(error?: unknown): void;
}

/** A watch in progress: `stop` ends it, after which its sink hears nothing more. */
export interface Watching {
  stop(): void;
}

export interface SessionTracker {
  /** The token's hash as stored and published; what `SessionEvent.tokenKey` holds. */
  tokenKey(token: string): string;
  /** An upstream response (or a created session) announced the token's expiry. */
  observe(token: string, expiresAt: Date, identity?: SessionIdentity): Promise<void>;
  /** The upstream answered 401 `Required session does not exist`. */
  expired(token: string): Promise<void>;
  /** `logout`: the token lives on as an application session, but this session is over. */
  loggedOut(token: string): Promise<void>;
  destroyed(token: string): Promise<void>;
  /** `destroySession(id)` of another session: DESTROYED for its token, if the gateway saw it. */
  destroyedSession(sessionId: string | number): Promise<boolean>;
  /** `destroyOtherSessions`: DESTROYED for every other token of the user this gateway knows. */
  destroyOthers(userId: UserId, exceptToken: string): Promise<number>;
  /** `deleteMe`: DESTROYED for every token of the user this gateway knows. */
  destroyAllOf(userId: UserId): Promise<number>;
  /** From what the gateway saw; never asks the upstream, which would extend the session. */
  currentState(token: string): Promise<{ expiresAt: Date } | undefined>;
  /**
   * First the current state (EXTENDED, or EXPIRING inside the lead time), then the token's
   * events; ends after a terminal one. An unknown or expired token gets EXPIRED and the end.
   */
  subscribe(token: string): AsyncIterableIterator<SessionEvent>;
  /**
   * The same events as `subscribe`, to callbacks: no iterator, queue or pending promise per
   * watch (a WebSocket connection watches its token all its life). Returns the watch, to stop
   * it with.
   */
  watch(token: string, sink: SessionEventSink): Watching;
  close(): Promise<void>;
}

export interface SessionTrackerParts {
  keyOf: TokenKeyer;
  store: SessionStore;
  bus: SessionEventBus;
  createScheduler: (onDue: WakeUpHandler) => ExpiryScheduler;
  expiringLeadMs: number;
  /** Extra clean-up (connections) run after everything else on close. */
  onClose?: () => Promise<void>;
}

export function assembleSessionTracker(parts: SessionTrackerParts): SessionTracker {
  const { keyOf, store, bus, expiringLeadMs } = parts;
  /** Each open watch, to be ended (its sink told) on close. */
  const liveWatches = new Set<Watch>();

  const publish = (type: SessionEventType, tokenKey: string, expiresAt: number | null) =>
    bus.publish(eventOf(type, tokenKey, expiresAt));

  const scheduler = parts.createScheduler(async (tokenKey) => {
    const outcome = await store.step(tokenKey, Date.now());
    switch (outcome.kind) {
      case 'wait':
        return outcome.nextAt;
      case 'expiring':
        await publish('EXPIRING', tokenKey, outcome.expiresAt);
        return outcome.nextAt;
      case 'expired':
        await publish('EXPIRED', tokenKey, outcome.expiresAt);
        return null;
      case 'gone':
        return null;
    }
  });

  /** Publishes only if this call ended a known token, so racing causes emit once. */
  async function end(tokenKey: string, type: SessionEventType, rememberDead: boolean): Promise<boolean> {
    const expiresAt = await store.end(tokenKey, { rememberDead });
    await scheduler.cancel(tokenKey);
    if (expiresAt === undefined) return false;
    await publish(type, tokenKey, type === 'EXPIRED' ? expiresAt : null);
    return true;
  }

  async function destroyUserTokens(userId: UserId, exceptKey: string | undefined): Promise<number> {
    const tokenKeys = await store.tokenKeysOfUser(String(userId));
    const ended = await Promise.all(
      tokenKeys.filter((key) => key !== exceptKey).map((key) => end(key, 'DESTROYED', true)),
    );
    return ended.filter(Boolean).length;
  }

  function watch(token: string, sink: SessionEventSink): Watching {
    const watching = new Watch(keyOf(token), sink, liveWatches);
    watching.listen(bus);
    void watching.start(store, expiringLeadMs).catch((error: unknown) => watching.finish(error));
    return watching;
  }

  return {
    tokenKey: keyOf,

    async observe(token, expiresAt, identity = {}) {
      const tokenKey = keyOf(token);
      const at = expiresAt.getTime();
      const outcome = await store.observe(tokenKey, {
        expiresAt: at,
        now: Date.now(),
        userId: identity.userId === undefined ? undefined : String(identity.userId),
        sessionId: identity.sessionId === undefined ? undefined : String(identity.sessionId),
      });
      if (outcome === 'created') await scheduler.ensure(tokenKey, at - expiringLeadMs);
      else if (outcome === 'extended') await publish('EXTENDED', tokenKey, at);
    },

    async expired(token) {
      await end(keyOf(token), 'EXPIRED', true);
    },

    async loggedOut(token) {
      await end(keyOf(token), 'LOGGED_OUT', false);
    },

    async destroyed(token) {
      await end(keyOf(token), 'DESTROYED', true);
    },

    async destroyedSession(sessionId) {
      const tokenKey = await store.tokenKeyOfSession(String(sessionId));
      return tokenKey === undefined ? false : end(tokenKey, 'DESTROYED', true);
    },

    destroyOthers: (userId, exceptToken) => destroyUserTokens(userId, keyOf(exceptToken)),

    destroyAllOf: (userId) => destroyUserTokens(userId, undefined),

    async currentState(token) {
      const stored = await store.get(keyOf(token));
      if (!stored || stored.expiresAt <= Date.now()) return undefined;
      return { expiresAt: new Date(stored.expiresAt) };
    },

    watch,

    subscribe: (token) => eventStream((sink) => watch(token, sink)),

    async close() {
      for (const watching of liveWatches) watching.finish();
      await scheduler.close();
      await bus.close();
      await parts.onClose?.();
    },
  };
}

/**
 * One watch of a token: a class rather than closures, as a WebSocket connection and each of
 * its subscriptions hold one for as long as they are open. It is its own bus listener and
 * the handle its watcher stops it with: methods, no bound or arrow function per watch.
 */
class Watch implements SessionEventListener, Watching {
  readonly #tokenKey: string;
  readonly #sink: SessionEventSink;
  readonly #live: Set<Watch>;
  #listening: Listening | undefined;
  /** What the sink was last told (type and epoch-ms expiry, 0 without); unset until the present state went out. */
  #toldType: SessionEventType | undefined;
  #toldExpiresAt = 0;
  /** Events published before the present state was read: given after it, then no longer kept. */
  #early: SessionEvent[] | undefined = [];
  #ended = false;

  constructor(tokenKey: string, sink: SessionEventSink, live: Set<Watch>) {
    this.#tokenKey = tokenKey;
    this.#sink = sink;
    this.#live = live;
    live.add(this);
  }

  listen(bus: SessionEventBus): void {
    this.#listening = bus.listen(this.#tokenKey, this);
  }

  onSessionEvent(event: SessionEvent): void {
    if (this.#early) this.#early.push(event);
    else this.#deliver(event);
  }

  async start(store: SessionStore, expiringLeadMs: number): Promise<void> {
    await this.#listening?.ready;
    const tokenKey = this.#tokenKey;
    const stored = await store.get(tokenKey);
    if (this.#ended) return;
    const now = Date.now();
    const waiting = this.#early ?? [];
    this.#early = undefined;
    if (!stored || stored.expiresAt <= now) {
      this.#deliver(eventOf('EXPIRED', tokenKey, stored?.expiresAt ?? null));
      return;
    }
    const initialType = now >= stored.expiresAt - expiringLeadMs ? 'EXPIRING' : 'EXTENDED';
    this.#deliver(eventOf(initialType, tokenKey, stored.expiresAt));
    for (const event of waiting) this.#deliver(event);
  }

  /** Stops watching; false when it had already stopped. */
  stop(): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    this.#early = undefined;
    this.#listening?.close();
    this.#listening = undefined;
    this.#live.delete(this);
    return true;
  }

  finish(error?: unknown): void {
    if (this.stop()) this.#sink.end(error);
  }

  #deliver(event: SessionEvent): void {
    if (this.#ended) return;
    const expiresAt = event.expiresAt?.getTime() ?? 0;
    // Published between listening and reading the state: already told, or outdated.
    if (
      this.#toldType &&
      !isTerminal(event.type) &&
      isStale(event.type, expiresAt, this.#toldType, this.#toldExpiresAt)
    )
      return;
    this.#toldType = event.type;
    this.#toldExpiresAt = expiresAt;
    this.#sink.event(event);
    if (isTerminal(event.type)) this.finish();
  }
}

function eventOf(type: SessionEventType, tokenKey: string, expiresAt: number | null): SessionEvent {
  return { type, tokenKey, expiresAt: expiresAt === null ? null : new Date(expiresAt), at: new Date() };
}

/** An event older than, or the same as, the last one told (expiries in epoch ms, 0 without). */
function isStale(
  type: SessionEventType,
  expiresAt: number,
  toldType: SessionEventType,
  toldExpiresAt: number,
): boolean {
  return expiresAt < toldExpiresAt || (expiresAt === toldExpiresAt && type === toldType);
}
