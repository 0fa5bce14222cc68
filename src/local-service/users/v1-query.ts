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
 * The deprecated v1 list grammar of `GET /users`: `page`, `per_page`,
 * `filter[]=<type> <field> <op> <value>` and `order=<asc|desc> <type> <field>`.
 * As the real service's, the defaults are page 1 and 10 per page (at most 100). The
 * `<type>` word must be number, string, date or integer (the users page's own sort example
 * reads `order=desc+integer+facebook_id`), but values are read by the field's own type: the
 * official JS SDK derives it from the JavaScript value (a phone given as a number says
 * `number`) and always says `string` in `order`.
 * Operators are the users page's list, gt, lt, ge, le, eq, ne, between and in (the Flutter
 * SDK's QueryRule sends ge/le); gte/lte, which this service took before, stay accepted.
 * Dates are `yyyy-mm-dd` or `yyyy.mm.dd` (the users page), or ISO-8601 / unix seconds.
 * The page's "Value example" column writes the key as `filter[<op>]=…` while the SDKs send
 * `filter[]=…`: both are read.
 */
const FIELDS: readonly FilterColumn[] = [
  'id',
  'login',
  'email',
  'full_name',
  'phone',
  'website',
  'external_user_id',
  'facebook_id',
  'twitter_id',
  'created_at',
  'updated_at',
  'last_request_at',
];
const TYPES = ['number', 'string', 'date', 'integer'];
const OPERATORS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'between', 'gte', 'lte'] as const;
type V1Operator = (typeof OPERATORS)[number];
const SAME_AS = { ge: 'gte', le: 'lte' } as const;
const DOTTED_DATE = /^(\d{4})\.(\d{2})\.(\d{2})$/;

export const V1_DEFAULT_PER_PAGE = 10;
export const V1_MAX_PER_PAGE = 100;

export interface V1Paging {
  page: number;
  perPage: number;
}

export type V1QueryResult = { ok: true; query: UserQuery; paging: V1Paging } | { ok: false; errors: string[] };

function value(field: FilterColumn, raw: string, errors: string[]): FilterValue | undefined {
  const text = raw.trim();
  switch (COLUMN_KINDS[field]) {
    case 'integer':
      if (/^\d{1,10}$/.test(text) && Number(text) <= 2_147_483_647) return Number(text);
      errors.push(`filter value "${raw}" for ${field} must be an integer`);
      return undefined;
    case 'date': {
      const instant = parseInstant(text.replace(DOTTED_DATE, '$1-$2-$3'));
      if (!instant) {
        errors.push(
          `filter value "${raw}" for ${field} must be a date (yyyy-mm-dd, yyyy.mm.dd, ISO-8601 or unix seconds)`,
        );
      }
      return instant;
    }
    default:
      return text;
  }
}

function filterCondition(filter: string, errors: string[]): Condition | undefined {
  const match = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(filter);
  if (!match) {
    errors.push(`filter "${filter}" must read "<type> <field> <operator> <value>"`);
    return undefined;
  }
  const [, type = '', name = '', operator = '', raw = ''] = match;
  if (!TYPES.includes(type)) errors.push(`filter type "${type}" must be one of ${TYPES.join(', ')}`);
  if (!(FIELDS as readonly string[]).includes(name)) {
    errors.push(`filter field "${name}" must be one of ${FIELDS.join(', ')}`);
    return undefined;
  }
  if (!(OPERATORS as readonly string[]).includes(operator)) {
    errors.push(`filter operator "${operator}" must be one of ${OPERATORS.join(', ')}`);
    return undefined;
  }
  const field = name as FilterColumn;
  const op = operator as V1Operator;
  if (op === 'in' || op === 'between') {
    const parts = raw.split(',');
    const values = parts.map((part) => value(field, part, errors));
    if (!values.every((item) => item !== undefined)) return undefined;
    if (op === 'in') return { field, op, values };
    const [from, to] = values;
    if (values.length !== 2 || from === undefined || to === undefined) {
      errors.push(`filter "${filter}": between takes two values, "from,to"`);
      return undefined;
    }
    return { field, op, from, to };
  }
  const single = value(field, raw, errors);
  if (single === undefined) return undefined;
  return { field, op: op === 'ge' || op === 'le' ? SAME_AS[op] : op, value: single };
}

function positive(raw: unknown, name: string, fallback: number, errors: string[]): number {
  if (raw === undefined || raw === '') return fallback;
  const text = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
  if (/^\d{1,9}$/.test(text) && Number(text) >= 1) return Number(text);
  errors.push(`${name} must be a positive integer`);
  return fallback;
}

function order(raw: unknown, errors: string[]): UserQuery['sort'] {
  if (raw === undefined || raw === '') return DEFAULT_SORT;
  const match = typeof raw === 'string' ? /^\s*(asc|desc)\s+(\S+)\s+(\S+)\s*$/.exec(raw) : null;
  const field = match?.[3] ?? '';
  if (!match || !TYPES.includes(match[2] ?? '') || !(FIELDS as readonly string[]).includes(field)) {
    errors.push(`order must read "<asc|desc> <type> <field>" with a field among ${FIELDS.join(', ')}`);
    return DEFAULT_SORT;
  }
  return { field: field as SortColumn, direction: match[1] === 'asc' ? 'asc' : 'desc' };
}

/** `filter[]=…` (an array), one `filter=…`, or the docs' `filter[gt]=…` (an object keyed by operator). */
function filterList(raw: unknown): unknown[] {
  if (raw === undefined) return [];
  if (Array.isArray(raw)) return raw;
  if (raw && typeof raw === 'object') return Object.values(raw).flat();
  return [raw];
}

export function parseV1Query(params: Record<string, unknown>): V1QueryResult {
  const errors: string[] = [];
  const rawFilters = filterList(params.filter);
  const conditions: Condition[] = [];
  for (const filter of rawFilters) {
    if (typeof filter !== 'string') {
      errors.push('filter[] must be strings "<type> <field> <operator> <value>"');
      continue;
    }
    const condition = filterCondition(filter, errors);
    if (condition) conditions.push(condition);
  }
  const page = positive(params.page, 'page', 1, errors);
  const perPage = Math.min(positive(params.per_page, 'per_page', V1_DEFAULT_PER_PAGE, errors), V1_MAX_PER_PAGE);
  const sort = order(params.order, errors);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    query: { conditions, sort, offset: (page - 1) * perPage, limit: perPage },
    paging: { page, perPage },
  };
}

/** `by_full_name`, `by_tags` and `phone` lists page the same way as `GET /users`, without filters. */
export function parseV1Paging(
  params: Record<string, unknown>,
): { ok: true; paging: V1Paging } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const page = positive(params.page, 'page', 1, errors);
  const perPage = Math.min(positive(params.per_page, 'per_page', V1_DEFAULT_PER_PAGE, errors), V1_MAX_PER_PAGE);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, paging: { page, perPage } };
}
