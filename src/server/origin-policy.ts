/**
 * Which browser origins may call the gateway in cookie mode: the ones in `CORS_ORIGINS`, the
 * gateway's public origin (`PUBLIC_URL`), and the host the request was sent to (GraphiQL,
 * served by the gateway itself). A request without `Origin` is not a cross-site browser
 * request and passes; `Origin: null` (sandboxed pages, some redirects) does not.
 */
export type OriginAllowed = (origin: string | null | undefined, requestHost: string | null | undefined) => boolean;

export function createOriginPolicy(corsOrigins: readonly string[], publicUrl: string | undefined): OriginAllowed {
  const allowed = new Set(corsOrigins);
  if (publicUrl) allowed.add(new URL(publicUrl).origin);
  return (origin, requestHost) => {
    if (origin === undefined || origin === null) return true;
    if (allowed.has(origin)) return true;
    try {
      return !!requestHost && new URL(origin).host === requestHost;
    } catch {
      return false;
    }
  };
}
