import type { FastifyRequest } from 'fastify';
import type { LocalServiceOptions } from '../app.ts';

/** Links handed out point at the configured public URL, else at the origin the client used. */
export function serviceBaseUrl(request: FastifyRequest, options: Pick<LocalServiceOptions, 'publicUrl'>): string {
  const configured = options.publicUrl;
  if (configured) return configured.replace(/\/+$/, '');
  return `${request.protocol}://${request.host}`;
}
