import { z } from 'zod';
import type { UserParams } from '../upstream/users.ts';
import type { builder } from './builder.ts';

/**
 * The profile fields `signUp` and `updateMe` share, and their mapping to upstream names.
 * `externalId`, `facebookId` and `twitterId` are not among them: they come only from a
 * provider login, so nobody can claim another person's provider identity in advance.
 */

type InputFields = Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0];

export const profileFields = (t: InputFields) => ({
  login: t.string({
    description: 'Unique login: 3 to 50 letters, digits and `. _ - @ +`.',
    validate: z.string().trim().min(1, 'cannot be blank'),
  }),
  email: t.string({
    description: 'Unique email address (where password-reset mail goes).',
    validate: z.email('is not an email address'),
  }),
  fullName: t.string({ description: 'Name shown to other users, at most 255 characters.' }),
  phone: t.string({ description: 'Phone number, unique when set.' }),
  website: t.string({ description: "A URL of the user's choice." }),
  tags: t.stringList({
    description: 'Labels to search users by (`UserFilter.tags`): at most 100, without commas.',
    validate: z.array(
      z
        .string()
        .trim()
        .min(1, 'cannot be blank')
        .regex(/^[^,]*$/, 'cannot contain commas'),
    ),
  }),
  customData: t.field({ type: 'JSON', description: 'Any JSON; stored upstream as text.' }),
  timezone: t.int({
    description: 'Offset from UTC in minutes.',
    validate: z.number().int().min(-720, 'is below -720').max(840, 'is above 840'),
  }),
});

export interface ProfileInput {
  login?: string | null | undefined;
  email?: string | null | undefined;
  password?: string | null | undefined;
  oldPassword?: string | null | undefined;
  fullName?: string | null | undefined;
  phone?: string | null | undefined;
  website?: string | null | undefined;
  tags?: string[] | null | undefined;
  customData?: unknown;
  timezone?: number | null | undefined;
}

/**
 * Upstream `user` parameters for the fields the input gives. An explicit null clears a
 * clearable field; login, email and passwords cannot be cleared and are left out.
 */
export function toUserParams(input: ProfileInput): UserParams {
  const params: UserParams = {};
  const clearable = <K extends keyof ProfileInput>(key: K) => input[key] !== undefined;
  if (input.login != null) params.login = input.login;
  if (input.email != null) params.email = input.email;
  if (input.password != null) params.password = input.password;
  if (input.oldPassword != null) params.old_password = input.oldPassword;
  if (clearable('fullName')) params.full_name = input.fullName ?? null;
  if (clearable('phone')) params.phone = input.phone ?? null;
  if (clearable('website')) params.website = input.website ?? null;
  if (clearable('tags')) params.tag_list = input.tags ?? [];
  if (clearable('customData')) {
    params.custom_data = input.customData === null ? null : JSON.stringify(input.customData);
  }
  if (clearable('timezone')) params.timezone = input.timezone ?? null;
  return params;
}
