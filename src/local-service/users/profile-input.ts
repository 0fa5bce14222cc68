import { z } from 'zod';
import type { ErrorFields } from '../http/errors.ts';
import type { Params } from '../http/request-params.ts';

/**
 * The `user` object of sign-up and profile update, checked field by field. Messages follow
 * Rails' wording, as the upstream's do. Where upstream-api.md is silent:
 * - login: 3-50 characters, letters, digits and `. _ - @ +` (e-mail-like logins work), and
 *   the `guest_login_` prefix is reserved for guest users;
 * - password: 8-128 characters (the cap bounds hashing work per request);
 * - an empty string clears an optional field; unknown keys are ignored (Rails strong params).
 * From ConnectyCube's users page:
 * - `website` without a scheme is stored with `http://` (the update example sends
 *   `pavalli.com.au` and answers `http://pavalli.com.au`); only http(s) URLs are kept;
 * - `blob_id` (deprecated, "ID of associated blob", and in the JS SDK's user types) is a
 *   positive integer, stored and returned as given.
 */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
const LOGIN_MIN = 3;
const LOGIN_MAX = 50;
const LOGIN_CHARACTERS = /^[\p{L}\p{N}._@+-]+$/u;
export const GUEST_LOGIN_PREFIX = 'guest_login_';
const MAX_TAGS = 100;
const TAG_MAX = 100;
const CUSTOM_DATA_MAX = 65_536;
// Real-world UTC offsets run from -12:00 to +14:00.
const TIMEZONE_MIN = -720;
const TIMEZONE_MAX = 840;

const tooShort = (n: number) => `is too short (minimum is ${n} characters)`;
const tooLong = (n: number) => `is too long (maximum is ${n} characters)`;

const text = (max: number) => z.string({ error: 'is invalid' }).max(max, tooLong(max));

export const passwordSchema = z
  .string({ error: 'is invalid' })
  .min(PASSWORD_MIN, tooShort(PASSWORD_MIN))
  .max(PASSWORD_MAX, tooLong(PASSWORD_MAX));

const loginSchema = z
  .string({ error: 'is invalid' })
  .min(LOGIN_MIN, tooShort(LOGIN_MIN))
  .max(LOGIN_MAX, tooLong(LOGIN_MAX))
  .regex(LOGIN_CHARACTERS, 'is invalid')
  .refine((login) => !login.toLowerCase().startsWith(GUEST_LOGIN_PREFIX), 'is reserved');

const websiteSchema = text(255).refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'is invalid');

const integer = (min: number, max: number, message: string) =>
  z.coerce.number({ error: 'is not a number' }).int('must be an integer').min(min, message).max(max, message);

const tagsSchema = z
  .array(z.string().max(TAG_MAX, `has a tag longer than ${TAG_MAX} characters`), { error: 'is invalid' })
  .max(MAX_TAGS, `has more than ${MAX_TAGS} tags`);

// Each field may be null (cleared); absent fields are left alone.
const profileSchema = z
  .object({
    login: loginSchema.nullable(),
    email: z.email('is invalid').max(255, tooLong(255)).nullable(),
    password: passwordSchema,
    old_password: z.string({ error: 'is invalid' }),
    full_name: text(200).nullable(),
    phone: text(50).nullable(),
    website: websiteSchema.nullable(),
    external_user_id: integer(0, 2_147_483_647, 'is out of range').nullable(),
    external_id: text(255).nullable(),
    facebook_id: text(255).nullable(),
    twitter_id: text(255).nullable(),
    custom_data: text(CUSTOM_DATA_MAX).nullable(),
    tag_list: tagsSchema,
    timezone: integer(TIMEZONE_MIN, TIMEZONE_MAX, `must be between ${TIMEZONE_MIN} and ${TIMEZONE_MAX}`).nullable(),
    avatar: text(255).nullable(),
    blob_id: integer(1, 2_147_483_647, 'is out of range').nullable(),
  })
  .partial();

export type ProfileInput = z.infer<typeof profileSchema>;

/** Columns a profile write may set, named as in the store (tags are `user_tags` there). */
export type ProfileChanges = Omit<ProfileInput, 'password' | 'old_password' | 'tag_list'> & { user_tags?: string[] };

const STRING_FIELDS = new Set([
  'login',
  'email',
  'full_name',
  'phone',
  'website',
  'external_id',
  'facebook_id',
  'twitter_id',
  'avatar',
]);

const HAS_SCHEME = /^[a-z][a-z\d+.-]*:\/\//i;

/** `tag_list` arrives as an array or a comma-separated string; blanks and repeats drop out. */
function normalizeTags(value: unknown): unknown {
  if (value === null || value === '') return [];
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list)) return list;
  const tags = list.map((tag) => (typeof tag === 'string' || typeof tag === 'number' ? String(tag).trim() : tag));
  return [...new Set(tags.filter((tag) => tag !== ''))];
}

/** Form bodies carry only strings and JSON bodies carry numbers: both become the field's type. */
function normalize(field: string, value: unknown): unknown {
  if (field === 'tag_list') return normalizeTags(value);
  if (field === 'password' || field === 'old_password') return typeof value === 'number' ? String(value) : value;
  if (value === '' || value === null) return null;
  if (field === 'custom_data' && typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return STRING_FIELDS.has(field) ? String(value) : value;
  if (typeof value === 'string' && STRING_FIELDS.has(field)) {
    const trimmed = value.trim();
    if (trimmed === '') return null;
    return field === 'website' && !HAS_SCHEME.test(trimmed) ? `http://${trimmed}` : trimmed;
  }
  return value;
}

/** Appends one message to a field's list, Rails-style. */
export function addFieldError(errors: ErrorFields, field: string, message: string): void {
  errors[field] = [...(errors[field] ?? []), message];
}

export interface ParsedProfile {
  changes: ProfileChanges;
  password?: string;
  oldPassword?: string;
  errors: ErrorFields;
}

/** Each field is checked on its own, so the valid ones still count (e.g. for uniqueness checks). */
export function parseProfile(user: Params): ParsedProfile {
  const errors: ErrorFields = {};
  const valid: Record<string, unknown> = {};
  for (const [field, schema] of Object.entries(profileSchema.shape)) {
    if (!(field in user)) continue;
    const parsed = schema.safeParse(normalize(field, user[field]));
    if (parsed.success) valid[field] = parsed.data;
    else for (const issue of parsed.error.issues) addFieldError(errors, field, issue.message);
  }
  const { password, old_password, tag_list, ...rest } = valid as ProfileInput;
  return {
    changes: { ...rest, ...(tag_list !== undefined && { user_tags: tag_list }) },
    ...(password !== undefined && { password }),
    ...(old_password !== undefined && { oldPassword: old_password }),
    errors,
  };
}
