import { type Expression, type RawBuilder, sql } from 'kysely';

/** Body timestamps: ISO-8601 UTC with seconds, `2018-12-05T11:58:02Z`. */
export function isoSeconds(date: Date | null | undefined): string | null {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
}

/**
 * `isoSeconds` in SQL, for bodies written by the statement itself. `to_char` cuts the
 * fraction off as `isoSeconds` does (it never rounds up to the next second) and depends on
 * neither the session's TimeZone nor its DateStyle; NULL stays NULL.
 */
export function isoSecondsSql(timestamp: Expression<Date | null>): RawBuilder<string | null> {
  return sql<string | null>`to_char(${timestamp} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
}

/** The `CB-Token-ExpirationDate` header format: `yyyy-MM-dd HH:mm:ss UTC`. */
export function expirationHeader(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
