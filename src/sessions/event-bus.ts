import type { SessionEvent } from './session-events.ts';

/** One listener on one token key's events. */
export interface Listening {
  /** Resolves once events published from now on are sure to reach the listener. */
  ready: Promise<void>;
  close(): void;
}

/**
 * Pub/sub per token key; the memory and Redis versions behave the same. Listeners are plain
 * callbacks on the event target, not iterators: an open subscription holds one of them, and
 * no queue or pending promise of its own.
 */
export interface SessionEventBus {
  publish(event: SessionEvent): Promise<void>;
  listen(tokenKey: string, listener: (event: SessionEvent) => void): Listening;
  close(): Promise<void>;
}

export const SESSION_EVENTS_TOPIC = 'session-events';

/** The part of an event target a bus uses: Node's `EventTarget` and the Redis one alike. */
export interface SessionEventTarget {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/** Adds `listener` for `type` (the events' `detail` is the session event), then asks `ready`. */
export function listenOn(
  target: SessionEventTarget,
  type: string,
  listener: (event: SessionEvent) => void,
  ready: () => Promise<void>,
): Listening {
  const onEvent = (event: Event) => listener((event as CustomEvent<SessionEvent>).detail);
  target.addEventListener(type, onEvent);
  return { ready: ready(), close: () => target.removeEventListener(type, onEvent) };
}

/** Single-instance bus: events stay in this process. */
export function createMemoryEventBus(): SessionEventBus {
  const target = new EventTarget();
  const ready = () => Promise.resolve();
  return {
    async publish(event) {
      target.dispatchEvent(new CustomEvent(event.tokenKey, { detail: event }));
    },
    listen: (tokenKey, listener) => listenOn(target, tokenKey, listener, ready),
    async close() {},
  };
}
