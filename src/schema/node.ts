import { resolveNodes } from '@pothos/plugin-relay';
import { GatewayError } from '../errors.ts';
import { idsCost } from '../limits/field-cost.ts';
import { idsCapped } from '../security/list-limits.ts';
import { builder } from './builder.ts';
import { tryDecodeGlobalId } from './global-ids.ts';

/** Codes that mean "this caller cannot read that id": its slot answers null. */
const unreadable = new Set(['VALIDATION_FAILED', 'NOT_FOUND', 'FORBIDDEN']);

/**
 * `nodes(ids:)`: one answer per id, in order, batched per type like `node`. An id it cannot
 * read (malformed, of another API or type, not found, forbidden) answers null and the rest
 * still answer. Any other failure (UPSTREAM_UNAVAILABLE, an expired token) is an error of
 * that item.
 */
builder.queryField('nodes', (t) =>
  t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: 'The objects with these global ids, in order; null for an id this caller cannot read.',
    authScopes: { authenticated: true },
    complexity: idsCost,
    validate: idsCapped,
    args: { ids: t.arg.idList({ required: true, description: 'Global ids of `Node`s (at most 100 per type batch).' }) },
    resolve: (_root, { ids }, ctx, info) =>
      // One resolveNodes per id, so that one failure stays in its slot; the loaders still
      // batch them, as all start in the same tick.
      Promise.all(
        ids.map(async (globalId) => {
          const decoded = tryDecodeGlobalId(String(globalId));
          if (!decoded) return null;
          // A loader may reject or answer an Error for its key: both mean the same here.
          const node = await resolveNodes(builder, ctx, info, [decoded]).then(
            ([result]) => result ?? null,
            (error: unknown) => error,
          );
          if (node instanceof GatewayError && unreadable.has(node.code)) return null;
          // graphql-js reports an Error item as that item's error, with a null in its slot.
          return node;
        }),
      ) as never,
  }),
);
