/**
 * The route template of an upstream path, for metric labels and span names: every segment
 * that is not one of the REST API's fixed words becomes `:id` (digits) or `:uid` (anything
 * else), so no id, uid, login or email from a path ever reaches a label.
 */
const FIXED_SEGMENTS = new Set([
  'users',
  'v2',
  'session',
  'list',
  'login',
  'password',
  'reset',
  'blobs',
  'object',
  'complete',
  'by_login',
  'by_email',
  'by_full_name',
  'external',
]);

export function routeTemplate(path: string): string {
  const pathname = path.split('?')[0] ?? '';
  const segments = pathname
    .replace(/\.json$/, '')
    .split('/')
    .filter(Boolean)
    .map((segment) => (FIXED_SEGMENTS.has(segment) ? segment : /^\d+$/.test(segment) ? ':id' : ':uid'));
  return `/${segments.join('/')}`;
}
