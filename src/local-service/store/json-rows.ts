export type JsonRow = Record<string, unknown>;

/**
 * A row that came back through `to_json` (or `json_agg`): its timestamps are ISO strings
 * there, while the driver hands them to every other query as Dates. Every timestamp column of
 * the schema is named `*_at`. The row is revived in place (it is the caller's own, fresh from
 * the JSON parser) and returned.
 */
export function revive(row: JsonRow): JsonRow {
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'string' && key.endsWith('_at')) row[key] = new Date(value);
  }
  return row;
}
