import { createBullmqScheduler } from './bullmq-expiry-scheduler.ts';
import { connectRedis } from './redis-connections.ts';
import { createRedisEventBus } from './redis-event-bus.ts';
import { createRedisSessionStore } from './redis-session-store.ts';
import { clusterKeyPrefix, type RedisTarget } from './redis-target.ts';
import type { SessionStoreRules } from './session-store.ts';
import { assembleSessionTracker, type SessionTracker } from './session-tracker.ts';
import type { TokenKeyer } from './token-key.ts';

export interface RedisSessionTrackerOptions {
  target: RedisTarget;
  keyPrefix: string;
  keyOf: TokenKeyer;
  rules: SessionStoreRules;
  onError: (error: unknown) => void;
}

/**
 * The tracker shared through Redis (one node, Cluster or Sentinel): records and their Lua
 * steps, pub/sub per token, and BullMQ wake-ups. Loaded on demand by `create-session-tracker.ts`.
 *
 * Connections ride out a Redis restart: ioredis reconnects and re-subscribes by itself.
 * The subscriber and the worker queue their commands until Redis is back
 * (`maxRetriesPerRequest: null`) rather than failing them; plain commands fail after
 * ioredis' retries, and their callers treat that as a tracker failure (logged, never fatal).
 */
export function createRedisSessionTracker(options: RedisSessionTrackerOptions): SessionTracker {
  const { target, rules, onError } = options;
  const keyPrefix = target.kind === 'cluster' ? clusterKeyPrefix(options.keyPrefix) : options.keyPrefix;
  const commands = connectRedis(target);
  // No ready check (INFO) on the subscriber: after a restart SUBSCRIBE is allowed while Redis
  // still loads its data, and an INFO sent after it would be refused and fail the connection.
  const subscriber = connectRedis(target, { maxRetriesPerRequest: null, enableReadyCheck: false });
  const workerConnection = connectRedis(target, { maxRetriesPerRequest: null });
  const connections = [commands, subscriber, workerConnection];
  for (const connection of connections) connection.on('error', onError);

  return assembleSessionTracker({
    keyOf: options.keyOf,
    store: createRedisSessionStore({ redis: commands, keyPrefix, rules }),
    bus: createRedisEventBus({ publisher: commands, subscriber, keyPrefix, onError }),
    createScheduler: (onDue) =>
      createBullmqScheduler({ connection: commands, workerConnection, prefix: `${keyPrefix}bull`, onDue, onError }),
    expiringLeadMs: rules.expiringLeadMs,
    onClose: async () => {
      await Promise.all(connections.map((connection) => connection.quit().catch(() => connection.disconnect())));
    },
  });
}
