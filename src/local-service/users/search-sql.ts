import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import { mapValue } from '../store/compiled-per-shape.ts';
import type { Db } from '../store/database.ts';
import type { UserRow } from '../store/schema.ts';
import { COLUMN_KINDS, type Condition, type FilterValue, type UserQuery } from './user-filter.ts';

/** LIKE treats `%`, `_` and `\` specially; a user's prefix must match literally. */
const escapeLike = (value: string) => value.replace(/[\\%_]/g, (char) => `\\${char}`);

// Values pass through `mapValue`: the query may be a template with slots for them (withSlots).
const lowered = (value: FilterValue) => mapValue(value, (text) => String(text).toLowerCase());
const text = (value: FilterValue) => mapValue(value, String);
const likePattern = (value: string, before: string, after: string) =>
  mapValue(value, (given) => `${before}${escapeLike(given.toLowerCase())}${after}`);

function valueSql(condition: Condition, value: FilterValue): RawBuilder<unknown> {
  const kind = COLUMN_KINDS[condition.field];
  if (kind === 'date') return sql`${value}::timestamptz`;
  if (kind === 'caseless') return sql`${lowered(value)}`;
  return sql`${value}`;
}

function columnSql(condition: Condition): RawBuilder<unknown> {
  const column = sql.ref(`users.${condition.field}`);
  return COLUMN_KINDS[condition.field] === 'caseless' ? sql`lower(${column})` : sql`${column}`;
}

const COMPARATORS = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

function conditionSql(condition: Condition): Expression<SqlBool> {
  const column = columnSql(condition);
  const tags = COLUMN_KINDS[condition.field] === 'tags';
  const textArray = (values: FilterValue[]) => sql`ARRAY[${sql.join(values.map(text))}]::text[]`;
  switch (condition.op) {
    case 'in':
    case 'nin': {
      const values = condition.values;
      // Tags match when any of the user's tags is among the values.
      const matches = tags
        ? sql<SqlBool>`${column} && ${textArray(values)}`
        : sql<SqlBool>`${column} IN (${sql.join(values.map((value) => valueSql(condition, value)))})`;
      // Excluding values keeps users whose field is empty.
      return condition.op === 'in' ? matches : sql<SqlBool>`(${column} IS NULL OR NOT (${matches}))`;
    }
    case 'between':
      return sql<SqlBool>`${column} BETWEEN ${valueSql(condition, condition.from)} AND ${valueSql(condition, condition.to)}`;
    case 'start_with':
      return sql<SqlBool>`lower(${sql.ref(`users.${condition.field}`)}) LIKE ${likePattern(condition.value, '', '%')}`;
    case 'contains':
      return sql<SqlBool>`lower(${sql.ref(`users.${condition.field}`)}) LIKE ${likePattern(condition.value, '%', '%')}`;
    default: {
      if (tags && condition.op === 'eq') return sql<SqlBool>`${column} && ${textArray([condition.value])}`;
      if (tags && condition.op === 'ne') return sql<SqlBool>`NOT (${column} && ${textArray([condition.value])})`;
      const comparison = sql<SqlBool>`${column} ${sql.raw(COMPARATORS[condition.op])} ${valueSql(condition, condition.value)}`;
      return condition.op === 'ne' ? sql<SqlBool>`(${column} IS NULL OR ${comparison})` : comparison;
    }
  }
}

export interface UserPage {
  total: number;
  users: UserRow[];
}

/** The users of an application matching every condition, in no order. */
function matching(db: Db, applicationId: number | Expression<number>, query: UserQuery) {
  return db
    .selectFrom('users')
    .where('users.application_id', '=', applicationId)
    .where((eb) => eb.and(query.conditions.map(conditionSql)));
}

/** One page of them in the query's order, for the caller to choose the columns. */
export function orderedPage(db: Db, applicationId: number | Expression<number>, query: UserQuery) {
  const direction = sql.raw(query.sort.direction === 'asc' ? 'ASC' : 'DESC');
  return (
    matching(db, applicationId, query)
      // Users without a value sort last either way; id keeps pages stable between requests.
      // Both are qualified: they sort by the stored column, never by an output column of the
      // same name (a timestamp the caller selects formatted, say).
      .orderBy(sql`${sql.ref(`users.${query.sort.field}`)} ${direction} NULLS LAST`)
      .orderBy('users.id', query.sort.direction)
      .offset(query.offset)
      .limit(query.limit)
  );
}

/** One page of an application's users matching every condition. */
export function findUsers(db: Db, applicationId: number, query: UserQuery): Promise<UserRow[]> {
  return orderedPage(db, applicationId, query).selectAll('users').execute();
}

/**
 * How many match in all, given how many a page of them `found`. A page that is not full, and
 * not past the end, is where the matches end, so it tells the total itself; only a full (or
 * overshooting) page costs a statement to count. The gateway's lookups by id, login or email
 * seldom fill theirs.
 */
export async function pageTotal(db: Db, applicationId: number, query: UserQuery, found: number): Promise<number> {
  if (found < query.limit && (found > 0 || query.offset === 0)) return query.offset + found;
  const count = await matching(db, applicationId, query)
    .select((eb) => eb.fn.countAll<string | number>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(count.total);
}

/** One page and how many match in all. */
export async function searchUsers(db: Db, applicationId: number, query: UserQuery): Promise<UserPage> {
  const users = await findUsers(db, applicationId, query);
  return { total: await pageTotal(db, applicationId, query, users.length), users };
}
