export type JsonRow = Record<string, unknown>;

/**
 * A row that came back through `to_json` (or `json_agg`): its timestamps are ISO strings
 * there, while the driver hands them to every other query as Dates. Every timestamp column of
 * the schema is named `*_at`.
 */
export function revive(row: JsonRow): JsonRow {
  const out: JsonRow = {};
  for (const [key, value] of Object.entries(row)) {
    out[key] = key.endsWith('_at') && typeof value === 'string' ? new Date(value) : value;
  }
  return out;
}
