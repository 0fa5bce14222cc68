import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { LocalServiceOptions } from '../app.ts';

/**
 * 127.0.0.0/8, [::1] and `localhost`, with an optional port, and nothing else: a Host such
 * as `127.0.0.1:80@attacker.example` must not pass as loopback.
 */
const LOOPBACK_HOST = /^(?:localhost|127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}|\[::1\])(?::\d{1,5})?$/i;

/** `host:port` the connection came in on: the listening address, whatever the client claims. */
function listeningAddress(request: FastifyRequest): string {
  const { localAddress, localPort } = request.socket;
  const address = (localAddress ?? '127.0.0.1').replace(/^::ffff:(?=\d+\.)/, '');
  return `${isIP(address) === 6 ? `[${address}]` : address}:${localPort}`;
}

/**
 * The origin of links the service hands out (reset mails, upload URLs): the configured
 * public URL; unset, the request's own origin when its Host is a loopback name (a developer
 * on this machine), else the address the connection came in on. A forged `Host:
 * attacker.example` therefore never reaches a mailed link.
 */
export function serviceBaseUrl(request: FastifyRequest, options: Pick<LocalServiceOptions, 'publicUrl'>): string {
  const configured = options.publicUrl;
  if (configured) return configured.replace(/\/+$/, '');
  const host = LOOPBACK_HOST.test(request.host) ? request.host : listeningAddress(request);
  return `${request.protocol}://${host}`;
}
