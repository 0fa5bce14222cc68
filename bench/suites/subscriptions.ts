import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { gatewayArgv } from '../lib/gateway-command.ts';
import { rssBytes, spawnNode } from '../lib/processes.ts';
import { startServer, startStandInUpstream } from '../lib/servers.ts';
import { percentile } from '../lib/stats.ts';
import { holdSubscriptions } from '../lib/subscriber.ts';
import type { Settings, Table } from '../lib/table.ts';

/**
 * 4. Subscriptions: the gateway's RSS per open graphql-ws `sessionEvents` subscription at
 * 1,000 and 10,000 (one per socket, each its own token), and event delivery between two
 * instances through Redis: activity on instance A, the EXTENDED event at a subscriber of B.
 * Each count is measured in every round on a gateway of its own (the RSS of one process moves
 * by a few MB with where its heap and allocator happen to stand), so each figure is the median
 * of the rounds with its spread, as elsewhere.
 *
 * "Per open subscription" is what each one held costs, so it is measured over a warm
 * gateway with none open, not over one that has never served anything: a warm-up first
 * opens WARM_UP subscriptions through the same holder, each receiving its first event, then
 * closes them and waits until the gateway reports no socket and no subscription left (its
 * own gauges on /metrics) and the settling time. What the warm-up pays once (the first
 * upstream call; compiling the subscription path; module loads; heap steps) is then in the
 * baseline, where it would otherwise be spread over the subscriptions and dominate the
 * figure at 1,000. Nothing is
 * hidden: the table keeps the RSS idle before anything, the warm baseline and the absolute
 * RSS with the subscriptions open.
 */

const SETTLE_MS = 2_000;
const WARM_UP = 50;
const DELIVERIES = 200;

export async function subscriptions(settings: Settings, table: Table): Promise<void> {
  const upstream = await startStandInUpstream();
  try {
    for (const count of settings.quick ? [1_000] : [1_000, 10_000]) {
      for (let round = 0; round < settings.rounds; round++) await hold(count, upstream.url, table);
    }
    await delivery(upstream.url, settings, table);
  } finally {
    await upstream.process.stop();
  }
}

/** One round: a new gateway, warmed, then `count` subscriptions held open on it. */
async function hold(count: number, upstreamUrl: string, table: Table): Promise<void> {
  const gateway = await startServer('gateway', upstreamUrl);
  try {
    const wsUrl = `${gateway.url.replace(/^http/, 'ws')}/graphql`;
    await settle();
    const idle = rssBytes(gateway.process.pid);
    const warmUp = await holdSubscriptions(wsUrl, WARM_UP);
    await warmUp.stop();
    await noneOpen(gateway.url);
    await settle();
    const baseline = rssBytes(gateway.process.pid);
    const holder = await holdSubscriptions(wsUrl, count);
    await settle();
    const after = rssBytes(gateway.process.pid);
    const section = `subscriptions: ${count.toLocaleString('en-US')} open over graphql-ws`;
    table.add(section, 'gateway RSS idle, before anything (MB)', idle / 2 ** 20, 1);
    table.add(section, `gateway RSS warm, none open: the baseline (MB)`, baseline / 2 ** 20, 1);
    table.add(section, 'gateway RSS with them open (MB)', after / 2 ** 20, 1);
    table.add(section, 'KB per subscription over the baseline (target ≤ 12)', (after - baseline) / 1024 / count, 1);
    await holder.stop();
  } finally {
    await gateway.process.stop();
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/**
 * Resolves once the gateway's gauges show no accepted socket and no running subscription:
 * every socket of the warm-up closed on the server's side, its subscription ended.
 */
async function noneOpen(gatewayUrl: string, timeoutMs = 30_000): Promise<void> {
  const started = performance.now();
  for (;;) {
    const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    if (gauge('gateway_websocket_connections') === 0 && gauge('gateway_subscriptions') === 0) return;
    if (performance.now() - started > timeoutMs) throw new Error(`warm-up subscriptions still open: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function delivery(upstreamUrl: string, settings: Settings, table: Table): Promise<void> {
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const section = 'subscriptions: event delivery between two instances through Redis';
  if (!(await reachable(redisUrl))) {
    table.add(section, `SKIPPED: no Redis at ${redisUrl}`, Number.NaN);
    return;
  }
  const env = {
    NODE_ENV: 'production',
    PORT: '0',
    LOG_LEVEL: 'warn',
    UPSTREAM_URL: upstreamUrl,
    CUBE_APPLICATION_ID: '1',
    CUBE_AUTH_KEY: 'bench-auth-key',
    FILE_URL_SIGNING_KEY: 'bench-file-url-signing-key-0123456789abcdef',
    REDIS_URL: redisUrl,
    SESSION_TOKEN_HASH_KEY: 'bench-session-token-hash-key',
    REDIS_KEY_PREFIX: `cube-bench:${randomUUID()}:`,
    SESSION_EXTENDED_THROTTLE_SECONDS: '0',
  };
  const a = spawnNode(gatewayArgv, env);
  const b = spawnNode(gatewayArgv, env);
  try {
    const urlA = await a.waitFor(/cube-gateway ready at (http\S+?)\s/);
    const urlB = await b.waitFor(/cube-gateway ready at (http\S+?)\s/);
    const samples: number[] = [];
    const count = settings.quick ? 50 : DELIVERIES;
    for (let i = 0; i < count; i++) {
      const token = `bench-delivery-${randomUUID()}`;
      const client = createClient({
        url: `${urlB.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { token },
        retryAttempts: 0,
      });
      let sentAt = 0;
      const received = new Promise<number>((resolve, reject) => {
        let first = true;
        client.subscribe(
          { query: 'subscription { sessionEvents { type } }' },
          {
            next: () => {
              if (first) {
                first = false;
                // The present state has arrived on B: now act on A.
                sentAt = performance.now();
                void fetch(`${urlA}/graphql`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
                  body: JSON.stringify({ query: '{ session { id } }' }),
                }).then((r) => r.arrayBuffer());
              } else resolve(performance.now() - sentAt);
            },
            error: reject,
            complete: () => {},
          },
        );
      });
      samples.push(await received);
      await client.dispose();
    }
    table.add(section, 'p50 / p99 ms from the request on A to the event on B', [
      percentile(samples, 50),
      percentile(samples, 99),
    ]);
  } finally {
    await a.stop();
    await b.stop();
  }
}

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
