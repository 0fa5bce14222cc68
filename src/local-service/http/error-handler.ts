import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError } from './errors.ts';

/** Every failure leaves as the upstream's `{"errors": ...}` shape; 5xx details stay in the log. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((_request, reply) => {
    reply.status(404).send({ errors: { base: ['Not found'] } });
  });
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      return reply.status(error.status).send({ errors: error.errors });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      // Fastify's own client errors: malformed JSON, body too large, bad content type.
      return reply.status(status).send({ errors: { base: [error.message] } });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ errors: { base: ['Internal server error'] } });
  });
}
