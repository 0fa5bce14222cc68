import { z } from 'zod';

/**
 * The most entries a list argument (`users(filter:)` lists, `nodes(ids:)`) may hold: one
 * upstream page. Longer lists are refused (VALIDATION_FAILED / BAD_USER_INPUT) instead of
 * fanning out into many upstream calls or mass lookups of personal keys.
 */
export const MAX_LIST_ENTRIES = 100;

const tooLong = `can hold at most ${MAX_LIST_ENTRIES} entries`;

/** For an input object: every list field at most MAX_LIST_ENTRIES long. */
export const listsCapped = z.looseObject({}).superRefine((value, ctx) => {
  for (const [key, entry] of Object.entries(value)) {
    if (Array.isArray(entry) && entry.length > MAX_LIST_ENTRIES) {
      ctx.addIssue({ code: 'custom', path: [key], message: tooLong });
    }
  }
});

/** For `nodes(ids:)`. */
export const idsCapped = z.looseObject({ ids: z.array(z.unknown()).max(MAX_LIST_ENTRIES, tooLong) });
