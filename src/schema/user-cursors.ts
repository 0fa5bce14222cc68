import { ValidationError } from '../errors.ts';

/**
 * Opaque, versioned cursors of `users`: base64url of `v1:…`.
 * - keyset (`v1:k:<order>:<second>:<ids>`): the item's `created_at` second and the ids of
 *   every user in that second up to and including the item, in order (the last one is the
 *   item). Paging on continues from that second and leaves those ids out (`id[nin]`), so
 *   users added or removed elsewhere never shift a page.
 * - offset (`v1:o:<n>`): a position, for orders the upstream cannot keyset-page.
 */

/** The orders keyset cursors serve: `created_at` (and `id`, assigned in creation order). */
export type KeysetOrder = 'ida' | 'idd' | 'cra' | 'crd';

export interface KeysetCursor {
  kind: 'keyset';
  order: KeysetOrder;
  /** Unix seconds of the item's `created_at` (the upstream's resolution). */
  second: number;
  /** Ids of that second up to and including the item, in page order. */
  ids: number[];
}
export interface OffsetCursor {
  kind: 'offset';
  offset: number;
}
export type UserCursor = KeysetCursor | OffsetCursor;

const PREFIX = 'v1:';

export function encodeCursor(cursor: UserCursor): string {
  const text =
    cursor.kind === 'offset'
      ? `${PREFIX}o:${cursor.offset}`
      : `${PREFIX}k:${cursor.order}:${cursor.second}:${cursor.ids.join('.')}`;
  return Buffer.from(text).toString('base64url');
}

/** Reads an `after`/`before` cursor, refusing what this API did not hand out. */
export function decodeCursor(name: string, cursor: string): UserCursor {
  const text = /^[\w-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString() : '';
  const offset = /^v1:o:(\d{1,9})$/.exec(text);
  if (offset) return { kind: 'offset', offset: Number(offset[1]) };
  const keyset = /^v1:k:(ida|idd|cra|crd):(\d{1,12}):(\d{1,10}(?:\.\d{1,10})*)$/.exec(text);
  if (keyset) {
    return {
      kind: 'keyset',
      order: keyset[1] as KeysetOrder,
      second: Number(keyset[2]),
      ids: (keyset[3] as string).split('.').map(Number),
    };
  }
  throw invalidCursor(name);
}

export function invalidCursor(name: string, why = 'is not a valid cursor'): ValidationError {
  return new ValidationError(`"${name}" is not a cursor of this connection and order.`, [
    { field: name, messages: [why] },
  ]);
}
