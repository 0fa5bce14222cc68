/** Body timestamps: ISO-8601 UTC with seconds, `2018-12-05T11:58:02Z`. */
export function isoSeconds(date: Date | null | undefined): string | null {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
}

/** The `CB-Token-ExpirationDate` header format: `yyyy-MM-dd HH:mm:ss UTC`. */
export function expirationHeader(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
