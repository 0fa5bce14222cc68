import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * URLs the gateway signs for reading one file: `/files/<uid>?exp=<unix>&src=<sealed>&sig=<hex>`.
 *
 * Stateless: everything needed to serve the file is in the URL. `sig` is an HMAC-SHA256 over
 * (uid, exp, src). For a private file, `src` is the upstream's download URL for that blob
 * (minted with the owner's token at the time `File.url` was resolved), sealed with
 * AES-256-GCM so that nothing in it — a signed upstream URL, or a token if an upstream puts
 * one there — is readable by whoever holds the gateway URL. Public files have no `src`.
 */
export const DEFAULT_FILE_URL_TTL_SECONDS = 15 * 60;
export const FILE_URL_PATH_PREFIX = '/files/';
/** HMAC-SHA256 wants a key at least as long as its output. */
export const MIN_SIGNING_SECRET_BYTES = 32;
/** A gateway URL should die before the upstream URL inside it, not after. */
const SOURCE_EXPIRY_MARGIN_MS = 5_000;
const KEY_SALT = 'cube-gateway/file-url/v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SignedFileClaims {
  uid: string;
  expiresAt: Date;
  /** The upstream URL to read a private file from; absent for public files. */
  source: string | undefined;
}

export type FileUrlCheck =
  | { ok: true; claims: SignedFileClaims }
  | { ok: false; reason: 'malformed' | 'invalid-signature' | 'expired' };

export interface FileUrlSigner {
  readonly pathPrefix: string;
  /** A path with query (`/files/…`); the caller puts the gateway's public origin in front. */
  sign(input: { uid: string; source?: string | undefined; notAfter?: Date | null | undefined }): string;
  verify(url: string | URL): FileUrlCheck;
}

export interface FileUrlSignerOptions {
  /** From config; at least 32 bytes. Every gateway instance must share it. */
  secret: string | Uint8Array;
  ttlSeconds?: number;
  pathPrefix?: string;
  now?: () => number;
}

export function createFileUrlSigner(options: FileUrlSignerOptions): FileUrlSigner {
  const secret = typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : options.secret;
  if (secret.byteLength < MIN_SIGNING_SECRET_BYTES) {
    throw new Error(`The file URL signing key must be at least ${MIN_SIGNING_SECRET_BYTES} bytes long.`);
  }
  // Two independent keys from one setting: one signs, one seals.
  const macKey = Buffer.from(hkdfSync('sha256', secret, KEY_SALT, 'hmac-sha256', 32));
  const sealKey = Buffer.from(hkdfSync('sha256', secret, KEY_SALT, 'aes-256-gcm', 32));
  const ttlMs = (options.ttlSeconds ?? DEFAULT_FILE_URL_TTL_SECONDS) * 1000;
  const pathPrefix = options.pathPrefix ?? FILE_URL_PATH_PREFIX;
  const now = options.now ?? Date.now;

  const mac = (uid: string, exp: string, src: string) =>
    createHmac('sha256', macKey)
      .update(JSON.stringify([uid, exp, src]))
      .digest();

  return {
    pathPrefix,

    sign({ uid, source, notAfter }) {
      let expiresMs = now() + ttlMs;
      if (notAfter) expiresMs = Math.min(expiresMs, notAfter.getTime() - SOURCE_EXPIRY_MARGIN_MS);
      const exp = String(Math.floor(expiresMs / 1000));
      const src = source === undefined ? '' : seal(sealKey, source, aad(uid, exp));
      const query = new URLSearchParams({ exp });
      if (src) query.set('src', src);
      query.set('sig', mac(uid, exp, src).toString('hex'));
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
      const src = single(url.searchParams, 'src') ?? '';
      if (!uid || uid.includes('/') || !exp || !/^\d{1,12}$/.test(exp) || !sig || !/^[0-9a-f]{64}$/.test(sig)) {
        return { ok: false, reason: 'malformed' };
      }
      if (!timingSafeEqual(Buffer.from(sig, 'hex'), mac(uid, exp, src))) {
        return { ok: false, reason: 'invalid-signature' };
      }
      const expiresAt = new Date(Number(exp) * 1000);
      if (expiresAt.getTime() <= now()) return { ok: false, reason: 'expired' };
      let source: string | undefined;
      if (src) {
        try {
          source = unseal(sealKey, src, aad(uid, exp));
        } catch {
          return { ok: false, reason: 'invalid-signature' };
        }
      }
      return { ok: true, claims: { uid, expiresAt, source } };
    },
  };
}

function aad(uid: string, exp: string): Buffer {
  return Buffer.from(JSON.stringify([uid, exp]));
}

function seal(key: Buffer, plaintext: string, additional: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(additional);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

function unseal(key: Buffer, sealed: string, additional: Buffer): string {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.byteLength < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(additional);
  decipher.setAuthTag(raw.subarray(raw.byteLength - TAG_BYTES));
  return Buffer.concat([
    decipher.update(raw.subarray(IV_BYTES, raw.byteLength - TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}

/** A parameter given twice is ambiguous: treat it as missing. */
function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  return values.length === 1 ? values[0] : undefined;
}
