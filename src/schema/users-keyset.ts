import type { Query } from '../upstream/client.ts';
import type { UpstreamUser, UsersPage } from '../upstream/types.ts';
import { encodeCursor, invalidCursor, type KeysetCursor, type KeysetOrder } from './user-cursors.ts';

/**
 * Keyset pages of `/users/v2` for the orders it can bound: `created_at` and `id`. The
 * grammar has compare operators for `created_at` (whole seconds) but none for `id`, so a
 * cursor is "this second, minus these ids": the next page asks for `created_at` from that
 * second on plus `id[nin]` for the users of that second already seen. Correct whatever is
 * inserted or deleted between pages, because it depends on no position; for the `id`
 * orders it relies on ids being assigned in creation order (as the upstream does).
 */

export interface KeysetPageArgs {
  first?: number | null;
  after?: KeysetCursor | null;
  last?: number | null;
  before?: KeysetCursor | null;
}

export interface KeysetPage {
  edges: { cursor: string; node: UpstreamUser }[];
  hasPreviousPage: boolean;
  hasNextPage: boolean;
  /** The filter's total when the page's own call already told it. */
  totalCount?: number;
}

type Fetch = (query: Query, limit: number) => Promise<UsersPage>;
type Bounds = Record<string, Record<string, unknown> | string | undefined>;

export function keysetOrder(field: 'id' | 'created_at' | null | undefined, direction: 'ASC' | 'DESC'): KeysetOrder {
  return `${field === 'created_at' ? 'cr' : 'id'}${direction === 'ASC' ? 'a' : 'd'}` as KeysetOrder;
}

const secondOf = (user: UpstreamUser) => Math.floor(Date.parse(user.created_at) / 1000);
const iso = (second: number) => new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Adds a `created_at` bound, keeping the tighter one when the filter already has that operator. */
function withCreatedAt(query: Query, operator: 'gte' | 'lt', second: number): Query {
  const current = (query as Bounds).created_at;
  const bounds = { ...(typeof current === 'object' ? current : {}) } as Record<string, unknown>;
  const existing = typeof bounds[operator] === 'string' ? Date.parse(bounds[operator] as string) / 1000 : undefined;
  const tighter =
    existing === undefined ? second : operator === 'gte' ? Math.max(existing, second) : Math.min(existing, second);
  bounds[operator] = iso(tighter);
  return { ...query, created_at: bounds } as Query;
}

function withoutIds(query: Query, ids: number[]): Query {
  if (ids.length === 0) return query;
  const current = (query as Bounds).id;
  const bounds = { ...(typeof current === 'object' ? current : {}) } as Record<string, unknown>;
  const excluded = Array.isArray(bounds.nin) ? (bounds.nin as string[]) : [];
  bounds.nin = [...new Set([...excluded, ...ids.map(String)])];
  return { ...query, id: bounds } as Query;
}

/** Only these ids, within what the filter already allows; null when that is nobody. */
function onlyIds(query: Query, ids: number[]): Query | null {
  const current = (query as Bounds).id;
  const bounds = { ...(typeof current === 'object' ? current : {}) } as Record<string, unknown>;
  const allowed = Array.isArray(bounds.in) ? new Set(bounds.in as string[]) : null;
  const kept = ids.map(String).filter((id) => !allowed || allowed.has(id));
  if (kept.length === 0) return null;
  bounds.in = kept;
  return { ...query, id: bounds } as Query;
}

/** Items at or after `second` in page order (the whole second included). */
function fromSecond(query: Query, order: KeysetOrder, second: number): Query {
  return order.endsWith('a') ? withCreatedAt(query, 'gte', second) : withCreatedAt(query, 'lt', second + 1);
}

/** Items in seconds strictly before `second` in page order. */
function beforeSecond(query: Query, order: KeysetOrder, second: number): Query {
  return order.endsWith('a') ? withCreatedAt(query, 'lt', second) : withCreatedAt(query, 'gte', second + 1);
}

function sortOf(order: KeysetOrder, reversed: boolean): Query {
  const ascending = order.endsWith('a') !== reversed;
  return { [ascending ? 'sort_asc' : 'sort_desc']: order.startsWith('cr') ? 'created_at' : 'id' };
}

/** Cursors for items in page order, given the ids of the first item's second that precede it. */
function edgesFor(order: KeysetOrder, items: UpstreamUser[], precedingIds: number[]) {
  let second = items[0] ? secondOf(items[0]) : 0;
  let ids = [...precedingIds];
  return items.map((node) => {
    const itemSecond = secondOf(node);
    if (itemSecond !== second) {
      second = itemSecond;
      ids = [];
    }
    ids.push(node.id);
    return { node, cursor: encodeCursor({ kind: 'keyset', order, second, ids: [...ids] }) };
  });
}

export async function keysetPage(
  base: Query,
  order: KeysetOrder,
  args: KeysetPageArgs,
  pageSize: number,
  fetch: Fetch,
): Promise<KeysetPage> {
  for (const [name, cursor] of [
    ['after', args.after],
    ['before', args.before],
  ] as const) {
    if (cursor && cursor.order !== order) throw invalidCursor(name, 'belongs to another order');
  }
  if (args.last != null && args.first == null) return backward(base, order, args, Math.min(args.last, pageSize), fetch);

  const after = args.after;
  const query = after ? withoutIds(fromSecond(base, order, after.second), after.ids) : base;
  const page = await fetch({ ...query, ...sortOf(order, false) }, args.first ?? pageSize);
  const preceding = after && page.items[0] && secondOf(page.items[0]) === after.second ? after.ids : [];
  return {
    edges: edgesFor(order, page.items, preceding),
    hasPreviousPage: !!after,
    hasNextPage: page.total_entries > page.items.length,
    ...(!after && { totalCount: page.total_entries }),
  };
}

async function backward(
  base: Query,
  order: KeysetOrder,
  args: KeysetPageArgs,
  size: number,
  fetch: Fetch,
): Promise<KeysetPage> {
  const before = args.before;
  // Users of the cursor's own second that came before it: known by id.
  const sameSecondIds = before ? before.ids.slice(0, -1) : [];
  const sameSecondQuery = sameSecondIds.length ? onlyIds(base, sameSecondIds) : null;
  const earlierQuery = before ? beforeSecond(base, order, before.second) : base;
  const [earlier, sameSecond] = await Promise.all([
    fetch({ ...earlierQuery, ...sortOf(order, true) }, size),
    sameSecondQuery ? fetch({ ...sameSecondQuery, ...sortOf(order, false) }, sameSecondIds.length) : null,
  ]);
  const all = [...[...earlier.items].reverse(), ...(sameSecond?.items ?? [])];
  const items = all.slice(-size);
  const available = earlier.total_entries + (sameSecond?.items.length ?? 0);
  const hasPreviousPage = available > items.length;

  // The ids of the first item's second that precede it: from the cursor when it is that
  // second, else one more call for that second (only when anything precedes the page).
  let preceding: number[] = [];
  const first = items[0];
  if (first && before && secondOf(first) === before.second) {
    preceding = sameSecondIds.slice(0, sameSecondIds.indexOf(first.id));
  } else if (first && hasPreviousPage) {
    const second = secondOf(first);
    const onPage = items.filter((u) => secondOf(u) === second).map((u) => u.id);
    const group = withoutIds(withCreatedAt(withCreatedAt(base, 'gte', second), 'lt', second + 1), onPage);
    const rest = await fetch({ ...group, ...sortOf(order, false) }, 100);
    preceding = rest.items.map((u) => u.id);
  }
  return {
    edges: edgesFor(order, items, preceding),
    hasPreviousPage,
    hasNextPage: !!before,
    ...(!before && { totalCount: earlier.total_entries }),
  };
}
