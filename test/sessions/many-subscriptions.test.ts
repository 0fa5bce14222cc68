import { describe, expect, it, onTestFinished } from 'vitest';
import type { SessionEventType } from '../../src/sessions/session-events.ts';
import {
  deleteKeys,
  type Mode,
  makeTracker,
  randomToken,
  record,
  redisUrl,
  reportRedisSkip,
  sleep,
  uniquePrefix,
} from './support.ts';

const SUBSCRIPTIONS = 1_000;
const HOUR_MS = 3_600_000;

/** What happens to subscriber i's token, and what it must see in return. */
const scenarios: { expected: SessionEventType[]; cause: 'extend' | 'expire' | 'logout' | 'destroy' }[] = [
  { cause: 'extend', expected: ['EXTENDED', 'EXTENDED'] },
  { cause: 'expire', expected: ['EXTENDED', 'EXPIRED'] },
  { cause: 'logout', expected: ['EXTENDED', 'LOGGED_OUT'] },
  { cause: 'destroy', expected: ['EXTENDED', 'DESTROYED'] },
];

async function manySubscriptions(mode: Mode) {
  const keyPrefix = uniquePrefix();
  const tracker = makeTracker(mode, { keyPrefix, expiringLeadSeconds: 300 });
  onTestFinished(async () => {
    await tracker.close();
    await deleteKeys(keyPrefix);
  });
  const base = Date.now() + HOUR_MS;
  const tokens = Array.from({ length: SUBSCRIPTIONS }, () => randomToken());
  await Promise.all(tokens.map((token, i) => tracker.observe(token, new Date(base + i * 1_000), { userId: i % 50 })));
  const subs = tokens.map((token) => record(tracker.subscribe(token)));
  await Promise.all(subs.map((sub) => sub.waitForCount(1, 20_000)));

  const causes = {
    extend: (token: string, i: number) => tracker.observe(token, new Date(base + i * 1_000 + 1)),
    expire: (token: string) => tracker.expired(token),
    logout: (token: string) => tracker.loggedOut(token),
    destroy: (token: string) => tracker.destroyed(token),
  };
  await Promise.all(tokens.map((token, i) => causes[scenarios[i % scenarios.length]!.cause](token, i)));
  await Promise.all(subs.map((sub) => sub.waitForCount(2, 20_000)));
  await sleep(200);

  subs.forEach((sub, i) => {
    const tokenKey = tracker.tokenKey(tokens[i]!);
    expect(sub.types(), `subscriber ${i}`).toEqual(scenarios[i % scenarios.length]!.expected);
    for (const { event } of sub.received) expect(event.tokenKey, `subscriber ${i}`).toBe(tokenKey);
    expect(sub.received[0]!.event.expiresAt?.getTime()).toBe(base + i * 1_000);
    if (scenarios[i % scenarios.length]!.cause === 'extend') {
      expect(sub.received[1]!.event.expiresAt?.getTime()).toBe(base + i * 1_000 + 1);
      expect(sub.isCompleted()).toBe(false);
    } else {
      expect(sub.isCompleted(), `subscriber ${i}`).toBe(true);
    }
  });
  await Promise.all(subs.map((sub) => sub.stop()));
}

describe(`${SUBSCRIPTIONS} concurrent subscriptions on one tracker`, () => {
  it('each receives its own events and nobody else’s (memory)', () => manySubscriptions('memory'));

  reportRedisSkip(`${SUBSCRIPTIONS} concurrent subscriptions (redis)`);
  it.runIf(redisUrl)('each receives its own events and nobody else’s (redis)', () => manySubscriptions('redis'));
});
