import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayYoga } from './yoga.ts';

/** The Node HTTP server around yoga; the WebSocket endpoint attaches to the same server. */
export interface HttpServer {
  server: Server;
  listen(port: number, host: string): Promise<string>;
  /**
   * Stops accepting connections at once and resolves when the last one has ended: idle
   * keep-alive connections close now, busy ones after their response, and whatever is
   * still open after `graceMs` is cut.
   */
  close(graceMs: number): Promise<void>;
}

export function createHttpServer(yoga: GatewayYoga): HttpServer {
  const server = createServer(yoga);
  let closing = false;
  // A keep-alive connection whose response finishes during shutdown would otherwise sit idle
  // until its keep-alive timeout and hold `close` up.
  server.on('request', (_req, res) => {
    res.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  return {
    server,
    listen(port, host) {
      // The WebSocket server forwards this server's 'error' events to graphql-ws, which prints
      // them with a stack as an internal error; a failed listen (busy port) is the caller's to
      // report in one line, so those listeners wait until listen has settled.
      const forwarded = server.listeners('error') as ((error: Error) => void)[];
      server.removeAllListeners('error');
      const restore = () => {
        for (const listener of forwarded) server.on('error', listener);
      };
      return new Promise((resolve, reject) => {
        server.once('error', (error) => {
          restore();
          reject(error);
        });
        server.listen(port, host, () => {
          server.removeAllListeners('error');
          restore();
          const { port: bound } = server.address() as AddressInfo;
          const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
          resolve(`http://${shownHost}:${bound}`);
        });
      });
    },
    close(graceMs) {
      return new Promise((resolve, reject) => {
        if (!server.listening) return resolve();
        closing = true;
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close((err) => {
          clearTimeout(cut);
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
