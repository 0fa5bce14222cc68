import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayYoga } from './yoga.ts';

/** The Node HTTP server around yoga; the WebSocket endpoint attaches to the same server. */
export interface HttpServer {
  server: Server;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

export function createHttpServer(yoga: GatewayYoga): HttpServer {
  const server = createServer(yoga);
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
    close() {
      return new Promise((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
        // In-flight requests get a moment; then every socket goes.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
    },
  };
}
