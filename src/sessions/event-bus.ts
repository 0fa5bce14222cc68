import { createPubSub, type PubSub } from 'graphql-yoga';
import type { SessionEvent } from './session-events.ts';

/** One subscriber's stream of events for one token key. */
export interface EventFeed {
  /** Resolves once events published from now on are sure to reach this feed. */
  ready: Promise<void>;
  next(): Promise<IteratorResult<SessionEvent>>;
  close(): Promise<void>;
}

/** Pub/sub per token key; the memory and Redis versions behave the same. */
export interface SessionEventBus {
  publish(event: SessionEvent): Promise<void>;
  subscribe(tokenKey: string): EventFeed;
  close(): Promise<void>;
}

export const SESSION_EVENTS_TOPIC = 'session-events';

/** Topic names carry the deployment's key prefix, hence string keys. */
export type SessionPubSub = PubSub<Record<string, [tokenKey: string, event: SessionEvent]>>;

/**
 * Starts listening at once (a Repeater only attaches its listener on the first `next()`),
 * so nothing published after `ready` can slip past.
 */
export function openFeed(
  pubsub: SessionPubSub,
  topic: string,
  tokenKey: string,
  ready: () => Promise<void>,
): EventFeed {
  const iterator = pubsub.subscribe(topic, tokenKey)[Symbol.asyncIterator]();
  let first: Promise<IteratorResult<SessionEvent>> | undefined = iterator.next();
  return {
    ready: ready(),
    next() {
      const pending = first ?? iterator.next();
      first = undefined;
      return pending;
    },
    async close() {
      await iterator.return?.();
    },
  };
}

/** Single-instance bus: events stay in this process. */
export function createMemoryEventBus(): SessionEventBus {
  const pubsub: SessionPubSub = createPubSub();
  return {
    async publish(event) {
      pubsub.publish(SESSION_EVENTS_TOPIC, event.tokenKey, event);
    },
    subscribe(tokenKey) {
      return openFeed(pubsub, SESSION_EVENTS_TOPIC, tokenKey, async () => {});
    },
    async close() {},
  };
}
