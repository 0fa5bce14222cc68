import {
  AlreadyTakenError,
  type FieldError,
  ForbiddenError,
  type GatewayError,
  InvalidCredentialsError,
  NotFoundError,
  RateLimitedError,
  SessionExpiredError,
  UnauthenticatedError,
  UpstreamUnavailableError,
  ValidationError,
} from '../errors.ts';

/** What a 401 or 404 means depends on the call; the caller says so. */
export interface UpstreamErrorContext {
  /** A 401 here means the credentials in the body were wrong (session creation, login). */
  credentials?: boolean;
  /** Name of the thing a 404 did not find ("User", "Session"). */
  resource?: string;
  sentToken?: boolean;
  /** The upstream's `Retry-After` (seconds) on a 429, when it sent one. */
  retryAfterSeconds?: number | undefined;
}

/** The exact message the upstream uses for an unknown or expired token. */
export const SESSION_MISSING = 'Required session does not exist';

/**
 * Maps an upstream error reply to the contract's codes. Upstream messages for fields are
 * passed on (they describe the caller's input); anything else gets the gateway's own words so
 * that no upstream detail reaches a client.
 */
export function upstreamError(status: number, body: unknown, context: UpstreamErrorContext = {}): GatewayError {
  const { base, fields } = readErrors(body);
  switch (status) {
    case 401:
      if (context.sentToken && base.some((m) => m.includes(SESSION_MISSING))) return new SessionExpiredError();
      if (context.credentials) return new InvalidCredentialsError();
      return context.sentToken ? new SessionExpiredError() : new UnauthenticatedError();
    case 403:
      return new ForbiddenError();
    case 404:
      return new NotFoundError(context.resource ? `${context.resource} not found.` : undefined);
    case 429:
      return new RateLimitedError(context.retryAfterSeconds);
    case 400:
    case 422: {
      if (context.credentials && fields.length === 0 && status === 422) {
        // A 422 on session creation without field errors is the upstream refusing the
        // credentials (unknown application, wrong auth key or signature).
        return new InvalidCredentialsError();
      }
      const taken = fields.filter((f) => f.messages.some((m) => /already been taken|already exists/i.test(m)));
      if (taken.length > 0 && taken.length === fields.length) {
        return new AlreadyTakenError(`Already taken: ${taken.map((f) => f.field).join(', ')}.`, taken);
      }
      const message = fields.length
        ? `Invalid input: ${fields.map((f) => `${f.field} ${f.messages.join(', ')}`).join('; ')}.`
        : (base[0] ?? 'The request was refused as invalid.');
      return new ValidationError(
        message,
        fields.length ? fields : base.length ? [{ field: 'base', messages: base }] : [],
      );
    }
    default:
      // The status is logged by the client; it never reaches a client.
      return new UpstreamUnavailableError();
  }
}

/**
 * `{"errors": {"base": ["msg"]}}`, `{"errors": {"login": ["has already been taken"]}}`, and
 * the bare `{"errors": ["msg"]}` some real endpoints answer with.
 */
function readErrors(body: unknown): { base: string[]; fields: FieldError[] } {
  const errors = (body as { errors?: unknown } | null)?.errors;
  const base: string[] = [];
  const fields: FieldError[] = [];
  if (Array.isArray(errors)) {
    base.push(...errors.map(String));
  } else if (errors && typeof errors === 'object') {
    for (const [key, value] of Object.entries(errors)) {
      const messages = (Array.isArray(value) ? value : [value]).map(String);
      if (key === 'base') base.push(...messages);
      else fields.push({ field: fieldName(key), messages });
    }
  }
  return { base, fields };
}

/** Upstream field names (`full_name`) as the schema spells them (`fullName`). */
const renamed: Record<string, string> = { tag_list: 'tags', user_tags: 'tags', old_password: 'oldPassword' };
export function fieldName(upstream: string): string {
  return renamed[upstream] ?? upstream.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
