import { describe, expect, it } from 'vitest';
import { FileValidationError } from '../../src/files/errors.ts';
import {
  COMMON_CONTENT_TYPES,
  checkDeclaredSize,
  DEFAULT_MAX_UPLOAD_BYTES,
  decideContentType,
  uploadLimits,
} from '../../src/files/upload-limits.ts';
import { PNG_BYTES } from './fixtures.ts';

const limits = uploadLimits({ allowedContentTypes: COMMON_CONTENT_TYPES });
const text = new TextEncoder().encode('hello, world\n');
const pdf = new TextEncoder().encode('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n');

async function refusal(promise: Promise<unknown>): Promise<{ code: string; field: string; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FileValidationError);
  const { code, field, message } = error as FileValidationError;
  return { code, field, message };
}

describe('upload limits', () => {
  it('defaults to the upstream maximum of 100 MB', () => {
    expect(limits.maxBytes).toBe(DEFAULT_MAX_UPLOAD_BYTES);
    expect(DEFAULT_MAX_UPLOAD_BYTES).toBe(100 * 1024 * 1024);
    expect(() => checkDeclaredSize(DEFAULT_MAX_UPLOAD_BYTES, limits)).not.toThrow();
    expect(() => checkDeclaredSize(DEFAULT_MAX_UPLOAD_BYTES + 1, limits)).toThrow(/larger than the maximum of 100 MB/);
  });

  it('accepts an avatar by its bytes, whatever it was declared as', async () => {
    expect(await decideContentType({ purpose: 'avatar', declaredType: 'text/plain', head: PNG_BYTES, limits })).toBe(
      'image/png',
    );
  });

  it('refuses text declared as an image for an avatar', async () => {
    const error = await refusal(
      decideContentType({ purpose: 'avatar', declaredType: 'image/png', head: text, limits }),
    );
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'file' });
    expect(error.message).toMatch(/avatar must be an image/);
  });

  it('refuses a real file of a type not allowed for avatars', async () => {
    const error = await refusal(decideContentType({ purpose: 'avatar', declaredType: 'image/png', head: pdf, limits }));
    expect(error.message).toMatch(/application\/pdf/);
  });

  it('stores the sniffed type of other files, and the declared one only for formats without a signature', async () => {
    expect(await decideContentType({ purpose: 'file', declaredType: 'application/x-foo', head: pdf, limits })).toBe(
      'application/pdf',
    );
    expect(
      await decideContentType({ purpose: 'file', declaredType: 'text/csv; charset=utf-8', head: text, limits }),
    ).toBe('text/csv');
  });

  it('refuses a declared type the bytes do not bear out', async () => {
    const error = await refusal(decideContentType({ purpose: 'file', declaredType: 'image/png', head: text, limits }));
    expect(error.message).toBe("The file's content is not image/png.");
    const binary = new Uint8Array([0x68, 0x69, 0x00, 0x01, 0x02]);
    expect(
      (await refusal(decideContentType({ purpose: 'file', declaredType: 'text/plain', head: binary, limits }))).message,
    ).toBe("The file's content is not text/plain.");
  });

  it('accepts any type by default (UPLOAD_ALLOWED_TYPES unset)', async () => {
    const html = new TextEncoder().encode('<!doctype html><script>alert(1)</script>');
    const any = uploadLimits();
    expect(await decideContentType({ purpose: 'file', declaredType: 'text/html', head: html, limits: any })).toBe(
      'text/html',
    );
    expect(await decideContentType({ purpose: 'file', declaredType: '', head: text, limits: any })).toBe(
      'application/octet-stream',
    );
  });

  it('refuses types outside the configured list, which accepts wildcards', async () => {
    const html = new TextEncoder().encode('<!doctype html><script>alert(1)</script>');
    expect(
      (await refusal(decideContentType({ purpose: 'file', declaredType: 'text/html', head: html, limits }))).message,
    ).toBe('Files of type text/html are not accepted.');
    expect((await refusal(decideContentType({ purpose: 'file', declaredType: '', head: text, limits }))).message).toBe(
      'Files of type application/octet-stream are not accepted.',
    );
    const imagesOnly = uploadLimits({ allowedContentTypes: ['image/*'] });
    expect(await decideContentType({ purpose: 'file', declaredType: '', head: PNG_BYTES, limits: imagesOnly })).toBe(
      'image/png',
    );
    await refusal(
      decideContentType({ purpose: 'file', declaredType: 'application/pdf', head: pdf, limits: imagesOnly }),
    );
  });
});
