/**
 * Errors of the files feature. They are plain Errors on purpose: the schema (phase 2) maps
 * them to the contract's `ValidationError` / `UpstreamUnavailableError`, so this folder does
 * not depend on GraphQL.
 */

/** The steps of an upload; `step` on an error says which one failed. */
export type UploadStep = 'create' | 'upload' | 'complete' | 'set-avatar';

/** What happened to a blob created before the failure. */
export type OrphanCleanup = 'none' | 'deleted' | 'delete-failed';

/** A file the gateway refuses: `{ code: 'VALIDATION_FAILED', message, field }`. */
export class FileValidationError extends Error {
  override name = 'FileValidationError';
  readonly code = 'VALIDATION_FAILED' as const;
  readonly field: string;
  /** Set when a blob had been created before the limit was hit (it is deleted again). */
  cleanup: OrphanCleanup = 'none';

  constructor(message: string, field = 'file') {
    super(message);
    this.field = field;
  }
}

/** An upstream step of the upload failed; the orphan blob, if any, has been dealt with. */
export class FileUploadError extends Error {
  override name = 'FileUploadError';
  readonly step: UploadStep;
  readonly cleanup: OrphanCleanup;
  /** The upstream's HTTP status, when it answered at all. */
  readonly status: number | undefined;

  constructor(step: UploadStep, cause: unknown, cleanup: OrphanCleanup) {
    super(
      `Upload failed at step "${step}"${cleanup === 'delete-failed' ? ' (and the partial blob could not be deleted)' : ''}.`,
      {
        cause,
      },
    );
    this.step = step;
    this.cleanup = cleanup;
    this.status = (cause as { status?: unknown } | null)?.status as number | undefined;
  }
}

/** The upstream answered a blob call with a status of 400 or more. */
export class BlobsUpstreamError extends Error {
  override name = 'BlobsUpstreamError';
  readonly status: number;
  /** The upstream's error body (`{"errors": ...}`), parsed when it was JSON. */
  readonly body: unknown;

  constructor(operation: string, status: number, body: unknown) {
    // The message names the operation and status only: never a URL (signed) or a token.
    super(`Upstream ${operation} answered ${status}`);
    this.status = status;
    this.body = body;
  }
}
