import { FileValidationError } from './errors.ts';

/** The upstream's own ceiling for a blob. */
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** Avatars are shown by every client in an `<img>`: raster formats browsers decode. */
export const DEFAULT_AVATAR_CONTENT_TYPES: readonly string[] = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
];

/**
 * `uploadFile` accepts any type by default (chat attachments are arbitrary files): `/files/`
 * serves with `nosniff`, a sandbox CSP and `attachment` for anything not safe inline, so
 * stored markup never runs on the gateway's origin. `UPLOAD_ALLOWED_TYPES` narrows it.
 */
export const DEFAULT_ALLOWED_CONTENT_TYPES: readonly string[] = ['*/*'];

/**
 * A narrower list for `UPLOAD_ALLOWED_TYPES`: common media, documents and plain data, without
 * SVG, HTML, executables and `application/octet-stream`.
 */
export const COMMON_CONTENT_TYPES: readonly string[] = [
  ...DEFAULT_AVATAR_CONTENT_TYPES,
  'image/heic',
  'image/heif',
  'image/bmp',
  'image/tiff',
  'video/mp4',
  'video/webm',
  'video/quicktime',
  'audio/mpeg',
  'audio/mp4',
  'audio/aac',
  'audio/ogg',
  'audio/opus',
  'audio/wav',
  'audio/webm',
  'application/pdf',
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'text/plain',
  'text/csv',
  'text/markdown',
  'application/json',
];

/** file-type's own sample size: enough for every format it knows. */
export const SNIFF_BYTES = 4100;

export interface UploadLimits {
  maxBytes: number;
  /** For `uploadFile`; entries may be `type/*`. */
  allowedContentTypes: readonly string[];
  /** For avatars; checked against the sniffed bytes only. */
  avatarContentTypes: readonly string[];
}

export type UploadPurpose = 'file' | 'avatar';

export function uploadLimits(overrides: Partial<UploadLimits> = {}): UploadLimits {
  return {
    maxBytes: DEFAULT_MAX_UPLOAD_BYTES,
    allowedContentTypes: DEFAULT_ALLOWED_CONTENT_TYPES,
    avatarContentTypes: DEFAULT_AVATAR_CONTENT_TYPES,
    ...overrides,
  };
}

export function tooLargeError(limits: UploadLimits): FileValidationError {
  return new FileValidationError(`The file is larger than the maximum of ${formatBytes(limits.maxBytes)}.`);
}

/** Refuses early when the client announced a size over the limit. */
export function checkDeclaredSize(size: number | undefined, limits: UploadLimits): void {
  if (size !== undefined && size > limits.maxBytes) throw tooLargeError(limits);
}

/**
 * The content type to store, decided from the first bytes rather than the client's claim:
 * a sniffed format wins; a declared type file-type could have recognised but did not is a
 * lie; only formats without a signature (text, CSV, JSON) fall back to the declared type.
 */
export async function decideContentType(input: {
  purpose: UploadPurpose;
  declaredType: string | undefined;
  head: Uint8Array;
  limits: UploadLimits;
}): Promise<string> {
  const { purpose, head, limits } = input;
  const declared = normalizeType(input.declaredType);
  // Loaded at the first upload: file-type's signature tables are ≈ 1.8 MB of heap.
  const { fileTypeFromBuffer, supportedMimeTypes } = await import('file-type');
  const sniffed = (await fileTypeFromBuffer(head))?.mime;

  if (purpose === 'avatar') {
    if (!sniffed || !matchesAny(sniffed, limits.avatarContentTypes)) {
      throw new FileValidationError(
        `An avatar must be an image (${limits.avatarContentTypes.join(', ')}); the file's content is ${sniffed ?? 'not an image'}.`,
      );
    }
    return sniffed;
  }

  let effective: string;
  if (sniffed) {
    effective = sniffed;
  } else if (declared && supportedMimeTypes.has(declared as never)) {
    throw new FileValidationError(`The file's content is not ${declared}.`);
  } else {
    effective = declared || 'application/octet-stream';
    if (isTextual(effective) && head.includes(0)) {
      throw new FileValidationError(`The file's content is not ${effective}.`);
    }
  }
  if (!matchesAny(effective, limits.allowedContentTypes)) {
    throw new FileValidationError(`Files of type ${effective} are not accepted.`);
  }
  return effective;
}

/** `Image/PNG; charset=x` → `image/png`. */
function normalizeType(type: string | undefined): string {
  return (type ?? '').split(';')[0]!.trim().toLowerCase();
}

function matchesAny(type: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const p = pattern.toLowerCase();
    if (p === '*/*') return true;
    return p.endsWith('/*') ? type.startsWith(p.slice(0, -1)) : type === p;
  });
}

function isTextual(type: string): boolean {
  return type.startsWith('text/') || type === 'application/json';
}

function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB` : `${bytes} bytes`;
}
