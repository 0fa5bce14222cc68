import {
  AlreadyTakenError,
  type ErrorCode,
  errorCodes,
  type FieldError,
  type GatewayError,
  InvalidCredentialsError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from '../errors.ts';
import { builder } from './builder.ts';

/**
 * `interface Error { message, code }` and one object type per domain error a mutation can
 * answer. UNAUTHENTICATED, FORBIDDEN, SESSION_EXPIRED and UPSTREAM_UNAVAILABLE have no object
 * type: they are always top-level GraphQL errors with `extensions.code`.
 */

/** What each code means; a code added to `errorCodes` without a line here fails the type check. */
const errorCodeDescriptions: Record<ErrorCode, string> = {
  ALREADY_TAKEN: 'A unique value (login, email, ...) already belongs to another user.',
  FORBIDDEN: 'The session may not do this, e.g. an application session writing: log in as a user.',
  INVALID_CREDENTIALS: 'The login, email, password or provider token was not accepted.',
  NOT_FOUND: 'What the input names does not exist.',
  RATE_LIMITED: 'Too many attempts: wait `retryAfterSeconds` before trying again.',
  SESSION_EXPIRED: 'The session token has expired or was destroyed: create a new session.',
  UNAUTHENTICATED: 'The call needs a session token and none was sent.',
  UPSTREAM_UNAVAILABLE: 'The users service did not answer in time or failed: try again later.',
  VALIDATION_FAILED: 'An input field was refused; `fields` says which and why.',
};

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description: 'Machine-readable kind of an error, in typed errors and in `errors[].extensions.code`.',
  values: Object.fromEntries(
    errorCodes.map((code) => [code, { value: code, description: errorCodeDescriptions[code] }]),
  ) as Record<ErrorCode, { value: ErrorCode; description: string }>,
});

export const FieldErrorRef = builder.objectRef<FieldError>('FieldError').implement({
  description: 'What was wrong with one input field.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field, as the schema names it.' }),
    messages: t.exposeStringList('messages', { description: 'What is wrong with it, one sentence each.' }),
  }),
});

export const ErrorInterface = builder.interfaceRef<GatewayError>('Error').implement({
  description: 'Every typed error a mutation can answer with.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, in a sentence a person can read.' }),
    code: t.field({ type: ErrorCodeEnum, description: 'What went wrong, for code.', resolve: (err) => err.code }),
  }),
});

const plainErrors = [
  [InvalidCredentialsError, 'The login, email, password or provider token was not accepted.'],
  [NotFoundError, 'What the input names does not exist.'],
] as const;

for (const [ErrorClass, description] of plainErrors) {
  builder.objectType(ErrorClass, {
    name: ErrorClass.name,
    description,
    interfaces: [ErrorInterface],
    isTypeOf: (value) => value instanceof ErrorClass,
    fields: () => ({}),
  });
}

builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  description: 'Too many attempts from this client address (or for this account from it); try again later.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof RateLimitedError,
  fields: (t) => ({
    retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
      description: 'Seconds to wait before the same attempt can be answered (also sent as `Retry-After`).',
    }),
  }),
});

for (const [ErrorClass, description] of [
  [ValidationError, 'The input was refused; `fields` says what is wrong with each field.'],
  [AlreadyTakenError, 'A unique value (login, email, ...) already belongs to another user.'],
] as const) {
  builder.objectType(ErrorClass, {
    name: ErrorClass.name,
    description,
    interfaces: [ErrorInterface],
    isTypeOf: (value) => value instanceof ErrorClass,
    fields: (t) => ({
      fields: t.field({
        type: [FieldErrorRef],
        description: 'Each input field that was refused, with the reasons.',
        resolve: (err) => err.fields,
      }),
    }),
  });
}
