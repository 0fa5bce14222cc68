import { decodeGlobalID } from '@pothos/plugin-relay';
import { ValidationError } from '../errors.ts';

/** The types whose global ids this API hands out and reads back, and the shape of their ids. */
const nodeIdShapes: Record<string, RegExp> = {
  User: /^[1-9]\d{0,9}$/,
  Session: /^[1-9]\d{0,9}$/,
  File: /^[\w-]{1,100}$/,
};

/** A global id's parts, or null when it is not a global id of this API. */
export function tryDecodeGlobalId(globalId: string): { typename: string; id: string } | null {
  try {
    const decoded = decodeGlobalID(globalId);
    return nodeIdShapes[decoded.typename]?.test(decoded.id) ? decoded : null;
  } catch {
    return null;
  }
}

/**
 * The upstream integer behind a global id of `typename`, for arguments that name one object
 * (`user(id:)`, `UserFilter.ids`, `destroySession(input: {id})`). Anything else is the
 * caller's input error, named by `field`.
 */
export function databaseIdOf(typename: string, globalId: string, field: string): number {
  const decoded = tryDecodeGlobalId(globalId);
  const id = decoded?.typename === typename && /^\d{1,10}$/.test(decoded.id) ? Number(decoded.id) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) {
    throw new ValidationError(`"${field}" is not the id of a ${typename}.`, [
      { field, messages: [`is not a ${typename} id`] },
    ]);
  }
  return id;
}
