import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface UpstreamCall {
  method: string;
  /** Path without the query string, `.json` suffix removed. */
  path: string;
  query: URLSearchParams;
  /** The request headers as the gateway sent them (e.g. `traceparent`). */
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A loopback HTTP proxy in front of the local service that records every request the
 * gateway makes, so tests can count upstream calls from the outside.
 */
export async function startCountingProxy(target: string) {
  const calls: UpstreamCall[] = [];
  // Calls in flight at once, and the most seen since the last reset.
  let inFlight = 0;
  let maxInFlight = 0;
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    calls.push({
      method: req.method ?? 'GET',
      path: url.pathname.replace(/\.json$/, ''),
      query: url.searchParams,
      headers: req.headers,
    });
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once('close', () => {
      inFlight -= 1;
    });
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (upstreamRes) => {
        // Hop-by-hop headers describe the proxy's own connection, not the local service's:
        // passing on the service's `Keep-Alive: timeout=72` would have the gateway reuse
        // sockets this server already closed.
        const { connection: _connection, 'keep-alive': _keepAlive, ...headers } = upstreamRes.headers;
        res.writeHead(upstreamRes.statusCode ?? 502, headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(forward);
  });
  // Longer than the gateway pool's keep-alive, so the client always closes idle sockets first.
  server.keepAliveTimeout = 75_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    reset() {
      calls.length = 0;
      maxInFlight = inFlight;
    },
    /** The most calls that were in flight at once since the last reset. */
    maxInFlight: () => maxInFlight,
    /** Calls whose method and path match, e.g. `count('GET', '/users/v2')`. */
    count(method: string, path: string | RegExp) {
      return calls.filter(
        (c) => c.method === method && (typeof path === 'string' ? c.path === path : path.test(c.path)),
      ).length;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
export type CountingProxy = Awaited<ReturnType<typeof startCountingProxy>>;
