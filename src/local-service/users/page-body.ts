import { type Expression, sql } from 'kysely';
import type { Db } from '../store/database.ts';
import { orderedPage, pageTotal } from './search-sql.ts';
import { WIRE_USER_COLUMNS } from './serialize.ts';
import type { UserQuery } from './user-filter.ts';

/**
 * `GET /users/v2`'s body with its items written by the statement as JSON text, each as
 * `serializeUser` shapes it: the route sends the text as it comes, and the page never becomes
 * rows, Dates and objects in JS only to be written back to the same JSON.
 */

/** One page as the statement writes it: how many users, and their JSON array. */
export interface PageItems {
  count: number;
  json: string;
}

/**
 * The page as one text value, `<count>,<JSON array>`: one column, so that it can be read
 * along with something else in one statement (`applicationId` is then an expression of that
 * statement; the query may be a template with slots, query-slots.ts).
 */
export function usersPageItems(
  db: Db,
  applicationId: number | Expression<number>,
  query: UserQuery,
): Expression<string> {
  const page = orderedPage(db, applicationId, query).select(WIRE_USER_COLUMNS);
  // The items keep the page's order: nothing at this level could reorder the sorted
  // sub-select, and the aggregate takes it in that order, as PostgreSQL's manual allows
  // ("Aggregate Expressions"). `string_agg`, not `json_agg`, which puts a newline between
  // elements.
  return sql<string>`(SELECT count(*) || ',[' || coalesce(string_agg(row_to_json(page)::text, ','), '') || ']'
    FROM ${page} AS page)`;
}

/** `usersPageItems`' text taken apart: the count is the digits before the first comma. */
export function pageItemsFrom(text: string): PageItems {
  const comma = text.indexOf(',');
  return { count: Number(text.slice(0, comma)), json: text.slice(comma + 1) };
}

/** The page in a statement of its own. */
export async function readUsersPageItems(db: Db, applicationId: number, query: UserQuery): Promise<PageItems> {
  const { items } = await db
    .selectNoFrom(sql<string>`${usersPageItems(db, applicationId, query)}`.as('items'))
    .executeTakeFirstOrThrow();
  return pageItemsFrom(items);
}

/** The whole body, as `JSON.stringify` writes `{limit, skip, total_entries, items}`. */
export async function usersPageBody(db: Db, applicationId: number, query: UserQuery, page: PageItems) {
  const total = await pageTotal(db, applicationId, query, page.count);
  return `{"limit":${query.limit},"skip":${query.offset},"total_entries":${total},"items":${page.json}}`;
}
