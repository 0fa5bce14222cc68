import {
  COLUMN_KINDS,
  type Condition,
  DEFAULT_SORT,
  type FilterColumn,
  type FilterValue,
  parseInstant,
  type SortColumn,
  type UserQuery,
} from './user-filter.ts';

/**
 * The `GET /users/v2` grammar (upstream-api.md, "Users"): Rails-style query parameters,
 * already parsed by qs, to a typed query, or the list of rules the request breaks.
 * Where the contract is silent:
 * - `start_with` applies to the text stand-alone fields, not to `id` or `user_tags`;
 * - date fields take the compare operators and `eq`; `user_tags` never takes compare
 *   operators. An additional field's `eq` never satisfies the stand-alone rule, but once a
 *   stand-alone primary condition is present further conditions may use it: the users
 *   page's list has `phone=6754987345566&last_request_at=2020-11-09T08:21:41Z` as valid and
 *   `last_request_at=2017-07-06T11:21:41Z` alone as invalid;
 * - `limit` above 100 is lowered to 100, `start_with` lowers it to 5 (a smaller one stays);
 * - `in`/`nin` take `[in][]=a&[in][]=b` or a comma-separated `[in]=a,b`;
 * - login and email compare case-insensitively (as their unique indexes do), `start_with`
 *   is case-insensitive everywhere, other fields match exactly.
 */
export const STAND_ALONE_FIELDS = [
  'id',
  'login',
  'email',
  'full_name',
  'phone',
  'external_id',
  'facebook_id',
  'twitter_id',
  'user_tags',
] as const;
export const ADDITIONAL_FIELDS = ['user_tags', 'last_request_at', 'created_at', 'updated_at'] as const;
const FIELDS: readonly FilterColumn[] = [...new Set<FilterColumn>([...STAND_ALONE_FIELDS, ...ADDITIONAL_FIELDS])];

const PRIMARY_OPERATORS = ['eq', 'in', 'start_with'] as const;
const COMPARE_OPERATORS = ['gt', 'gte', 'lt', 'lte'] as const;
const OPERATORS = ['in', 'nin', 'start_with', ...COMPARE_OPERATORS] as const;
type Operator = 'eq' | (typeof OPERATORS)[number];

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 100;
export const START_WITH_MIN_LENGTH = 4;
export const START_WITH_LIMIT = 5;

const SORT_FIELDS: readonly SortColumn[] = FIELDS.filter((field): field is SortColumn => field !== 'user_tags');
const PAGING_AND_SORTING = new Set(['offset', 'limit', 'sort_asc', 'sort_desc']);

export type SearchQueryResult = { ok: true; query: UserQuery } | { ok: false; errors: string[] };

const isStandAlone = (field: FilterColumn) => (STAND_ALONE_FIELDS as readonly string[]).includes(field);
const list = (items: readonly string[]) => items.join(', ');

function allowedOperators(field: FilterColumn): readonly Operator[] {
  switch (COLUMN_KINDS[field]) {
    case 'date':
      return ['eq', ...COMPARE_OPERATORS];
    case 'integer':
    case 'tags':
      return ['eq', 'in', 'nin'];
    default:
      return ['eq', 'in', 'nin', 'start_with'];
  }
}

/** A single scalar from the query string, or undefined for arrays and nested objects. */
function scalar(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number') return String(raw);
  return undefined;
}

function convertValue(field: FilterColumn, label: string, raw: string, errors: string[]): FilterValue | undefined {
  const value = raw.trim();
  if (value === '') {
    errors.push(`${label} needs a value`);
    return undefined;
  }
  switch (COLUMN_KINDS[field]) {
    case 'integer': {
      const number = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(number) || number > 2_147_483_647) {
        errors.push(`${label} must be a positive integer`);
        return undefined;
      }
      return number;
    }
    case 'date': {
      const instant = parseInstant(value);
      if (!instant) errors.push(`${label} must be an ISO-8601 date or a unix timestamp`);
      return instant;
    }
    default:
      return value;
  }
}

function convertList(field: FilterColumn, label: string, raw: unknown, errors: string[]): FilterValue[] | undefined {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
  if (!items || items.some((item) => scalar(item) === undefined)) {
    errors.push(`${label} must be a list of values: ${label}[]=a&${label}[]=b`);
    return undefined;
  }
  if (items.length === 0) {
    errors.push(`${label} needs at least one value`);
    return undefined;
  }
  const values = items.map((item) => convertValue(field, label, scalar(item) ?? '', errors));
  return values.every((value) => value !== undefined) ? values : undefined;
}

/** The operators a field's parameter names, with their raw values: `login=x` is `eq`. */
function requestedOperators(field: FilterColumn, raw: unknown, errors: string[]): [Operator, unknown][] {
  const given = scalar(raw);
  if (given !== undefined) return [['eq', given]];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || Object.keys(raw).length === 0) {
    errors.push(`${field} takes one value (${field}=v) or operators (${field}[in][]=v, ${field}[gt]=v, ...)`);
    return [];
  }
  const known: [Operator, unknown][] = [];
  for (const [operator, value] of Object.entries(raw)) {
    if ((OPERATORS as readonly string[]).includes(operator)) known.push([operator as Operator, value]);
    else errors.push(`Unknown operator "${operator}" for ${field}; operators are ${list(OPERATORS)}`);
  }
  return known;
}

function fieldConditions(field: FilterColumn, operators: [Operator, unknown][], errors: string[]): Condition[] {
  const conditions: Condition[] = [];
  for (const [op, value] of operators) {
    const label = op === 'eq' ? field : `${field}[${op}]`;
    if (!allowedOperators(field).includes(op)) {
      if ((COMPARE_OPERATORS as readonly string[]).includes(op) && isStandAlone(field)) {
        errors.push(`Stand-alone field ${field} does not take compare operators (${list(COMPARE_OPERATORS)})`);
      } else {
        errors.push(`${op} does not apply to ${field}; it takes ${list(allowedOperators(field))}`);
      }
      continue;
    }
    if (op === 'in' || op === 'nin') {
      const values = convertList(field, label, value, errors);
      if (values) conditions.push({ field, op, values });
      continue;
    }
    const text = scalar(value);
    if (text === undefined) {
      errors.push(`${label} takes a single value`);
      continue;
    }
    if (op === 'start_with') {
      if (text.trim().length < START_WITH_MIN_LENGTH) {
        errors.push(`${label} needs at least ${START_WITH_MIN_LENGTH} characters`);
      } else {
        conditions.push({ field, op, value: text.trim() });
      }
      continue;
    }
    const converted = convertValue(field, label, text, errors);
    if (converted !== undefined) conditions.push({ field, op, value: converted });
  }
  return conditions;
}

function integerParam(raw: unknown, name: string, min: number, errors: string[]): number | undefined {
  if (raw === undefined) return undefined;
  const text = scalar(raw)?.trim();
  const value = text !== undefined && /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    errors.push(`${name} must be an integer of at least ${min}`);
    return undefined;
  }
  return value;
}

function sortParam(params: Record<string, unknown>, errors: string[]): UserQuery['sort'] {
  const ascending = params.sort_asc;
  const descending = params.sort_desc;
  if (ascending !== undefined && descending !== undefined) {
    errors.push('Use either sort_asc or sort_desc, not both');
    return DEFAULT_SORT;
  }
  if (ascending === undefined && descending === undefined) return DEFAULT_SORT;
  const name = ascending !== undefined ? 'sort_asc' : 'sort_desc';
  const field = scalar(ascending ?? descending)?.trim();
  if (!field || !(SORT_FIELDS as readonly string[]).includes(field)) {
    errors.push(`${name} must name one of ${list(SORT_FIELDS)}`);
    return DEFAULT_SORT;
  }
  return { field: field as SortColumn, direction: ascending !== undefined ? 'asc' : 'desc' };
}

export function parseSearchQuery(params: Record<string, unknown>): SearchQueryResult {
  const errors: string[] = [];
  const conditions: Condition[] = [];
  let hasPrimary = false;
  for (const [name, raw] of Object.entries(params)) {
    if (PAGING_AND_SORTING.has(name)) continue;
    if (!(FIELDS as readonly string[]).includes(name)) {
      errors.push(`Unknown field "${name}"; fields are ${list(FIELDS)}`);
      continue;
    }
    const field = name as FilterColumn;
    const operators = requestedOperators(field, raw, errors);
    // Judged on what was asked for, so a bad value is not also reported as a missing field.
    hasPrimary ||=
      isStandAlone(field) && operators.some(([op]) => (PRIMARY_OPERATORS as readonly string[]).includes(op));
    conditions.push(...fieldConditions(field, operators, errors));
  }

  if (!hasPrimary) {
    errors.push(
      `At least one stand-alone field (${list(STAND_ALONE_FIELDS)}) with a primary operator (${list(PRIMARY_OPERATORS)}) is required`,
    );
  }

  const offset = integerParam(params.offset, 'offset', 0, errors) ?? 0;
  const requestedLimit = Math.min(integerParam(params.limit, 'limit', 1, errors) ?? DEFAULT_LIMIT, MAX_LIMIT);
  const sort = sortParam(params, errors);
  if (errors.length > 0) return { ok: false, errors };

  const startsWith = conditions.some((condition) => condition.op === 'start_with');
  const limit = startsWith ? Math.min(requestedLimit, START_WITH_LIMIT) : requestedLimit;
  return { ok: true, query: { conditions, sort, offset, limit } };
}
