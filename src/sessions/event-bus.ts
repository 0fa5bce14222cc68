import type { SessionEvent } from './session-events.ts';

/** One listener on one token key's events. */
export interface Listening {
  /** Resolves once events published from now on are sure to reach the listener. */
  ready: Promise<void>;
  close(): void;
}

/**
 * What a bus tells of each event on its key: an object with a method rather than a function,
 * so that a watch is its own listener (a function would be one more closure per watch).
 */
export interface SessionEventListener {
  onSessionEvent(event: SessionEvent): void;
}

/**
 * Pub/sub per token key; the memory and Redis versions behave the same. Listeners are plain
 * callbacks on the event target, not iterators: an open subscription holds one of them, and
 * no queue or pending promise of its own.
 */
export interface SessionEventBus {
  publish(event: SessionEvent): Promise<void>;
  listen(tokenKey: string, listener: SessionEventListener): Listening;
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
  listener: SessionEventListener,
  ready: () => Promise<void>,
): Listening {
  const onEvent = (event: Event) => listener.onSessionEvent((event as CustomEvent<SessionEvent>).detail);
  target.addEventListener(type, onEvent);
  return { ready: ready(), close: () => target.removeEventListener(type, onEvent) };
}

/**
 * Single-instance bus: events stay in this process. Listeners sit in an array per token key
 * (an EventTarget would give each one a listener record and each event an Event object; a
 * Set would be a hash table for the one or two listeners a token has): a listener removed
 * while an event is dispatched is not called, and one that throws is reported as an uncaught
 * exception without stopping the others, as with an EventTarget. The arrays are replaced, never
 * changed, so each has its exact length and a dispatch reads the one it started with.
 */
export function createMemoryEventBus(): SessionEventBus {
  const listeners = new Map<string, readonly SessionEventListener[]>();
  return {
    async publish(event) {
      const current = listeners.get(event.tokenKey);
      if (!current) return;
      for (const listener of current) {
        if (!listeners.get(event.tokenKey)?.includes(listener)) continue;
        try {
          listener.onSessionEvent(event);
        } catch (error) {
          process.nextTick(() => {
            throw error;
          });
        }
      }
    },
    listen(tokenKey, listener) {
      const current = listeners.get(tokenKey);
      // The same listener twice is one listener, as with addEventListener.
      if (!current?.includes(listener))
        listeners.set(tokenKey, current ? current.toSpliced(current.length, 0, listener) : [listener]);
      return new MemoryListening(listeners, tokenKey, listener);
    },
    async close() {},
  };
}

const ready = Promise.resolve();

/** One listener of the memory bus: an object of its own, its methods shared. */
class MemoryListening implements Listening {
  readonly #listeners: Map<string, readonly SessionEventListener[]>;
  readonly #tokenKey: string;
  readonly #listener: SessionEventListener;

  constructor(
    listeners: Map<string, readonly SessionEventListener[]>,
    tokenKey: string,
    listener: SessionEventListener,
  ) {
    this.#listeners = listeners;
    this.#tokenKey = tokenKey;
    this.#listener = listener;
  }

  get ready(): Promise<void> {
    return ready;
  }

  close(): void {
    const current = this.#listeners.get(this.#tokenKey);
    const at = current?.indexOf(this.#listener) ?? -1;
    if (!current || at < 0) return;
    // toSpliced: an array of the exact length (spread and filter leave room for 16 more).
    const rest = current.toSpliced(at, 1);
    if (rest.length === 0) this.#listeners.delete(this.#tokenKey);
    else this.#listeners.set(this.#tokenKey, rest);
  }
}
