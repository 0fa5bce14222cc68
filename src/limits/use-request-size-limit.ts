import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LIMITS } from './limit-error.ts';

/**
 * JSON, `application/graphql` and form bodies at most `MAX_REQUEST_BYTES` (multipart uploads
 * are bounded by the streaming parser, `use-streaming-uploads.ts`). A `Content-Length` over
 * the limit is refused before a byte is read, and one within it is taken as it is: Node's
 * HTTP parser never hands on more bytes than it declares, so the body needs no counting. Only
 * a chunked body is counted while it streams, and cut off at the limit. The answer is 413
 * with a GraphQL-over-HTTP body, `errors[0].extensions.code` REQUEST_TOO_LARGE. GET requests
 * carry the operation in the URL, which Node's header limit (16 KB) already bounds.
 * Registered after every request parser, so it wraps whichever one was chosen.
 */
export function useRequestSizeLimit(maxBytes: number): Plugin {
  const tooLarge = () => {
    const { code, setting } = LIMITS.requestBytes;
    return new GraphQLError(`The request body is at most ${maxBytes} bytes (${setting}).`, {
      extensions: { code, limit: maxBytes, http: { status: 413 } },
    });
  };
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (request.method === 'GET' || request.method === 'HEAD' || isMultipart(request)) return;
      const declared = request.headers.get('content-length');
      if (declared !== null && /^\d+$/.test(declared)) {
        if (Number(declared) > maxBytes) throw tooLarge();
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
              if (read > maxBytes) controller.error(tooLarge());
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
