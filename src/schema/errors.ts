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

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  values: Object.fromEntries(errorCodes.map((code) => [code, { value: code }])) as Record<
    ErrorCode,
    { value: ErrorCode }
  >,
});

export const FieldErrorRef = builder.objectRef<FieldError>('FieldError').implement({
  description: 'What was wrong with one input field.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field, as the schema names it.' }),
    messages: t.exposeStringList('messages'),
  }),
});

export const ErrorInterface = builder.interfaceRef<GatewayError>('Error').implement({
  description: 'Every typed error a mutation can answer with.',
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.field({ type: ErrorCodeEnum, resolve: (err) => err.code }),
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
      fields: t.field({ type: [FieldErrorRef], resolve: (err) => err.fields }),
    }),
  });
}
