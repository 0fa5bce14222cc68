import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { connectRedis } from '../sessions/redis-connections.ts';
import { parseRedisTarget } from '../sessions/redis-target.ts';
import type { LimiterStore, LimiterStoreConfig } from './limiter-store.ts';

/**
 * Attempt counters in Redis, shared by every gateway instance on it. While Redis cannot be
 * reached, each limiter falls back to an in-memory one (rate-limiter-flexible's insurance
 * limiter), so limits still hold per instance and no request fails because of Redis.
 * Loaded only when `REDIS_URL` is set (see `limiter-store.ts`).
 */
export function createRedisLimiterStore(redisUrl: string, config: LimiterStoreConfig): LimiterStore {
  // While the connection is down a command fails after one reconnection attempt, and the
  // insurance limiter answers instead.
  // The same REDIS_URL forms as the session tracker (single, redis+cluster://, redis+sentinel://).
  const redis = connectRedis(parseRedisTarget(redisUrl), { maxRetriesPerRequest: 1 });
  redis.on('error', (error) => config.onError?.(error));
  return {
    async limiter(name, rule) {
      const options = { keyPrefix: `${config.keyPrefix}${name}`, points: rule.points, duration: rule.durationSeconds };
      return new RateLimiterRedis({
        ...options,
        storeClient: redis,
        insuranceLimiter: new RateLimiterMemory(options),
      });
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
