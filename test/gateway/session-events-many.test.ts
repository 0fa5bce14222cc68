import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { type EventLog, sseSubscribe, type WsConnection, wsConnect } from '../support/session-clients.ts';

/**
 * 1,000 concurrent `sessionEvents` subscriptions on one instance, each with a token of its
 * own (half over graphql-ws, one connection per token; half over SSE). Every other token is
 * destroyed: exactly those subscriptions see DESTROYED, the rest see nothing more.
 */

const SUBSCRIPTIONS = 1_000;
const CONCURRENCY = 50;

let gw: RunningGateway;
beforeAll(async () => {
  // Every stream and session comes from 127.0.0.1 here: room for all of them (one address would
  // get 10 streams and 60 new sessions a minute by default).
  gw = await startGateway({
    env: { MAX_SSE_STREAMS_PER_ADDRESS: String(SUBSCRIPTIONS), RATE_LIMIT_CREATE_SESSION_PER_ADDRESS: 'off' },
  });
});
afterAll(() => gw?.close());

/** Runs `task` for 0..count-1 with at most CONCURRENCY in flight. */
async function pool<T>(count: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

describe('many concurrent subscriptions', () => {
  it(`${SUBSCRIPTIONS} subscriptions each receive their own events and nobody else's`, {
    timeout: 180_000,
  }, async () => {
    const tokens = await pool(SUBSCRIPTIONS, async () => {
      const res = await gw.gql('mutation { createSession { ... on CreateSessionSuccess { session { token } } } }');
      return res.data.createSession.session.token as string;
    });
    expect(new Set(tokens).size).toBe(SUBSCRIPTIONS);

    const connections: WsConnection[] = [];
    const logs: EventLog[] = tokens.map((token, i) => {
      if (i % 2 === 0) return sseSubscribe(gw.url, token);
      const ws = wsConnect(gw.url, { token });
      connections.push(ws);
      return ws.subscribe();
    });
    try {
      // All 1,000 open at once, each with its upstream calls: under the whole suite on a slow
      // machine the last may take most of a minute to see their first event.
      await pool(SUBSCRIPTIONS, (i) => (logs[i] as EventLog).waitFor('EXTENDED', 60_000));
      gw.upstream.reset();

      // Destroy tokens 0, 1, 4, 5, 8, 9, ...: both transports on both sides.
      const destroyed = (i: number) => i % 4 < 2;
      await pool(SUBSCRIPTIONS, async (i) => {
        if (!destroyed(i)) return;
        const res = await gw.gql(
          'mutation { destroySession { __typename ... on Error { code message } } }',
          {},
          { token: tokens[i] },
        );
        expect(res.data.destroySession).toEqual({ __typename: 'DestroySessionSuccess' });
      });
      await pool(SUBSCRIPTIONS, async (i) => {
        if (destroyed(i)) await (logs[i] as EventLog).waitForCompletion(30_000);
      });
      // A moment for any misrouted event to arrive.
      await new Promise((resolve) => setTimeout(resolve, 500));

      logs.forEach((log, i) => {
        expect(log.errors).toEqual([]);
        if (destroyed(i)) {
          // The destroy's own GET /session is activity: it may add one EXTENDED first.
          expect(log.types().filter((t) => t !== 'EXTENDED')).toEqual(['DESTROYED']);
          expect(log.types().at(-1)).toBe('DESTROYED');
        } else {
          expect(log.types()).toEqual(['EXTENDED']);
          expect(log.completed()).toBe(false);
        }
      });
      // Each destroy is one GET and one DELETE; the subscriptions themselves never call the upstream.
      expect(gw.upstream.count('GET', '/session')).toBe(SUBSCRIPTIONS / 2);
      expect(gw.upstream.count('DELETE', '/session')).toBe(SUBSCRIPTIONS / 2);
      expect(gw.upstream.calls).toHaveLength(SUBSCRIPTIONS);
    } finally {
      for (const log of logs) log.stop();
      await Promise.all(connections.map((ws) => ws.dispose()));
    }
  });
});
