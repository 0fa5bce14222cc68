import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LIMITS } from './limit-error.ts';

export interface RequestSizeLimits {
  /** JSON, `application/graphql` and form bodies (`MAX_REQUEST_BYTES`). */
  maxBytes: number;
  /** Multipart uploads: the largest file plus room for `operations`, `map` and part headers. */
  maxMultipartBytes: number;
}

/**
 * Request bodies at most `MAX_REQUEST_BYTES` (multipart uploads: their own, larger limit).
 * The one body limit of the gateway: yoga's own (`maxRequestBodySize`) is off, since it pipes
 * every body through a TransformStream, Content-Length or not. Here a `Content-Length` over
 * the limit is refused before a byte is read, and one within it is taken as it is: Node's
 * HTTP parser never hands on more bytes than it declares. Only a chunked body is counted
 * while it streams, and cut off at the limit. The answer is 413 with a GraphQL-over-HTTP
 * body, `errors[0].extensions.code` REQUEST_TOO_LARGE. GET requests carry the operation in
 * the URL, which Node's header limit (16 KB) already bounds. Registered after every request
 * parser, so it wraps whichever one was chosen.
 */
export function useRequestSizeLimit(limits: RequestSizeLimits): Plugin {
  const tooLarge = (maxBytes: number, multipart: boolean) => {
    const { code } = LIMITS.requestBytes;
    const setting = multipart ? 'UPLOAD_MAX_BYTES, plus room for the other parts' : LIMITS.requestBytes.setting;
    return new GraphQLError(`The request body is at most ${maxBytes} bytes (${setting}).`, {
      extensions: { code, limit: maxBytes, http: { status: 413 } },
    });
  };
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (request.method === 'GET' || request.method === 'HEAD') return;
      const multipart = isMultipart(request);
      const maxBytes = multipart ? limits.maxMultipartBytes : limits.maxBytes;
      const declared = request.headers.get('content-length');
      if (declared !== null && /^\d+$/.test(declared)) {
        if (Number(declared) > maxBytes) throw tooLarge(maxBytes, multipart);
        return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser((req) => {
        let read = 0;
        const body = req.body?.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              read += chunk.byteLength;
              if (read > maxBytes) controller.error(tooLarge(maxBytes, multipart));
              else controller.enqueue(chunk);
            },
          }),
        );
        const limited = new Request(req.url, {
          method: req.method,
          headers: req.headers,
          signal: req.signal,
          body: body ?? null,
          duplex: 'half',
        } as RequestInit);
        return parse(limited);
      });
    },
  };
}

function isMultipart(request: Request): boolean {
  return (request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
}
