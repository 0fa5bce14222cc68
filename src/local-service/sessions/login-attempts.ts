import { createHash } from 'node:crypto';
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
 * Counts failed logins per (login/email, client address) and per client address. The
 * identity counter is per address too, so one abusive address can block its own guesses
 * at an account but never lock the account for everyone else. The client address is the
 * socket's peer, or X-Forwarded-For's client from LOCAL_SERVICE_TRUSTED_PROXIES. On
 * PostgreSQL the counters live in the database so every instance sees them; the embedded
 * store is single-process.
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
  // Hashed: a key column holds 255 characters, and an email or a CIdP token can be long.
  const identityKey = (identity: string, address: string) =>
    `${createHash('sha256').update(identity.trim().toLowerCase()).digest('base64url')}|${address}`;

  return {
    async assertAllowed(identity: string, address: string): Promise<void> {
      const [forIdentity, forAddress] = await Promise.all([
        byIdentity.get(identityKey(identity, address)),
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
      await Promise.all([consume(byIdentity, identityKey(identity, address)), consume(byAddress, address)]);
    },

    async recordSuccess(identity: string, address: string): Promise<void> {
      await byIdentity.delete(identityKey(identity, address));
    },
  };
}

export type LoginAttemptLimiter = ReturnType<typeof loginAttemptLimiter>;
