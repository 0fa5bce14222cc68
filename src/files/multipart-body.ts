import { randomBytes } from 'node:crypto';

/**
 * A `multipart/form-data` body built as a stream: text fields first, then one file whose
 * bytes are passed through as they arrive. undici's FormData with a Blob would read the
 * whole file first, which is exactly what an upload gateway must not do.
 */
export interface MultipartFile {
  /** The form field's name (`file` for the S3 presigned-POST shape). */
  field: string;
  filename: string;
  contentType: string;
  /** When known, the body gets a Content-Length (S3 wants one); the bytes must then match. */
  size?: number | undefined;
  chunks: AsyncIterable<Uint8Array>;
}

export interface MultipartBody {
  contentType: string;
  /** Exact body length, when the file's size is known in advance. */
  contentLength: number | undefined;
  body: AsyncIterable<Uint8Array>;
}

const CRLF = '\r\n';
const encoder = new TextEncoder();

export function multipartBody(fields: Iterable<[string, string]>, file: MultipartFile): MultipartBody {
  const boundary = `----cube-gateway-${randomBytes(12).toString('hex')}`;
  let preamble = '';
  for (const [name, value] of fields) {
    preamble += `--${boundary}${CRLF}Content-Disposition: form-data; name="${quote(name)}"${CRLF}${CRLF}${value}${CRLF}`;
  }
  preamble +=
    `--${boundary}${CRLF}` +
    `Content-Disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.filename)}"${CRLF}` +
    `Content-Type: ${file.contentType}${CRLF}${CRLF}`;
  const head = encoder.encode(preamble);
  const tail = encoder.encode(`${CRLF}--${boundary}--${CRLF}`);

  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: file.size === undefined ? undefined : head.byteLength + file.size + tail.byteLength,
    body: (async function* () {
      yield head;
      yield* file.chunks;
      yield tail;
    })(),
  };
}

/** Quoting as browsers do it (WHATWG HTML, multipart/form-data encoding). */
function quote(value: string): string {
  return value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}
