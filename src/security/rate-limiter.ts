import { createRequire } from 'node:module';
import type * as RateLimiterFlexible from 'rate-limiter-flexible';

/**
 * The two parts of rate-limiter-flexible the attempt limits use without Redis, loaded on
 * their own: its index loads a limiter for every store it supports (Mongo, MySQL,
 * PostgreSQL, Prisma, DynamoDB, …: ≈ 1.2 MB of heap). The Redis store imports the package
 * itself, and gets these same classes (one module each). Types come from the package.
 */

const require = createRequire(import.meta.url);

export const RateLimiterMemory =
  require('rate-limiter-flexible/lib/RateLimiterMemory.js') as typeof RateLimiterFlexible.RateLimiterMemory;
export type RateLimiterMemory = RateLimiterFlexible.RateLimiterMemory;
export const RateLimiterRes =
  require('rate-limiter-flexible/lib/RateLimiterRes.js') as typeof RateLimiterFlexible.RateLimiterRes;
export type RateLimiterRes = RateLimiterFlexible.RateLimiterRes;
export type { RateLimiterAbstract } from 'rate-limiter-flexible';
