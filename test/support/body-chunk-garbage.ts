/**
 * Child process for test/gateway/start-flags.test.ts: what Node's HTTP server leaves behind
 * while a 100 MB request body streams through it. The parser hands every read (≈ 64 KB) over
 * in a Buffer of its own; the handler drops each one at once, as the gateway's upload path
 * does once the bytes are on their way upstream. Prints the peak growth of the memory held by
 * ArrayBuffers (live and not yet collected), in MB. Run with `--expose-gc`: the measurement
 * starts after a full collection, with no full GC's marking under way.
 */
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const MB = 1024 * 1024;
const BODY_BYTES = 100 * MB;
const CLIENT_CHUNK = Buffer.alloc(64 * 1024, 0x61);

let peak = 0;
const server = createServer(async (req, res) => {
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.byteLength;
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
  }
  res.end(String(bytes));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');

globalThis.gc?.();
const before = process.memoryUsage().arrayBuffers;
const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, method: 'POST', path: '/' });
// The same Buffer every time: the client adds no garbage of its own.
for (let sent = 0; sent < BODY_BYTES; sent += CLIENT_CHUNK.byteLength) {
  if (!req.write(CLIENT_CHUNK)) await once(req, 'drain');
}
req.end();
const [res] = (await once(req, 'response')) as [AsyncIterable<Buffer>];
let received = '';
for await (const part of res) received += part;
server.close();
if (Number(received) !== BODY_BYTES) throw new Error(`the server read ${received} bytes`);
console.log((peak / MB).toFixed(1));
