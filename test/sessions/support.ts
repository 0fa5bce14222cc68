import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { expect, vi } from 'vitest';
import {
  createSessionTracker,
  type SessionTrackerConfig,
  type SessionTrackerHandle,
} from '../../src/sessions/create-session-tracker.ts';
import { fromWire, type SessionEvent, type SessionEventWire } from '../../src/sessions/session-events.ts';

export const redisUrl = process.env.REDIS_URL;

/** One line per skipped Redis suite, so a run without Redis says what it did not cover. */
export function reportRedisSkip(suite: string): void {
  if (!redisUrl) console.log(`SKIPPED ${suite}: REDIS_URL is not set (needs a real Redis)`);
}

export type Mode = 'memory' | 'redis';

/** Each tracker group gets its own key prefix, so parallel test files never collide. */
export function uniquePrefix(): string {
  return `test-sessions:${randomUUID()}:`;
}

export function randomToken(): string {
  return randomBytes(20).toString('hex');
}

export const sharedHashKey = randomBytes(32).toString('hex');

export function makeTracker(
  mode: Mode,
  overrides: Partial<SessionTrackerConfig> & { keyPrefix?: string } = {},
): SessionTrackerHandle {
  return createSessionTracker({
    redisUrl: mode === 'redis' ? redisUrl : undefined,
    tokenHashKey: sharedHashKey,
    expiringLeadSeconds: 0.6,
    extendedThrottleSeconds: 60,
    onError: (error) => console.error('session tracker error', error),
    ...overrides,
  });
}

export interface Received {
  event: SessionEvent;
  receivedAt: number;
}

/** Drains a subscription in the background, keeping each event with its arrival time. */
export function record(iterable: AsyncIterable<SessionEvent>) {
  const iterator = iterable[Symbol.asyncIterator]();
  const received: Received[] = [];
  let completed = false;
  const finished = (async () => {
    for (;;) {
      const result = await iterator.next();
      if (result.done) break;
      received.push({ event: result.value, receivedAt: Date.now() });
    }
    completed = true;
  })();
  return {
    received,
    finished,
    types: () => received.map((r) => r.event.type),
    isCompleted: () => completed,
    async waitForCount(count: number, timeout = 5_000) {
      await vi.waitFor(() => expect(received.length).toBeGreaterThanOrEqual(count), { timeout, interval: 5 });
    },
    async waitForCompletion(timeout = 5_000) {
      await vi.waitFor(() => expect(completed).toBe(true), { timeout, interval: 5 });
    },
    stop: () => iterator.return?.(),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asserts an event arrived close to when it was due: never early, at most `lateMs` late. */
export function expectArrivedAt(received: Received | undefined, dueAt: number, lateMs = 500): void {
  expect(received, 'event was not received').toBeDefined();
  const delta = received!.receivedAt - dueAt;
  expect(delta, `arrived ${delta} ms after it was due`).toBeGreaterThanOrEqual(-50);
  expect(delta, `arrived ${delta} ms after it was due`).toBeLessThanOrEqual(lateMs);
}

/** Every message published on the prefix's event channels, straight off Redis. */
export async function watchPublished(prefix: string) {
  const connection = new Redis(redisUrl!);
  const messages: { channel: string; event: SessionEvent; raw: string }[] = [];
  connection.on('pmessage', (_pattern: string, channel: string, raw: string) => {
    messages.push({ channel, raw, event: fromWire(JSON.parse(raw) as SessionEventWire) });
  });
  await connection.psubscribe(`${prefix}session-events:*`);
  return {
    messages,
    count: (tokenKey: string, type: SessionEvent['type']) =>
      messages.filter((m) => m.event.tokenKey === tokenKey && m.event.type === type).length,
    close: () => connection.quit(),
  };
}

/** All keys under the prefix with their values, as text. */
export async function dumpRedis(prefix: string): Promise<Map<string, string>> {
  const redis = new Redis(redisUrl!);
  const dump = new Map<string, string>();
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
      for (const key of keys as string[]) dump.set(key, await valueText(redis, key));
    }
  } finally {
    await redis.quit();
  }
  return dump;
}

async function valueText(redis: Redis, key: string): Promise<string> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES'));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    default:
      return `<${type}>`;
  }
}

export async function deleteKeys(prefix: string): Promise<void> {
  if (!redisUrl) return;
  const redis = new Redis(redisUrl);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    await redis.quit();
  }
}
