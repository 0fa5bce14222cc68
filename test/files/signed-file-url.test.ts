import { describe, expect, it } from 'vitest';
import {
  createFileUrlSigner,
  DEFAULT_FILE_URL_TTL_SECONDS,
  type FileUrlCheck,
} from '../../src/files/signed-file-url.ts';

const SECRET = 'a-test-signing-secret-of-at-least-32-bytes';
const OTHER_SECRET = 'another-signing-secret-of-at-least-32-bytes';
const TTL_MS = DEFAULT_FILE_URL_TTL_SECONDS * 1000;
/** A window boundary: 2030-01-01T00:00:00Z is a whole number of 15-minute windows. */
const T0 = Date.UTC(2030, 0, 1);

function signerAt(nowMs: number, secret = SECRET, ttlSeconds?: number) {
  return createFileUrlSigner({ secret, now: () => nowMs, ...(ttlSeconds && { ttlSeconds }) });
}

function withParam(path: string, name: string, value: string): string {
  const url = new URL(path, 'http://gw');
  url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
}

function reason(check: FileUrlCheck): string {
  return check.ok ? 'ok' : check.reason;
}

function expiresAt(path: string): number {
  const check = signerAt(T0).verify(path);
  if (!check.ok) throw new Error(`not a valid link: ${check.reason}`);
  return check.claims.expiresAt.getTime();
}

describe('signed file URLs', () => {
  it('name one file with its expiry and signature only', () => {
    const path = signerAt(T0).sign({ uid: 'abc123' });
    expect(path).toMatch(/^\/files\/abc123\?exp=\d+&sig=[0-9a-f]{64}$/);
    expect(signerAt(T0 + 1000).verify(`https://gateway.example${path}`)).toEqual({
      ok: true,
      claims: { uid: 'abc123', expiresAt: new Date(T0 + 2 * TTL_MS) },
    });
  });

  it('are the same for the same file all through one window, and change with the next', () => {
    const first = signerAt(T0).sign({ uid: 'abc123' });
    expect(signerAt(T0 + 1).sign({ uid: 'abc123' })).toBe(first);
    expect(signerAt(T0 + TTL_MS - 1).sign({ uid: 'abc123' })).toBe(first);
    const next = signerAt(T0 + TTL_MS).sign({ uid: 'abc123' });
    expect(next).not.toBe(first);
    expect(expiresAt(next)).toBe(T0 + 3 * TTL_MS);
    // Another instance with the same key makes the same URL.
    expect(createFileUrlSigner({ secret: SECRET, now: () => T0 + 5 }).sign({ uid: 'abc123' })).toBe(first);
    expect(signerAt(T0).sign({ uid: 'abc124' })).not.toBe(first);
  });

  it('stay valid at least one TTL and at most two after they are made', () => {
    for (const offset of [0, 1, 1000, TTL_MS / 2, TTL_MS - 1, TTL_MS, 7 * TTL_MS + 12_345]) {
      const now = T0 + offset;
      const lifetime = expiresAt(signerAt(now).sign({ uid: 'abc123' })) - now;
      expect(lifetime).toBeGreaterThanOrEqual(TTL_MS);
      expect(lifetime).toBeLessThanOrEqual(2 * TTL_MS);
    }
    // The window follows ttlSeconds.
    const minute = signerAt(T0 + 30_000, SECRET, 60).sign({ uid: 'abc123' });
    expect(expiresAt(minute)).toBe(T0 + 120_000);
  });

  it('refuses an expired link', () => {
    const path = signerAt(T0).sign({ uid: 'abc123' });
    expect(reason(signerAt(T0 + 2 * TTL_MS - 1).verify(path))).toBe('ok');
    expect(reason(signerAt(T0 + 2 * TTL_MS).verify(path))).toBe('expired');
  });

  it('refuses tampering with the uid, the expiry or the signature', () => {
    const signer = signerAt(T0);
    const path = signer.sign({ uid: 'abc123' });
    const url = new URL(path, 'http://gw');
    const exp = url.searchParams.get('exp')!;
    const sig = url.searchParams.get('sig')!;

    expect(reason(signer.verify(path.replace('/files/abc123', '/files/abc124')))).toBe('invalid-signature');
    expect(reason(signer.verify(withParam(path, 'exp', String(Number(exp) + 3600))))).toBe('invalid-signature');
    expect(reason(signer.verify(withParam(path, 'sig', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`)))).toBe(
      'invalid-signature',
    );
    // Another file's signature does not move over.
    const other = new URL(signer.sign({ uid: 'other' }), 'http://gw');
    expect(reason(signer.verify(withParam(path, 'sig', other.searchParams.get('sig')!)))).toBe('invalid-signature');
  });

  it('refuses a link signed with another key', () => {
    const path = signerAt(T0, OTHER_SECRET).sign({ uid: 'abc123' });
    expect(reason(signerAt(T0).verify(path))).toBe('invalid-signature');
  });

  it('refuses malformed links', () => {
    const signer = signerAt(T0);
    const path = signer.sign({ uid: 'abc123' });
    expect(reason(signer.verify('/elsewhere/abc123?exp=1&sig=00'))).toBe('malformed');
    expect(reason(signer.verify(path.replace(/&sig=[0-9a-f]+/, '')))).toBe('malformed');
    expect(reason(signer.verify(`${path}&sig=${'0'.repeat(64)}`))).toBe('malformed');
    expect(reason(signer.verify(path.replace(/sig=[0-9a-f]+/, 'sig=xyz')))).toBe('malformed');
    expect(reason(signer.verify(path.replace('/files/abc123', '/files/%E0%A4%A')))).toBe('malformed');
  });

  it('refuses a short signing key', () => {
    expect(() => createFileUrlSigner({ secret: 'too-short' })).toThrow(/at least 32 bytes/);
  });
});
