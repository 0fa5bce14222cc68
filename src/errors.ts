import { GraphQLError } from 'graphql';

/**
 * The contract's error codes. Mutations return these as typed error objects (the errors
 * plugin catches the classes below); queries and transport failures carry them in
 * `errors[].extensions.code`, which is why every domain error is a GraphQLError: yoga lets
 * GraphQLErrors through and masks everything else.
 */
export const errorCodes = [
  'INVALID_CREDENTIALS',
  'VALIDATION_FAILED',
  'ALREADY_TAKEN',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'SESSION_EXPIRED',
  'RATE_LIMITED',
  'UPSTREAM_UNAVAILABLE',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface FieldError {
  field: string;
  messages: string[];
}

/**
 * Instances keep `name === 'GraphQLError'`: envelop's masking recognises GraphQLErrors by that
 * name, so a subclass that renamed itself would be masked as an unexpected error.
 */
export abstract class GatewayError extends GraphQLError {
  abstract readonly code: ErrorCode;
}

/** Builds a GatewayError subclass whose `extensions.code` is its code. */
function domainError<C extends ErrorCode>(code: C, name: string, defaultMessage: string) {
  const Class = class extends GatewayError {
    readonly code: C = code;
    constructor(message: string = defaultMessage, extensions: Record<string, unknown> = {}) {
      super(message, { extensions: { code, ...extensions } });
    }
  };
  Object.defineProperty(Class, 'name', { value: name });
  return Class;
}

export const InvalidCredentialsError = domainError(
  'INVALID_CREDENTIALS',
  'InvalidCredentialsError',
  'The login, email or password is wrong.',
);
export const NotFoundError = domainError('NOT_FOUND', 'NotFoundError', 'Not found.');
export const UnauthenticatedError = domainError(
  'UNAUTHENTICATED',
  'UnauthenticatedError',
  'This needs a session token: send "Authorization: Bearer <token>".',
);
export const ForbiddenError = domainError('FORBIDDEN', 'ForbiddenError', 'This session is not allowed to do that.');
export const SessionExpiredError = domainError(
  'SESSION_EXPIRED',
  'SessionExpiredError',
  'The session token has expired or does not exist: create a new session.',
);
export const UpstreamUnavailableError = domainError(
  'UPSTREAM_UNAVAILABLE',
  'UpstreamUnavailableError',
  'The users service is unavailable: try again later.',
);

/**
 * Input that the gateway or the upstream rejected. In a mutation payload it is
 * `ValidationError { code: VALIDATION_FAILED, fields }`; outside one (query arguments) it is a
 * GraphQL error with `extensions.code` BAD_USER_INPUT, the contract's code for queries.
 */
export class ValidationError extends GatewayError {
  readonly code = 'VALIDATION_FAILED' as const;
  readonly fields: FieldError[];
  constructor(message: string, fields: FieldError[] = []) {
    super(message, { extensions: { code: 'BAD_USER_INPUT', fields } });
    this.fields = fields;
  }
}

/** What a refusal without a known wait (an upstream 429 without `Retry-After`) tells callers to wait. */
export const DEFAULT_RETRY_AFTER_SECONDS = 60;

/**
 * Too many attempts. `retryAfterSeconds` (also in `extensions`) is how long the caller waits
 * before the same attempt can be answered; the HTTP layer turns it into `Retry-After`.
 */
export class RateLimitedError extends GatewayError {
  readonly code = 'RATE_LIMITED' as const;
  readonly retryAfterSeconds: number;
  constructor(
    retryAfterSeconds: number = DEFAULT_RETRY_AFTER_SECONDS,
    message = 'Too many attempts: try again later.',
    extensions: Record<string, unknown> = {},
  ) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(message, { extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds, ...extensions } });
    this.retryAfterSeconds = seconds;
  }
}

/** A login, email or other unique value already belongs to another user. */
export class AlreadyTakenError extends GatewayError {
  readonly code = 'ALREADY_TAKEN' as const;
  readonly fields: FieldError[];
  constructor(message: string, fields: FieldError[] = []) {
    super(message, { extensions: { code: 'ALREADY_TAKEN', fields } });
    this.fields = fields;
  }
}

export type InvalidCredentialsError = InstanceType<typeof InvalidCredentialsError>;
export type NotFoundError = InstanceType<typeof NotFoundError>;
export type UnauthenticatedError = InstanceType<typeof UnauthenticatedError>;
export type ForbiddenError = InstanceType<typeof ForbiddenError>;
export type SessionExpiredError = InstanceType<typeof SessionExpiredError>;
export type UpstreamUnavailableError = InstanceType<typeof UpstreamUnavailableError>;
