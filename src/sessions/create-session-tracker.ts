import { Redis } from 'ioredis';
import { createBullmqScheduler } from './bullmq-expiry-scheduler.ts';
import { createMemoryEventBus } from './event-bus.ts';
import { createMemoryScheduler } from './expiry-scheduler.ts';
import { createMemorySessionStore } from './memory-session-store.ts';
import { createRedisEventBus } from './redis-event-bus.ts';
import { createRedisSessionStore } from './redis-session-store.ts';
import type { SessionStoreRules } from './session-store.ts';
import { assembleSessionTracker, type SessionTracker } from './session-tracker.ts';
import { createTokenKeyer, MIN_TOKEN_HASH_KEY_LENGTH, randomTokenHashKey } from './token-key.ts';

export const DEFAULT_EXPIRING_LEAD_SECONDS = 300;
export const DEFAULT_EXTENDED_THROTTLE_SECONDS = 60;
export const DEFAULT_SESSION_KEY_PREFIX = 'cube-gateway:';
const DUE_TOLERANCE_MS = 25;
const DEAD_TOKEN_MEMORY_MS = 60_000;
const RETAIN_AFTER_EXPIRY_MS = 10 * 60_000;

export interface SessionTrackerConfig {
  /** Unset: one instance, everything in memory. Set: pub/sub and schedule shared through Redis. */
  redisUrl?: string | undefined;
  expiringLeadSeconds: number;
  /** EXTENDED goes out at most once per this many seconds per token. */
  extendedThrottleSeconds: number;
  /** Secret shared by all instances for hashing tokens; required with Redis. */
  tokenHashKey?: string | undefined;
  /** Prefix of every Redis key and channel, so deployments (and tests) can share a Redis. */
  keyPrefix?: string | undefined;
  /** Failures no caller awaits (background wake-ups, Redis connection errors). */
  onError?: ((error: unknown) => void) | undefined;
}

export interface SessionTrackerHandle extends SessionTracker {
  mode: 'memory' | 'redis';
}

export function createSessionTracker(config: SessionTrackerConfig): SessionTrackerHandle {
  const onError = config.onError ?? (() => {});
  const rules: SessionStoreRules = {
    expiringLeadMs: config.expiringLeadSeconds * 1000,
    extendedThrottleMs: config.extendedThrottleSeconds * 1000,
    dueToleranceMs: DUE_TOLERANCE_MS,
    deadTokenMemoryMs: DEAD_TOKEN_MEMORY_MS,
    retainAfterExpiryMs: RETAIN_AFTER_EXPIRY_MS,
  };

  if (!config.redisUrl) {
    const tracker = assembleSessionTracker({
      keyOf: createTokenKeyer(config.tokenHashKey ?? randomTokenHashKey()),
      store: createMemorySessionStore(rules),
      bus: createMemoryEventBus(),
      createScheduler: (onDue) => createMemoryScheduler(onDue, onError),
      expiringLeadMs: rules.expiringLeadMs,
    });
    return { ...tracker, mode: 'memory' };
  }

  if (!config.tokenHashKey || config.tokenHashKey.length < MIN_TOKEN_HASH_KEY_LENGTH) {
    throw new Error(`With Redis the session tracker needs a tokenHashKey of ${MIN_TOKEN_HASH_KEY_LENGTH}+ characters`);
  }
  const keyPrefix = config.keyPrefix ?? DEFAULT_SESSION_KEY_PREFIX;
  const commands = new Redis(config.redisUrl);
  const subscriber = new Redis(config.redisUrl);
  const workerConnection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const connections = [commands, subscriber, workerConnection];
  for (const connection of connections) connection.on('error', onError);

  const tracker = assembleSessionTracker({
    keyOf: createTokenKeyer(config.tokenHashKey),
    store: createRedisSessionStore({ redis: commands, keyPrefix, rules }),
    bus: createRedisEventBus({ publisher: commands, subscriber, keyPrefix }),
    createScheduler: (onDue) =>
      createBullmqScheduler({ connection: commands, workerConnection, prefix: `${keyPrefix}bull`, onDue, onError }),
    expiringLeadMs: rules.expiringLeadMs,
    onClose: async () => {
      await Promise.all(connections.map((connection) => connection.quit().catch(() => connection.disconnect())));
    },
  });
  return { ...tracker, mode: 'redis' };
}
