import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * URLs the gateway signs for reading one file: `/files/<uid>?exp=<unix>&sig=<hex>`.
 *
 * Stateless and deterministic: `sig` is an HMAC-SHA256 over (uid, exp), and `exp` is the end
 * of the window after the one the URL was made in (windows of `ttlSeconds`, counted from the
 * Unix epoch). So the same file gets the same URL for a whole window, on every instance that
 * shares the key, and every URL handed out stays valid at least `ttlSeconds` and at most
 * twice that. Nothing upstream is in the URL: the download route asks the upstream for the
 * bytes when the URL is used.
 */
export const DEFAULT_FILE_URL_TTL_SECONDS = 15 * 60;
export const FILE_URL_PATH_PREFIX = '/files/';
/** HMAC-SHA256 wants a key at least as long as its output. */
export const MIN_SIGNING_SECRET_BYTES = 32;
/** v2: uid and expiry only (v1 links also carried a sealed upstream URL). */
const KEY_SALT = 'cube-gateway/file-url/v2';

export interface SignedFileClaims {
  uid: string;
  expiresAt: Date;
}

export type FileUrlCheck =
  | { ok: true; claims: SignedFileClaims }
  | { ok: false; reason: 'malformed' | 'invalid-signature' | 'expired' };

export interface FileUrlSigner {
  readonly pathPrefix: string;
  /** A path with query (`/files/…`); the caller puts the gateway's public origin in front. */
  sign(input: { uid: string }): string;
  verify(url: string | URL): FileUrlCheck;
}

export interface FileUrlSignerOptions {
  /** From config; at least 32 bytes. Every gateway instance must share it. */
  secret: string | Uint8Array;
  /** The window length, and the least time a URL stays valid. */
  ttlSeconds?: number;
  pathPrefix?: string;
  now?: () => number;
}

export function createFileUrlSigner(options: FileUrlSignerOptions): FileUrlSigner {
  const secret = typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : options.secret;
  if (secret.byteLength < MIN_SIGNING_SECRET_BYTES) {
    throw new Error(`The file URL signing key must be at least ${MIN_SIGNING_SECRET_BYTES} bytes long.`);
  }
  const macKey = Buffer.from(hkdfSync('sha256', secret, KEY_SALT, 'hmac-sha256', 32));
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_FILE_URL_TTL_SECONDS;
  const pathPrefix = options.pathPrefix ?? FILE_URL_PATH_PREFIX;
  const now = options.now ?? Date.now;

  const mac = (uid: string, exp: string) =>
    createHmac('sha256', macKey)
      .update(JSON.stringify([uid, exp]))
      .digest();

  return {
    pathPrefix,

    sign({ uid }) {
      const window = Math.floor(now() / 1000 / ttlSeconds);
      const exp = String((window + 2) * ttlSeconds);
      const query = new URLSearchParams({ exp, sig: mac(uid, exp).toString('hex') });
      return `${pathPrefix}${encodeURIComponent(uid)}?${query}`;
    },

    verify(input) {
      const url = typeof input === 'string' ? new URL(input, 'http://gateway.invalid') : input;
      if (!url.pathname.startsWith(pathPrefix)) return { ok: false, reason: 'malformed' };
      let uid: string;
      try {
        uid = decodeURIComponent(url.pathname.slice(pathPrefix.length));
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      const exp = single(url.searchParams, 'exp');
      const sig = single(url.searchParams, 'sig');
      if (!uid || uid.includes('/') || !exp || !/^\d{1,12}$/.test(exp) || !sig || !/^[0-9a-f]{64}$/.test(sig)) {
        return { ok: false, reason: 'malformed' };
      }
      if (!timingSafeEqual(Buffer.from(sig, 'hex'), mac(uid, exp))) {
        return { ok: false, reason: 'invalid-signature' };
      }
      const expiresAt = new Date(Number(exp) * 1000);
      if (expiresAt.getTime() <= now()) return { ok: false, reason: 'expired' };
      return { ok: true, claims: { uid, expiresAt } };
    },
  };
}

/** A parameter given twice is ambiguous: treat it as missing. */
function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  return values.length === 1 ? values[0] : undefined;
}
