import { InvalidCredentialsError, ValidationError } from '../errors.ts';

/**
 * The gateway's own attempt limits (issue 8): which operations are limited, how attempts are
 * counted, and the defaults. Each rule is a setting (`RATE_LIMIT_<OPERATION>_PER_ADDRESS`,
 * `..._PER_IDENTITY`, value `<points>/<seconds>` or `off`), read by `src/config.ts`.
 *
 * Two counters per operation, after rate-limiter-flexible's "login endpoint protection":
 * one per client address, and one per (identity, client address) pair. No counter is keyed by
 * the identity alone, so one abusive address never blocks another address's attempts, even
 * for the same account.
 */

export type LimitedOperation =
  | 'login'
  | 'loginWithProvider'
  | 'signUp'
  | 'resetPassword'
  | 'createSession'
  | 'loginAsGuest'
  | 'oldPassword';

/** At most `points` counted attempts per `durationSeconds`; null means no limit. */
export interface LimitRule {
  points: number;
  durationSeconds: number;
}

export interface OperationLimits {
  perAddress: LimitRule | null;
  /** Keyed by (identity lower-cased, address); only for operations that name an identity. */
  perIdentity: LimitRule | null;
}

export type LimitsConfig = Record<LimitedOperation, OperationLimits>;

interface OperationPolicy {
  /** The setting name's middle part: `RATE_LIMIT_<setting>_PER_ADDRESS`. */
  setting: string;
  /**
   * `attempts`: every attempt counts, refused once over the limit. `failures`: only failed
   * attempts count (a success resets the identity's counter), refused once the failures reach
   * the limit.
   */
  counts: 'attempts' | 'failures';
  /** For `failures`: which errors are failed attempts. */
  isFailure?: (error: unknown) => boolean;
  defaults: OperationLimits;
}

const rule = (points: number, durationSeconds: number): LimitRule => ({ points, durationSeconds });
const HOUR = 3600;
const DAY = 86_400;

export const operationPolicies: Record<LimitedOperation, OperationPolicy> = {
  login: {
    setting: 'LOGIN',
    counts: 'failures',
    isFailure: (error) => error instanceof InvalidCredentialsError,
    // Five wrong passwords in a row for one login from one address: a wait of up to 15 minutes
    // (the local users service's own limit; a stricter gateway keeps guesses off the upstream).
    defaults: { perAddress: rule(100, DAY), perIdentity: rule(5, 900) },
  },
  loginWithProvider: {
    setting: 'LOGIN_WITH_PROVIDER',
    counts: 'failures',
    isFailure: (error) => error instanceof InvalidCredentialsError,
    defaults: { perAddress: rule(30, HOUR), perIdentity: null },
  },
  signUp: {
    setting: 'SIGN_UP',
    counts: 'attempts',
    defaults: { perAddress: rule(30, HOUR), perIdentity: rule(10, HOUR) },
  },
  resetPassword: {
    setting: 'RESET_PASSWORD',
    counts: 'attempts',
    defaults: { perAddress: rule(20, HOUR), perIdentity: rule(5, HOUR) },
  },
  createSession: {
    setting: 'CREATE_SESSION',
    counts: 'attempts',
    defaults: { perAddress: rule(60, 60), perIdentity: null },
  },
  loginAsGuest: {
    setting: 'LOGIN_AS_GUEST',
    counts: 'attempts',
    defaults: { perAddress: rule(30, HOUR), perIdentity: null },
  },
  oldPassword: {
    setting: 'OLD_PASSWORD',
    counts: 'failures',
    // The upstream's refusal of a wrong `oldPassword` names that field.
    isFailure: (error) => error instanceof ValidationError && error.fields.some((f) => f.field === 'oldPassword'),
    defaults: { perAddress: rule(100, DAY), perIdentity: rule(5, 900) },
  },
};

export const limitedOperations = Object.keys(operationPolicies) as LimitedOperation[];

/** `RATE_LIMIT_LOGIN_PER_IDENTITY` and friends, for each operation that has the counter. */
export function limitSettingName(operation: LimitedOperation, scope: keyof OperationLimits): string {
  return `RATE_LIMIT_${operationPolicies[operation].setting}_${scope === 'perAddress' ? 'PER_ADDRESS' : 'PER_IDENTITY'}`;
}

/** `10/900` → 10 points per 900 seconds; `off` → no limit. Anything else: undefined. */
export function parseLimitRule(value: string): LimitRule | null | undefined {
  if (value.trim().toLowerCase() === 'off') return null;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!m) return undefined;
  const points = Number(m[1]);
  const durationSeconds = Number(m[2]);
  return points > 0 && durationSeconds > 0 ? { points, durationSeconds } : undefined;
}

export function defaultLimits(): LimitsConfig {
  return Object.fromEntries(
    limitedOperations.map((operation) => [operation, { ...operationPolicies[operation].defaults }]),
  ) as LimitsConfig;
}
