import { type GraphQLField, getNullableType, isListType } from 'graphql';

/** What a list without a page size counts as. */
export const LIST_COST_MULTIPLIER = 10;

/**
 * The cost of one field for `@pothos/plugin-complexity`: 1, and its selection counted once
 * per item it can return. A paginated field multiplies by `first`/`last` (or its default
 * page, the most it returns); `edges`/`nodes` of a connection are that page already; a list
 * of ids counts its ids; any other list counts as ten.
 */
export function fieldCost(defaultPageSize: number) {
  return <C>(args: Record<string, unknown>, _ctx: C, field: GraphQLField<unknown, C>) => {
    if (field.args.some((arg) => arg.name === 'first' || arg.name === 'last')) {
      const size = pageSize(args.first) ?? pageSize(args.last) ?? defaultPageSize;
      return { field: 1, multiplier: size };
    }
    if (!isListType(getNullableType(field.type))) return 1;
    if (field.args.length === 0 && (field.name === 'edges' || field.name === 'nodes'))
      return { field: 1, multiplier: 1 };
    if (Array.isArray(args.ids)) return { field: 1, multiplier: args.ids.length };
    return { field: 1, multiplier: LIST_COST_MULTIPLIER };
  };
}

function pageSize(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, value) : undefined;
}
