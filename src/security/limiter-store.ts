import type { LimitRule } from './limit-rules.ts';
import { type RateLimiterAbstract, RateLimiterMemory } from './rate-limiter.ts';

/**
 * Where attempt counters live: in this process (RateLimiterMemory), or in Redis
 * (RateLimiterRedis) when `REDIS_URL` is set, so that the limits hold across gateway
 * instances. The Redis modules (ioredis included) are imported only then, so a gateway
 * without Redis never loads them.
 */
export interface LimiterStore {
  limiter(name: string, rule: LimitRule): Promise<RateLimiterAbstract>;
  close(): Promise<void>;
}

export interface LimiterStoreConfig {
  redisUrl?: string | undefined;
  /** Prefix of every key, shared with the session tracker's (`REDIS_KEY_PREFIX`). */
  keyPrefix: string;
  /** Redis connection errors (the limiters then count in memory, per instance). */
  onError?: (error: unknown) => void;
}

export function createLimiterStore(config: LimiterStoreConfig): LimiterStore {
  if (!config.redisUrl) {
    return {
      limiter: async (name, rule) =>
        new RateLimiterMemory({
          keyPrefix: `${config.keyPrefix}${name}`,
          points: rule.points,
          duration: rule.durationSeconds,
        }),
      close: async () => {},
    };
  }
  // Connects now (in the background), so the first attempts already count in Redis.
  const redis = openRedisStore(config.redisUrl, config);
  return {
    limiter: async (name, rule) => (await redis).limiter(name, rule),
    async close() {
      await (await redis).close();
    },
  };
}

async function openRedisStore(redisUrl: string, config: LimiterStoreConfig): Promise<LimiterStore> {
  const { createRedisLimiterStore } = await import('./redis-limiter-store.ts');
  return createRedisLimiterStore(redisUrl, config);
}
