import { RateLimitedError } from '../errors.ts';
import {
  type LimitedOperation,
  type LimitRule,
  type LimitsConfig,
  type OperationLimits,
  operationPolicies,
} from './limit-rules.ts';
import type { LimiterStore } from './limiter-store.ts';
import { type RateLimiterAbstract, RateLimiterRes } from './rate-limiter.ts';

/** Who attempts: the client address, and the account named, when the operation names one. */
export interface Attempter {
  address: string;
  /** A login, email or user id; compared lower-cased and trimmed. */
  identity?: string | null | undefined;
}

export interface AttemptLimits {
  /**
   * Runs `attempt` unless `who` is over a limit of `operation` (then throws RateLimitedError
   * with the wait), and counts it as the operation's policy says.
   */
  run<T>(operation: LimitedOperation, who: Attempter, attempt: () => Promise<T>): Promise<T>;
}

type Scope = keyof OperationLimits;

export function createAttemptLimits(config: LimitsConfig, store: LimiterStore): AttemptLimits {
  const limiters = new Map<string, Promise<RateLimiterAbstract>>();
  const limiterFor = (operation: LimitedOperation, scope: Scope, rule: LimitRule) => {
    const name = `rl:${operation}:${scope}:`;
    let limiter = limiters.get(name);
    if (!limiter) {
      limiter = store.limiter(name, rule);
      limiters.set(name, limiter);
    }
    return limiter;
  };

  /** The counters that apply to this attempt, each with its key. */
  const countersFor = async (operation: LimitedOperation, who: Attempter) => {
    const rules = config[operation];
    const identity = who.identity?.trim().toLowerCase();
    const counters: { scope: Scope; rule: LimitRule; key: string; limiter: RateLimiterAbstract }[] = [];
    if (rules.perAddress) {
      const limiter = await limiterFor(operation, 'perAddress', rules.perAddress);
      counters.push({ scope: 'perAddress', rule: rules.perAddress, key: who.address, limiter });
    }
    if (rules.perIdentity && identity) {
      const limiter = await limiterFor(operation, 'perIdentity', rules.perIdentity);
      // JSON keeps the pair unambiguous whatever characters the identity holds.
      counters.push({
        scope: 'perIdentity',
        rule: rules.perIdentity,
        key: JSON.stringify([identity, who.address]),
        limiter,
      });
    }
    return counters;
  };

  return {
    async run(operation, who, attempt) {
      const policy = operationPolicies[operation];
      const counters = await countersFor(operation, who);

      if (policy.counts === 'attempts') {
        const results = await Promise.allSettled(counters.map((c) => c.limiter.consume(c.key)));
        const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
        if (refused.length > 0) throw refusal(refused);
        return attempt();
      }

      const states = await Promise.all(counters.map((c) => c.limiter.get(c.key)));
      const over = states.filter(
        (state, i): state is RateLimiterRes =>
          !!state && state.consumedPoints >= (counters[i] as { rule: LimitRule }).rule.points,
      );
      if (over.length > 0) throw refusal(over);
      try {
        const result = await attempt();
        // A success ends the run of consecutive failures for this identity from this address.
        await Promise.all(counters.filter((c) => c.scope === 'perIdentity').map((c) => c.limiter.delete(c.key)));
        return result;
      } catch (error) {
        if (policy.isFailure?.(error)) {
          await Promise.all(
            counters.map((c) =>
              c.limiter.consume(c.key).catch((reason: unknown) => {
                if (!(reason instanceof RateLimiterRes)) throw reason;
              }),
            ),
          );
        }
        throw error;
      }
    },
  };
}

/** A RateLimitedError for the longest wait among the refusals; a store failure is rethrown. */
function refusal(reasons: unknown[]): Error {
  const waits: number[] = [];
  for (const reason of reasons) {
    if (!(reason instanceof RateLimiterRes)) return reason instanceof Error ? reason : new Error(String(reason));
    waits.push(reason.msBeforeNext);
  }
  return new RateLimitedError(Math.max(...waits) / 1000);
}
