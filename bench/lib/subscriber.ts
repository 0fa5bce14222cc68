import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { LOAD_CORE, type Spawned, spawnNode } from './processes.ts';

/**
 * A client process on the load core holding `count` graphql-ws sockets, one
 * `sessionEvents` subscription each (a browser tab's shape), every one with its own token.
 * It prints `open <count>` once every subscription has had its first event.
 */

export async function holdSubscriptions(graphqlWsUrl: string, count: number): Promise<Spawned> {
  const proc = spawnNode([fileURLToPath(import.meta.url), graphqlWsUrl, String(count)], {}, LOAD_CORE);
  await proc.waitFor(new RegExp(`^open (${count})$`), 300_000);
  return proc;
}

const BATCH = 200;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [url = '', count = '0'] = process.argv.slice(2);
  const clients: ReturnType<typeof createClient>[] = [];
  for (let start = 0; start < Number(count); start += BATCH) {
    const size = Math.min(BATCH, Number(count) - start);
    await Promise.all(
      Array.from({ length: size }, (_, i) => {
        const client = createClient({
          url,
          webSocketImpl: WebSocket,
          lazy: false,
          retryAttempts: 0,
          connectionParams: { token: `bench-sub-${process.pid}-${start + i}` },
        });
        clients.push(client);
        return new Promise<void>((resolve, reject) => {
          client.subscribe(
            { query: 'subscription { sessionEvents { type } }' },
            { next: () => resolve(), error: reject, complete: () => {} },
          );
        });
      }),
    );
  }
  console.log(`open ${clients.length}`);
  process.once('SIGTERM', () => {
    void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0));
  });
}
