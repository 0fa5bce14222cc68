import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import pino, { type DestinationStream } from 'pino';

/**
 * What a request log line says about the request: the route pattern
 * (`/users/password/reset/:token`), never the URL. Paths carry reset tokens and blob uids,
 * query strings may carry `user[password]`, `auth_key` or `token`; none reach a log line.
 */
function requestSummary(request: FastifyRequest) {
  return {
    method: request.method,
    url: request.routeOptions?.url ?? '(no route)',
    remoteAddress: request.ip,
  };
}

export function createServiceLogger(level: string, destination?: DestinationStream): FastifyBaseLogger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers["cb-token"]',
          'req.headers.authorization',
          'req.headers["cb-authkey"]',
          // Fastify's debug line for the `.json` rewrite carries both URLs.
          'url',
          'originalUrl',
        ],
      },
      serializers: { req: requestSummary, err: pino.stdSerializers.err },
    },
    destination,
  );
}

/**
 * A W3C `traceparent` (the gateway sends one when its tracing is on) is logged at debug
 * level, so a request can be followed from the gateway's trace into this service's log.
 * Below debug the hook is not added: a route without onRequest hooks skips fastify's hook
 * runner altogether. (The level is the service's setting; nothing changes it while running.)
 */
export function registerTraceContextLog(server: FastifyInstance): void {
  if (server.log.level !== 'debug' && server.log.level !== 'trace') return;
  server.addHook('onRequest', (request, _reply, done) => {
    const traceparent = request.headers.traceparent;
    if (typeof traceparent === 'string') request.log.debug({ traceparent }, 'trace context');
    done();
  });
}
