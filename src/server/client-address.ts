import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/**
 * The address of the client behind a request: the socket's peer, or the nearest address in
 * `X-Forwarded-For` that is not a trusted proxy, when (and only when) the peer itself is one
 * of `TRUSTED_PROXIES`. Parsing and CIDR matching are proxy-addr's (the library Express uses).
 */
export type ClientAddressOf = (req: IncomingMessage | undefined) => string;

/** What a request that did not come through a socket (in-process `yoga.fetch`) counts as. */
export const UNKNOWN_CLIENT_ADDRESS = 'unknown';

export function createClientAddress(trustedProxies: readonly string[]): ClientAddressOf {
  const trust = proxyAddr.compile([...trustedProxies]);
  // Asked for more than once per request (its context, its log line): worked out once.
  const known = new WeakMap<IncomingMessage, string>();
  const addressOf = (req: IncomingMessage) => {
    try {
      return proxyAddr(req, trust) || UNKNOWN_CLIENT_ADDRESS;
    } catch {
      return req.socket.remoteAddress ?? UNKNOWN_CLIENT_ADDRESS;
    }
  };
  return (req) => {
    if (!req?.socket) return UNKNOWN_CLIENT_ADDRESS;
    let address = known.get(req);
    if (address === undefined) {
      address = addressOf(req);
      known.set(req, address);
    }
    return address;
  };
}
