import { type Expression, sql } from 'kysely';
import type { Db } from '../store/database.ts';
import { matching, orderedPage } from './search-sql.ts';
import { WIRE_USER_COLUMNS } from './serialize.ts';
import type { UserQuery } from './user-filter.ts';

/**
 * `GET /users/v2`'s whole response body, written by the statement as JSON text: `{"limit",
 * "skip", "total_entries", "items"}` with every item as `serializeUser` shapes it. The route
 * sends the text as it comes: the page never becomes rows, Dates and objects in JS only to be
 * written back to the same JSON.
 *
 * The total is told as `pageTotal` tells it: a page that is not full, and not past the end,
 * is where the matches end; only otherwise are the matches counted. With `count: 'never'`
 * the body is NULL where they would be: a statement that only may need the count (a read
 * folded into authentication, the gateway's lookups by id, login or email, which seldom fill
 * their page) does not carry that sub-select, whose set-up alone costs as much as a column of
 * the page; the caller then reads the body again with `count: 'when full'`.
 *
 * `applicationId` may be an expression of an enclosing statement; the query may be a template
 * with slots (query-slots.ts).
 */
export function usersPageBody(
  db: Db,
  applicationId: number | Expression<number>,
  query: UserQuery,
  count: 'never' | 'when full',
): Expression<string | null> {
  const page = orderedPage(db, applicationId, query).select(WIRE_USER_COLUMNS);
  // Each use is a parameter of its own; bigint, as `offset` has up to ten digits.
  const limit = sql`${query.limit}::bigint`;
  const offset = sql`${query.offset}::bigint`;
  const counted = matching(db, applicationId, query).select((eb) => eb.fn.countAll().as('total'));
  // Without an ELSE, a CASE is NULL there, and so is the text it is concatenated into.
  const total = sql`CASE WHEN count(*) < ${limit} AND (count(*) > 0 OR ${offset} = 0) THEN ${offset} + count(*)
      ${count === 'when full' ? sql`ELSE (${counted})` : sql``} END`;
  // The items keep the page's order: nothing at this level could reorder the sorted
  // sub-select, and the aggregate takes it in that order, as PostgreSQL's manual allows
  // ("Aggregate Expressions"). `string_agg`, not `json_agg`, which puts a newline between
  // elements.
  return sql<string | null>`(SELECT '{"limit":' || ${limit} || ',"skip":' || ${offset}
      || ',"total_entries":' || ${total} || ',"items":[' || coalesce(string_agg(row_to_json(page)::text, ','), '') || ']}'
    FROM ${page} AS page)`;
}

/** The body in a statement of its own, counting the matches if the page is full. */
export async function readUsersPageBody(db: Db, applicationId: number, query: UserQuery): Promise<string> {
  const { body } = await db
    .selectNoFrom(sql<string>`${usersPageBody(db, applicationId, query, 'when full')}`.as('body'))
    .executeTakeFirstOrThrow();
  return body;
}
