/**
 * Where the tracker keeps each token's expiry. Every method is one atomic step (a Lua script
 * in Redis), so instances racing on the same token can never emit an event twice.
 */
export interface SessionStore {
  observe(tokenKey: string, input: ObserveInput): Promise<ObserveOutcome>;
  get(tokenKey: string): Promise<StoredSession | undefined>;
  /** Run when a token's wake-up is due: decides which event, if any, is due now. */
  step(tokenKey: string, now: number): Promise<StepOutcome>;
  /** Forgets the token; returns the expiry it had, or undefined when it was not known. */
  end(tokenKey: string, options: { rememberDead: boolean }): Promise<number | undefined>;
  tokenKeysOfUser(userId: string): Promise<string[]>;
  /** The token behind an upstream session id, when the gateway saw it. */
  tokenKeyOfSession(sessionId: string): Promise<string | undefined>;
}

export interface ObserveInput {
  /** Epoch milliseconds. */
  expiresAt: number;
  now: number;
  userId?: string | undefined;
  sessionId?: string | undefined;
}

export interface StoredSession {
  /** Epoch milliseconds. */
  expiresAt: number;
  userId?: string;
}

/**
 * - `ignored`: the upstream already confirmed the token dead.
 * - `unchanged`: not later than what is stored (responses can arrive out of order).
 * - `created`: first sighting; a wake-up must be scheduled.
 * - `moved`: later expiry stored, EXTENDED throttled.
 * - `extended`: later expiry stored and EXTENDED is due.
 */
export type ObserveOutcome = 'ignored' | 'unchanged' | 'created' | 'moved' | 'extended';

export type StepOutcome =
  | { kind: 'gone' }
  | { kind: 'wait'; nextAt: number }
  | { kind: 'expiring'; expiresAt: number; nextAt: number }
  | { kind: 'expired'; expiresAt: number };

export interface SessionStoreRules {
  expiringLeadMs: number;
  extendedThrottleMs: number;
  /** A wake-up this close to its due time counts as due (timers and job delays are not exact). */
  dueToleranceMs: number;
  /** How long a token the upstream confirmed gone is ignored by `observe` (in-flight responses). */
  deadTokenMemoryMs: number;
  /** How long a Redis record outlives its expiry if no instance is around to expire it. */
  retainAfterExpiryMs: number;
}
