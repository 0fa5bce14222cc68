/**
 * The typed user query both search grammars (v2 and the deprecated v1) parse into, and the
 * one thing the SQL layer reads. Values are already converted to the column's type.
 */
export type FilterColumn =
  | 'id'
  | 'login'
  | 'email'
  | 'full_name'
  | 'phone'
  | 'website'
  | 'external_user_id'
  | 'external_id'
  | 'facebook_id'
  | 'twitter_id'
  | 'user_tags'
  | 'created_at'
  | 'updated_at'
  | 'last_request_at';

export type ColumnKind = 'integer' | 'caseless' | 'text' | 'tags' | 'date';

export const COLUMN_KINDS: Record<FilterColumn, ColumnKind> = {
  id: 'integer',
  login: 'caseless',
  email: 'caseless',
  full_name: 'text',
  phone: 'text',
  website: 'text',
  external_user_id: 'integer',
  external_id: 'text',
  facebook_id: 'text',
  twitter_id: 'text',
  user_tags: 'tags',
  created_at: 'date',
  updated_at: 'date',
  last_request_at: 'date',
};

/** Integers, strings, or ISO-8601 UTC strings for date columns. */
export type FilterValue = number | string;

export type Condition =
  | { field: FilterColumn; op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte'; value: FilterValue }
  | { field: FilterColumn; op: 'in' | 'nin'; values: FilterValue[] }
  | { field: FilterColumn; op: 'between'; from: FilterValue; to: FilterValue }
  /** Case-insensitive prefix (v2 `start_with`) or substring (v1 `by_full_name`). */
  | { field: FilterColumn; op: 'start_with' | 'contains'; value: string };

export type SortColumn = Exclude<FilterColumn, 'user_tags'>;

export interface UserQuery {
  conditions: Condition[];
  sort: { field: SortColumn; direction: 'asc' | 'desc' };
  offset: number;
  limit: number;
}

export const DEFAULT_SORT: UserQuery['sort'] = { field: 'id', direction: 'asc' };

/** ISO-8601 date-times and unix timestamps (seconds) both name an instant; anything else is undefined. */
export function parseInstant(value: string): string | undefined {
  const trimmed = value.trim();
  if (/^\d{1,11}(\.\d+)?$/.test(trimmed)) return new Date(Number(trimmed) * 1000).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(trimmed)) return undefined;
  // A date-time without a zone is UTC, as every timestamp of this API is.
  const zoned = /[T ]\d{2}:\d{2}/.test(trimmed) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) ? `${trimmed}Z` : trimmed;
  const time = Date.parse(zoned.replace(' ', 'T'));
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
