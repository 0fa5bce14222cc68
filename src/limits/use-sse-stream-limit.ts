import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { ClientAddressOf } from '../server/client-address.ts';
import { LIMITS } from './limit-error.ts';

/**
 * At most `MAX_SSE_STREAMS_PER_ADDRESS` open `text/event-stream` responses per client address
 * (socket peer, or X-Forwarded-For from TRUSTED_PROXIES). One more is answered 429 with a
 * GraphQL-over-HTTP body (`MAX_SSE_STREAMS_EXCEEDED`) before anything runs; a stream's
 * slot is free again when its response closes, however it closes.
 */
export function useSseStreamLimit(
  maxStreams: number,
  clientAddressOf: ClientAddressOf,
): Plugin<object, { req?: IncomingMessage; res?: ServerResponse }> {
  const open = new Map<string, number>();
  return {
    onRequest({ request, serverContext, endResponse, fetchAPI }) {
      const { req, res } = serverContext;
      if (!req || !res || !(request.headers.get('accept') ?? '').includes('text/event-stream')) return;
      const address = clientAddressOf(req);
      const count = open.get(address) ?? 0;
      if (count >= maxStreams) {
        const { code, setting } = LIMITS.sseStreams;
        endResponse(
          fetchAPI.Response.json(
            {
              errors: [
                {
                  message: `Open event streams per client address are at most ${maxStreams} (${setting}).`,
                  extensions: { code, limit: maxStreams },
                },
              ],
            },
            { status: 429, headers: { 'retry-after': '1' } },
          ),
        );
        return;
      }
      open.set(address, count + 1);
      res.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left > 0) open.set(address, left);
        else open.delete(address);
      });
    },
  };
}
