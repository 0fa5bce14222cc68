import type { BlobRecord, BlobsUpstream } from './blobs-upstream.ts';
import { FileUploadError, FileValidationError, type OrphanCleanup, type UploadStep } from './errors.ts';
import { peekStream } from './peek-stream.ts';
import {
  checkDeclaredSize,
  decideContentType,
  SNIFF_BYTES,
  tooLargeError,
  type UploadLimits,
  type UploadPurpose,
} from './upload-limits.ts';

/** The parts of a WHATWG `File` (yoga's `Upload`) the pipeline reads. */
export interface UploadSource {
  /** `name` and `type` are read once the first bytes have come out of `stream()`. */
  name: string;
  type: string;
  /** Announced by the client; trusted only as an early refusal and for Content-Length. */
  size?: number | undefined;
  stream(): ReadableStream<Uint8Array>;
}

/** A last step run after the blob is complete (setting the avatar); its failure deletes the blob. */
export interface FinishStep<T> {
  step: UploadStep;
  run(blob: BlobRecord): Promise<T>;
}

export interface UploadInput<T = void> {
  file: UploadSource;
  isPublic: boolean;
  token: string;
  limits: UploadLimits;
  upstream: BlobsUpstream;
  purpose?: UploadPurpose;
  finish?: FinishStep<T>;
  /** The client went away: stop reading, stop sending, clean up. */
  signal?: AbortSignal | undefined;
}

export interface UploadResult<T> {
  /** The completed blob, without its upload grant. */
  blob: BlobRecord;
  finished: T | undefined;
}

const FALLBACK_FILE_NAME = 'file';
const MAX_FILE_NAME_LENGTH = 255;

/**
 * One streamed upload: sniff and validate the first bytes, create the blob, send the bytes
 * to the signed URL as they arrive (counted, cut off over the limit), complete the blob with
 * the real size, then the optional finish step. From the blob's creation on, any failure
 * deletes it again, so no orphan is left upstream.
 */
export async function uploadToUpstream<T = void>(input: UploadInput<T>): Promise<UploadResult<T>> {
  const { file, token, limits, upstream, signal } = input;
  const purpose = input.purpose ?? 'file';
  checkDeclaredSize(file.size, limits);

  const source = await peekStream(file.stream(), SNIFF_BYTES);
  // Read after the first bytes: a streamed multipart part knows its name only once it began.
  const name = fileName(file.name);
  let contentType: string;
  try {
    if (source.head.byteLength > limits.maxBytes) throw tooLargeError(limits);
    contentType = await decideContentType({ purpose, declaredType: file.type, head: source.head, limits });
  } catch (error) {
    await source.cancel();
    throw error;
  }

  let created: BlobRecord;
  try {
    created = await upstream.createBlob(token, { name, contentType, isPublic: input.isPublic });
  } catch (error) {
    await source.cancel();
    throw new FileUploadError('create', error, 'none');
  }

  let step: UploadStep = 'upload';
  const counter = byteCounter(limits, file.size);
  try {
    await upstream.uploadToSignedUrl(
      created.blob_object_access?.params ?? '',
      { filename: name, contentType, size: file.size, chunks: counter.count(source.chunks()) },
      signal,
    );
    step = 'complete';
    await upstream.completeBlob(token, created.id, counter.bytes);
    const blob = completedRecord(created, counter.bytes);
    if (!input.finish) return { blob, finished: undefined };
    step = input.finish.step;
    return { blob, finished: await input.finish.run(blob) };
  } catch (error) {
    await source.cancel();
    const cleanup = await deleteOrphan(upstream, token, created.id);
    // The limit is the client's fault, not the upstream's: say so, not which step broke.
    if (counter.refusal) {
      counter.refusal.cleanup = cleanup;
      throw counter.refusal;
    }
    throw new FileUploadError(step, error, cleanup);
  }
}

/** Counts bytes as they pass and stops the stream when they break the limit or the announced size. */
function byteCounter(limits: UploadLimits, declaredSize: number | undefined) {
  const state = {
    bytes: 0,
    refusal: undefined as FileValidationError | undefined,
    async *count(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
      for await (const chunk of chunks) {
        state.bytes += chunk.byteLength;
        if (state.bytes > limits.maxBytes) state.refusal = tooLargeError(limits);
        else if (declaredSize !== undefined && state.bytes > declaredSize) state.refusal = sizeMismatch();
        if (state.refusal) throw state.refusal;
        yield chunk;
      }
      if (declaredSize !== undefined && state.bytes !== declaredSize) {
        state.refusal = sizeMismatch();
        throw state.refusal;
      }
    },
  };
  return state;
}

function sizeMismatch(): FileValidationError {
  return new FileValidationError('The file is not as long as its announced size.');
}

async function deleteOrphan(upstream: BlobsUpstream, token: string, id: number): Promise<OrphanCleanup> {
  try {
    await upstream.deleteBlob(token, id);
    return 'deleted';
  } catch {
    return 'delete-failed';
  }
}

/** The record as it is now, minus the upload grant (a signed URL nobody else should see). */
function completedRecord(created: BlobRecord, size: number): BlobRecord {
  const { blob_object_access: _grant, ...rest } = created;
  return { ...rest, size, blob_status: 'complete' };
}

function fileName(raw: string): string {
  // Browsers send a bare name; strip any path a client may have sent anyway.
  const base = (raw ?? '').split(/[\\/]/).pop()?.trim() ?? '';
  return (base || FALLBACK_FILE_NAME).slice(0, MAX_FILE_NAME_LENGTH);
}
