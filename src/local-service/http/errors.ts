/** The upstream's error body: `{"errors": {"base": [...]}}` or per-field messages. */
export type ErrorFields = Record<string, string[]>;

export class ApiError extends Error {
  readonly status: number;
  readonly errors: ErrorFields;

  constructor(status: number, errors: ErrorFields) {
    super(Object.values(errors).flat().join('; '));
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors;
  }
}

const base = (status: number, message: string) => new ApiError(status, { base: [message] });

// Messages follow the real service where SDKs match on them (see upstream-api.md).
export const TOKEN_REQUIRED = 'Token is required';
export const SESSION_DOES_NOT_EXIST = 'Required session does not exist';

export const badRequest = (message: string) => base(400, message);
export const unauthorized = (message = 'Unauthorized') => base(401, message);
export const forbidden = (message = 'Forbidden. Need user.') => base(403, message);
export const notFound = (message = 'Entity you are looking for was not found.') => base(404, message);
export const unprocessable = (fields: ErrorFields) => new ApiError(422, fields);
export const tooManyRequests = (message = 'Too many requests. Try again later.') => base(429, message);
