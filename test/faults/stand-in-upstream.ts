import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small stand-in upstream for faults a real service does not produce on demand. In `pass`
 * mode it forwards to the real (local) service; otherwise it answers every request itself:
 * - `status-500` / `status-503`: a JSON 5xx;
 * - `html`: a 200 whose body is an HTML page (a misrouted proxy);
 * - `json-string`: a 200 whose body is JSON but not an object;
 * - `truncated`: a 200 JSON object cut off halfway;
 * - `hang`: never answers (the gateway's headers timeout must end it);
 * - `slow`: forwards after `slowMs`.
 */
export type FaultMode = 'pass' | 'status-500' | 'status-503' | 'html' | 'json-string' | 'truncated' | 'hang' | 'slow';

export async function startStandInUpstream(target: string, options: { slowMs?: number } = {}) {
  const upstream = new URL(target);
  const state = { mode: 'pass' as FaultMode, calls: 0 };
  const hanging = new Set<ServerResponse>();

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const outgoing = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (upstreamRes) => {
        const { connection: _connection, 'keep-alive': _keepAlive, ...headers } = upstreamRes.headers;
        res.writeHead(upstreamRes.statusCode ?? 502, headers);
        upstreamRes.pipe(res);
      },
    );
    outgoing.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"errors":["bad gateway"]}');
    });
    req.pipe(outgoing);
  };

  const server = createServer((req, res) => {
    state.calls++;
    switch (state.mode) {
      case 'pass':
        return forward(req, res);
      case 'slow': {
        const timer = setTimeout(() => forward(req, res), options.slowMs ?? 1_000);
        res.once('close', () => clearTimeout(timer));
        return;
      }
      case 'status-500':
      case 'status-503':
        req.resume();
        res.writeHead(state.mode === 'status-500' ? 500 : 503, { 'content-type': 'application/json' });
        return res.end('{"errors":["internal failure at db-7.internal:5432"]}');
      case 'html':
        req.resume();
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html><body>502 Bad Gateway (nginx at 10.0.0.7)</body></html>');
      case 'json-string':
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('"maintenance"');
      case 'truncated':
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"session":{"id":1,"user_id":');
      case 'hang':
        req.resume();
        hanging.add(res);
        res.once('close', () => hanging.delete(res));
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Requests received since the last `reset`. */
    get calls() {
      return state.calls;
    },
    setMode(mode: FaultMode) {
      state.mode = mode;
      // Requests left hanging are released as the mode changes, like a recovering upstream.
      for (const res of hanging) res.destroy();
    },
    reset() {
      state.calls = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
export type StandInUpstream = Awaited<ReturnType<typeof startStandInUpstream>>;
