import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { listenOn, SESSION_EVENTS_TOPIC, type SessionEventBus, type SessionEventTarget } from './event-bus.ts';
import type { RedisConnection } from './redis-connections.ts';
import { fromWire, type SessionEventWire, toWire } from './session-events.ts';

export interface RedisEventBusOptions {
  /** Normal command connection; publishes go through it. */
  publisher: RedisConnection;
  /** Dedicated connection: once subscribed it can run nothing else. */
  subscriber: RedisConnection;
  keyPrefix: string;
  /** Failures of commands nobody awaits (see `guarded`). */
  onError: (error: unknown) => void;
}

/**
 * The event target sends SUBSCRIBE/UNSUBSCRIBE without keeping their promises. When Redis
 * restarts, ioredis may fail queued commands (a ready check refused on a connection already
 * subscribing, say); such a promise would become an unhandled rejection and end the process.
 * The target gets the same connection with those two commands' failures reported instead.
 */
function guarded(subscriber: RedisConnection, onError: (error: unknown) => void): RedisConnection {
  return new Proxy(subscriber, {
    get(target, property, receiver) {
      if (property === 'subscribe' || property === 'unsubscribe') {
        return (...channels: string[]) => target[property](...channels).catch(onError);
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Bus shared by every gateway instance: one Redis channel per token key. */
export function createRedisEventBus(options: RedisEventBusOptions): SessionEventBus {
  const { publisher, subscriber } = options;
  const topic = `${options.keyPrefix}${SESSION_EVENTS_TOPIC}`;
  // It subscribes to a channel for its first listener and unsubscribes after its last one.
  const eventTarget: SessionEventTarget = createRedisEventTarget({
    publishClient: publisher,
    subscribeClient: guarded(subscriber, options.onError),
    serializer: { stringify: JSON.stringify, parse: (text: string) => fromWire(JSON.parse(text) as SessionEventWire) },
  });
  return {
    async publish(event) {
      // Published directly rather than through the event target, which drops the command's
      // promise: a Redis failure must reach the caller, not become an unhandled rejection.
      await publisher.publish(`${topic}:${event.tokenKey}`, JSON.stringify(toWire(event)));
    },
    listen(tokenKey, listener) {
      const channel = `${topic}:${tokenKey}`;
      // The event target sends SUBSCRIBE without handing out its promise. Subscribing again
      // (idempotent) on the same connection answers after it: then the channel is live. A
      // PING would do on one node, but on Cluster it would go to another connection.
      return listenOn(eventTarget, channel, listener, async () => {
        await subscriber.subscribe(channel);
      });
    },
    async close() {},
  };
}
