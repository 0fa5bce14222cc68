import { describe, expect, it } from 'vitest';
import {
  createFileUrlSigner,
  DEFAULT_FILE_URL_TTL_SECONDS,
  type FileUrlCheck,
} from '../../src/files/signed-file-url.ts';

const SECRET = 'a-test-signing-secret-of-at-least-32-bytes';
const OTHER_SECRET = 'another-signing-secret-of-at-least-32-bytes';
const SOURCE = 'http://127.0.0.1:4001/blobs/abc123?expires=1900000000&signature=deadbeef';
const T0 = Date.UTC(2030, 0, 1);

function signerAt(nowMs: number, secret = SECRET) {
  return createFileUrlSigner({ secret, now: () => nowMs });
}

function withParam(path: string, name: string, value: string): string {
  const url = new URL(path, 'http://gw');
  url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
}

function reason(check: FileUrlCheck): string {
  return check.ok ? 'ok' : check.reason;
}

describe('signed file URLs', () => {
  it('names one file, carries its sealed source, and expires after 15 minutes by default', () => {
    const path = signerAt(T0).sign({ uid: 'abc123', source: SOURCE });
    expect(path).toMatch(/^\/files\/abc123\?exp=\d+&src=[\w-]+&sig=[0-9a-f]{64}$/);
    // The upstream URL (and anything in it) is not readable from the gateway URL.
    expect(path).not.toContain('signature');
    expect(path).not.toContain('deadbeef');
    expect(path).not.toContain(encodeURIComponent('127.0.0.1'));

    const check = signerAt(T0 + 1000).verify(`https://gateway.example${path}`);
    expect(check).toEqual({
      ok: true,
      claims: { uid: 'abc123', source: SOURCE, expiresAt: new Date(T0 + DEFAULT_FILE_URL_TTL_SECONDS * 1000) },
    });
  });

  it('signs public files without a source', () => {
    const path = signerAt(T0).sign({ uid: 'pub1' });
    expect(path).not.toContain('src=');
    const check = signerAt(T0).verify(path);
    expect(check.ok && check.claims.source).toBe(undefined);
    expect(check.ok).toBe(true);
  });

  it('refuses an expired link', () => {
    const path = signerAt(T0).sign({ uid: 'abc123', source: SOURCE });
    expect(reason(signerAt(T0 + DEFAULT_FILE_URL_TTL_SECONDS * 1000 - 1000).verify(path))).toBe('ok');
    expect(reason(signerAt(T0 + DEFAULT_FILE_URL_TTL_SECONDS * 1000).verify(path))).toBe('expired');
  });

  it('never outlives the upstream URL it wraps', () => {
    const notAfter = new Date(T0 + 60_000);
    const path = signerAt(T0).sign({ uid: 'abc123', source: SOURCE, notAfter });
    const check = signerAt(T0).verify(path);
    expect(check.ok && check.claims.expiresAt.getTime()).toBeLessThan(notAfter.getTime());
  });

  it('refuses tampering with the uid, the expiry, the source or the signature', () => {
    const signer = signerAt(T0);
    const path = signer.sign({ uid: 'abc123', source: SOURCE });
    const url = new URL(path, 'http://gw');
    const exp = url.searchParams.get('exp')!;
    const sig = url.searchParams.get('sig')!;
    const src = url.searchParams.get('src')!;

    expect(reason(signer.verify(path.replace('/files/abc123', '/files/abc124')))).toBe('invalid-signature');
    expect(reason(signer.verify(withParam(path, 'exp', String(Number(exp) + 3600))))).toBe('invalid-signature');
    expect(reason(signer.verify(withParam(path, 'sig', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`)))).toBe(
      'invalid-signature',
    );
    const flipped = Buffer.from(src, 'base64url');
    flipped[20] = flipped[20]! ^ 1;
    expect(reason(signer.verify(withParam(path, 'src', flipped.toString('base64url'))))).toBe('invalid-signature');
    // Dropping the source would turn a private link into a public read of the same uid.
    const noSource = new URL(path, 'http://gw');
    noSource.searchParams.delete('src');
    expect(reason(signer.verify(`${noSource.pathname}${noSource.search}`))).toBe('invalid-signature');
    // A source sealed for another file cannot be moved over.
    const other = new URL(signer.sign({ uid: 'other', source: SOURCE }), 'http://gw');
    expect(reason(signer.verify(withParam(path, 'src', other.searchParams.get('src')!)))).toBe('invalid-signature');
  });

  it('refuses a link signed with another key', () => {
    const path = signerAt(T0, OTHER_SECRET).sign({ uid: 'abc123', source: SOURCE });
    expect(reason(signerAt(T0).verify(path))).toBe('invalid-signature');
  });

  it('refuses malformed links', () => {
    const signer = signerAt(T0);
    const path = signer.sign({ uid: 'abc123' });
    expect(reason(signer.verify('/elsewhere/abc123?exp=1&sig=00'))).toBe('malformed');
    expect(reason(signer.verify(path.replace(/&sig=[0-9a-f]+/, '')))).toBe('malformed');
    expect(reason(signer.verify(`${path}&sig=${'0'.repeat(64)}`))).toBe('malformed');
    expect(reason(signer.verify(path.replace(/sig=[0-9a-f]+/, 'sig=xyz')))).toBe('malformed');
  });

  it('refuses a short signing key', () => {
    expect(() => createFileUrlSigner({ secret: 'too-short' })).toThrow(/at least 32 bytes/);
  });
});
