import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { Busboy } from '@fastify/busboy';
import { tooLargeError, uploadLimits } from './upload-limits.ts';

/**
 * The GraphQL multipart request spec, parsed as the body arrives. yoga's own parser reads the
 * whole form (every file in memory) before execution starts; here the operation runs as soon
 * as `operations` and `map` have arrived, and each `Upload` streams its part's bytes straight
 * from the request when the resolver reads it. Parts come in order, and mutations run in
 * order, so one file is read at a time with back-pressure all the way to the client.
 */
export interface GraphQLMultipartLimits {
  /** Bytes per file; a bigger part errors its stream (the upload pipeline has its own check too). */
  maxFileBytes: number;
  maxFiles: number;
  /** Bytes of the `operations` and `map` fields. */
  maxFieldBytes: number;
  /**
   * Bytes of the whole body, counted as it is read: what `discardRest` may read after the
   * answer. By default room for the largest file, `operations`, `map` and the part headers.
   */
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_FILES_PER_REQUEST = 5;
export const DEFAULT_MAX_MULTIPART_FIELD_BYTES = 1024 * 1024;

export class MultipartRequestError extends Error {
  override name = 'MultipartRequestError';
  /** The HTTP status of the answer when the operation has not started yet. */
  readonly status: 400 | 413;
  constructor(message: string, status: 400 | 413 = 400) {
    super(message);
    this.status = status;
  }
}

/** An `Upload` value: quacks like the WHATWG `File` the pipeline reads. */
export class StreamedUpload {
  #name = '';
  #type = '';
  #claimed = false;
  #iterator: AsyncIterator<Uint8Array> | undefined;
  readonly #part: Promise<Readable>;
  #attach!: (part: Readable, name: string, type: string) => void;
  #fail!: (error: Error) => void;

  constructor() {
    this.#part = new Promise((resolve, reject) => {
      this.#attach = (part, name, type) => {
        this.#name = name;
        this.#type = type;
        resolve(part);
      };
      this.#fail = reject;
    });
    this.#part.catch(() => {}); // an upload nobody reads must not crash the process
  }

  /** Known once the part has begun, i.e. after the first bytes were read from `stream()`. */
  get name(): string {
    return this.#name;
  }
  get type(): string {
    return this.#type;
  }
  /** Unknown until the whole part has passed. */
  get size(): undefined {
    return undefined;
  }

  stream(): ReadableStream<Uint8Array> {
    if (this.#claimed) throw new MultipartRequestError('An uploaded file can be read only once.');
    this.#claimed = true;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          this.#iterator ??= (await this.#part)[Symbol.asyncIterator]();
          const { done, value } = await this.#iterator.next();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: () => this.discard(),
      },
      { highWaterMark: 0 },
    );
  }

  /**
   * Reads the rest of this part and drops it, so that later parts and the request's end
   * still arrive and the connection can serve its next request. Does not wait for it: the
   * answer need not wait for a client still sending. Once an iterator has read the part,
   * `resume()` does nothing (its 'readable' listener keeps the stream paused): the same
   * iterator reads on.
   */
  discard(): void {
    this.#part
      .then(async (part) => {
        if (!this.#iterator) return void part.resume();
        while (!(await this.#iterator.next()).done) {}
      })
      .catch(() => {}); // a failed part has nothing left to read
  }

  /** @internal used by the parser */
  attach(part: Readable, name: string, type: string): void {
    this.#attach(part, name, type);
  }
  /** @internal used by the parser */
  fail(error: Error): void {
    this.#fail(error);
  }
}

export interface ParsedMultipart {
  /** `operations` with every mapped path holding its `StreamedUpload`. */
  params: unknown;
  /**
   * The response is out: read what is left of the request and throw it away. Stopping
   * instead would reset a client still sending; the body is bounded by `maxBodyBytes`.
   */
  discardRest(): void;
}

export function parseGraphQLMultipart(request: Request, limits: GraphQLMultipartLimits): Promise<ParsedMultipart> {
  const body = request.body;
  if (!body) return Promise.reject(new MultipartRequestError('The multipart request has no body.'));
  const maxBodyBytes = limits.maxBodyBytes ?? limits.maxFileBytes + 2 * limits.maxFieldBytes;
  const tooLarge = () => new MultipartRequestError(`The multipart request body is at most ${maxBodyBytes} bytes.`, 413);
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBodyBytes) return Promise.reject(tooLarge());
  const busboy = new Busboy({
    headers: { 'content-type': request.headers.get('content-type') ?? '' },
    limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles, fields: 2, fieldSize: limits.maxFieldBytes },
  });
  const reader = body.getReader();
  const uploads = new Map<string, StreamedUpload>();
  /** The part being read now, and the upload it feeds. */
  let current: { part: Readable; upload: StreamedUpload } | undefined;
  let operations: unknown;
  let settled = false;
  let discarding = false;

  return new Promise<ParsedMultipart>((resolve, reject) => {
    const abort = (error: Error) => {
      current?.part.destroy(error);
      for (const upload of uploads.values()) upload.fail(error);
      reader.cancel().catch(() => {});
      busboy.destroy();
    };
    const fail = (error: Error) => {
      if (!settled) {
        settled = true;
        reject(error);
      }
      abort(error);
    };

    busboy.on('field', (name: string, value: string, _nameTruncated: boolean, valueTruncated: boolean) => {
      if (valueTruncated) return fail(new MultipartRequestError(`The multipart field "${name}" is too large.`));
      try {
        if (name === 'operations' && operations === undefined) {
          operations = JSON.parse(value);
          return;
        }
        if (name === 'map' && operations !== undefined && !settled) {
          const map = JSON.parse(value) as unknown;
          placeUploads(operations, map, uploads, limits.maxFiles);
          settled = true;
          resolve({
            params: operations,
            discardRest: () => {
              discarding = true;
              current?.upload.discard();
              for (const upload of uploads.values()) upload.fail(new MultipartRequestError('The file was not read.'));
            },
          });
          return;
        }
      } catch (error) {
        return fail(
          error instanceof MultipartRequestError ? error : new MultipartRequestError(`Invalid "${name}" field.`),
        );
      }
      fail(new MultipartRequestError('The multipart request must send "operations", then "map", then the files.'));
    });

    busboy.on('file', (name: string, part: Readable, filename: string, _encoding: string, mimeType: string) => {
      const upload = uploads.get(name);
      if (!settled || !upload || discarding) {
        part.resume();
        if (!settled) fail(new MultipartRequestError('A file came before "operations" and "map".'));
        return;
      }
      uploads.delete(name);
      current = { part, upload };
      part.on('limit', () => part.destroy(tooLargeError(uploadLimits({ maxBytes: limits.maxFileBytes }))));
      part.on('end', () => {
        if (current?.part === part) current = undefined;
      });
      upload.attach(part, filename ?? '', mimeType ?? '');
    });

    busboy.on('finish', () => {
      if (!settled) return fail(new MultipartRequestError('The multipart request has no "operations" and "map".'));
      for (const upload of uploads.values()) upload.fail(new MultipartRequestError('A mapped file was not sent.'));
      uploads.clear();
    });
    busboy.on('error', (error: Error) => fail(new MultipartRequestError(`Invalid multipart body: ${error.message}`)));

    // Feeds the parser at the pace the resolvers read: a full parser stops the reading.
    void (async () => {
      let read = 0;
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) break;
          read += value.byteLength;
          if (read > maxBodyBytes) return fail(tooLarge());
          if (!busboy.write(value)) await once(busboy, 'drain');
        }
        busboy.end();
      } catch (error) {
        fail(error instanceof Error ? error : new MultipartRequestError('The request body failed.'));
      }
    })();
  });
}

/**
 * Puts one `StreamedUpload` at each `variables.…` path the map names (no prototype keys). A
 * map of more files than the limit, or naming one path twice, is refused: a file no variable
 * holds would never be read, and the parts after it would wait behind it forever.
 */
function placeUploads(operations: unknown, map: unknown, uploads: Map<string, StreamedUpload>, maxFiles: number): void {
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw new MultipartRequestError('Invalid "map" field.');
  const entries = Object.entries(map);
  if (entries.length > maxFiles) throw new MultipartRequestError(`Too many files: at most ${maxFiles} per request.`);
  const placed = new Set<string>();
  for (const [field, paths] of entries) {
    if (!Array.isArray(paths) || paths.length === 0) throw new MultipartRequestError('Invalid "map" field.');
    const upload = new StreamedUpload();
    uploads.set(field, upload);
    for (const path of paths) {
      if (typeof path !== 'string') throw new MultipartRequestError('Invalid "map" field.');
      if (placed.has(path)) throw new MultipartRequestError(`The map names one path twice: ${path}`);
      placed.add(path);
      const keys = path.split('.');
      let target = operations as Record<string, unknown>;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
          throw new MultipartRequestError('Invalid "map" field.');
        }
        if (i === keys.length - 1) {
          target[key] = upload;
        } else {
          const next = target[key];
          if (!next || typeof next !== 'object')
            throw new MultipartRequestError(`The map names a missing path: ${path}`);
          target = next as Record<string, unknown>;
        }
      }
    }
  }
}
