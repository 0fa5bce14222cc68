import type pg from 'pg';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { tooManyRequests } from '../http/errors.ts';

export interface LoginAttemptSettings {
  failedLoginLimit: number;
  failedLoginWindowSeconds: number;
}

/**
 * Counts failed logins per login/email and per client address. On PostgreSQL the counters
 * live in the database so every instance sees them; the embedded store is single-process.
 */
export function loginAttemptLimiter(settings: LoginAttemptSettings, pool?: pg.Pool) {
  const make = (points: number, keyPrefix: string): RateLimiterAbstract => {
    const options = { points, duration: settings.failedLoginWindowSeconds, keyPrefix };
    return pool
      ? new RateLimiterPostgres({
          ...options,
          storeClient: pool,
          storeType: 'pool',
          tableName: 'login_rate_limits',
          tableCreated: true,
        })
      : new RateLimiterMemory(options);
  };
  const byIdentity = make(settings.failedLoginLimit, 'login');
  // An address may mistype several accounts; it is only cut off well after any one login.
  const byAddress = make(settings.failedLoginLimit * 4, 'address');
  const identityKey = (identity: string) => identity.trim().toLowerCase();

  return {
    async assertAllowed(identity: string, address: string): Promise<void> {
      const [forIdentity, forAddress] = await Promise.all([
        byIdentity.get(identityKey(identity)),
        byAddress.get(address),
      ]);
      const blocked = [
        [forIdentity, settings.failedLoginLimit],
        [forAddress, settings.failedLoginLimit * 4],
      ] as const;
      if (blocked.some(([res, limit]) => res && res.consumedPoints >= limit)) throw tooManyRequests();
    },

    async recordFailure(identity: string, address: string): Promise<void> {
      const consume = (limiter: RateLimiterAbstract, key: string) =>
        limiter.consume(key).catch((error: unknown) => {
          if (!(error instanceof RateLimiterRes)) throw error;
        });
      await Promise.all([consume(byIdentity, identityKey(identity)), consume(byAddress, address)]);
    },

    async recordSuccess(identity: string): Promise<void> {
      await byIdentity.delete(identityKey(identity));
    },
  };
}

export type LoginAttemptLimiter = ReturnType<typeof loginAttemptLimiter>;
