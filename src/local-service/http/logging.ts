import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import pino, { type DestinationStream } from 'pino';

/** Tokens travel in headers and, for blob streaming, in `?token=`: neither reaches a log line. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token)=)[^&]*/g, '$1[redacted]');
}

export function createServiceLogger(level: string, destination?: DestinationStream): FastifyBaseLogger {
  return pino(
    {
      level,
      redact: ['req.headers["cb-token"]', 'req.headers.authorization', 'req.headers["cb-authkey"]'],
      serializers: {
        req: (request: { method: string; url: string; ip?: string }) => ({
          method: request.method,
          url: redactUrl(request.url),
          remoteAddress: request.ip,
        }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}

/**
 * A W3C `traceparent` (the gateway sends one when its tracing is on) is logged at debug
 * level, so a request can be followed from the gateway's trace into this service's log.
 */
export function registerTraceContextLog(server: FastifyInstance): void {
  server.addHook('onRequest', (request, _reply, done) => {
    const traceparent = request.headers.traceparent;
    if (typeof traceparent === 'string') request.log.debug({ traceparent }, 'trace context');
    done();
  });
}
