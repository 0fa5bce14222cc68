import type { Context } from '../context.ts';
import { RateLimitedError } from '../errors.ts';
import type { LimitedOperation } from './limit-rules.ts';
import { noteRetryAfter } from './use-retry-after.ts';

/**
 * What a resolver calls around a limited operation: the caller's address (and the identity
 * the input names, if any) against the operation's limits; a refusal is a RateLimitedError
 * (the mutation's payload) and sets `Retry-After` on the HTTP answer.
 */
export async function limited<T>(
  ctx: Context,
  operation: LimitedOperation,
  identity: string | null | undefined,
  attempt: () => Promise<T>,
): Promise<T> {
  try {
    return await ctx.deps.security.limits.run(operation, { address: ctx.clientAddress, identity }, attempt);
  } catch (error) {
    if (error instanceof RateLimitedError) ctx.deps.metrics.rateLimited(operation);
    noteRetryAfter(ctx, error);
    throw error;
  }
}
