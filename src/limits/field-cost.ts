/**
 * Field costs for `@pothos/plugin-complexity` (checked against MAX_QUERY_COST before
 * execution by `use-cost-limit.ts`). Every field costs 1 and its selection counts once per
 * item it can return: a list counts as ten by default; the fields below say better. Only
 * fields whose cost depends on their arguments are functions (their arguments are read once
 * more for the count); every other field keeps a constant cost.
 */

/** What a list without a page size counts as. */
export const LIST_COST_MULTIPLIER = 10;

/** `edges`/`nodes` of a connection: the connection field already counted its page. */
export const CONNECTION_PAGE_COST = { field: 1, multiplier: 1 };

/** A paginated field: its selection once per item of the page asked for (`first`/`last`, else its default page). */
export function pageCost(defaultPageSize: number) {
  return (args: { first?: number | null; last?: number | null }) => ({
    field: 1,
    multiplier: size(args.first) ?? size(args.last) ?? defaultPageSize,
  });
}

/** A field that loads each of a list of ids. */
export function idsCost(args: { ids?: readonly unknown[] | null }) {
  return { field: 1, multiplier: args.ids?.length ?? LIST_COST_MULTIPLIER };
}

function size(value: number | null | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, value) : undefined;
}
