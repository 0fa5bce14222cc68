import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type GraphQLMultipartLimits, MultipartRequestError, parseGraphQLMultipart } from './graphql-multipart.ts';

/**
 * Replaces yoga's multipart parser (which holds every file in memory before execution) with
 * the streaming one. Registered as a user plugin it runs after yoga's own parsers, so its
 * choice wins. It bounds the body itself (`maxBodyBytes`): turn yoga's `maxRequestBodySize`
 * off, whose wrapper (a Node Transform in whatwg-node's ponyfill) reads the request as fast
 * as the client sends it and queues whatever the upstream has not taken yet, with no
 * back-pressure: most of a large file, in memory.
 */
export function useStreamingUploads(limits: GraphQLMultipartLimits): Plugin {
  const pending = new WeakMap<Request, () => void>();
  return {
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== 'POST' || !isMultipart(request)) return;
      setRequestParser(async (body) => {
        try {
          const parsed = await parseGraphQLMultipart(body, limits);
          pending.set(request, parsed.discardRest);
          return parsed.params as never;
        } catch (error) {
          if (!(error instanceof MultipartRequestError)) throw error;
          const code = error.status === 413 ? 'REQUEST_TOO_LARGE' : 'BAD_REQUEST';
          throw new GraphQLError(error.message, { extensions: { code, http: { status: error.status } } });
        }
      });
    },
    onResponse({ request }) {
      // Parts no resolver read would hold the request open: read them to the end, unused.
      pending.get(request)?.();
      pending.delete(request);
    },
  };
}

function isMultipart(request: Request): boolean {
  return (request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
}
