import type { FastifyBaseLogger } from 'fastify';
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
