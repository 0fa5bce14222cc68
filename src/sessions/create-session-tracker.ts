import { deferTracker } from './deferred-tracker.ts';
import { createMemoryEventBus } from './event-bus.ts';
import { createMemoryScheduler } from './expiry-scheduler.ts';
import { createMemorySessionStore } from './memory-session-store.ts';
import { parseRedisTarget } from './redis-target.ts';
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
  /**
   * Unset: one instance, everything in memory. Set: pub/sub and schedule shared through Redis
   * (`redis://`, `redis+cluster://` or `redis+sentinel://`, see `redis-target.ts`).
   */
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
  const target = parseRedisTarget(config.redisUrl);
  const keyOf = createTokenKeyer(config.tokenHashKey);
  // Loaded only now: a gateway without Redis never loads ioredis or BullMQ.
  const tracker = import('./redis-session-tracker.ts').then(({ createRedisSessionTracker }) =>
    createRedisSessionTracker({
      target,
      keyPrefix: config.keyPrefix ?? DEFAULT_SESSION_KEY_PREFIX,
      keyOf,
      rules,
      onError,
    }),
  );
  tracker.catch(onError);
  return { ...deferTracker(keyOf, tracker), mode: 'redis' };
}
