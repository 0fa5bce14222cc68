import { afterEach, describe, expect, it } from 'vitest';
import type { SessionTrackerHandle } from '../../src/sessions/create-session-tracker.ts';
import {
  deleteKeys,
  dumpRedis,
  expectArrivedAt,
  makeTracker,
  randomToken,
  record,
  redisUrl,
  reportRedisSkip,
  sleep,
  uniquePrefix,
  watchPublished,
} from './support.ts';
import { type ProcessCommand, startTrackerProcess } from './tracker-process.ts';

/** Lead time of the trackers here; scheduled tokens expire LIFETIME_MS after observation. */
const LEAD_SECONDS = 0.6;
const LIFETIME_MS = 1_400;
/**
 * The scheduled token of `expectEveryEventTypeAcross` lives longer: its subscriber must be
 * open before EXPIRING is due (lifetime minus lead), after eight observations and eight
 * subscriptions on a machine that may be busy with other suites.
 */
const SCHEDULED_LIFETIME_MS = 3_000;
const HOUR_MS = 3_600_000;

/** What the "other instance" can be told to do: a tracker object or a separate process. */
type Cause = (command: ProcessCommand) => Promise<unknown>;

function causeThrough(tracker: SessionTrackerHandle): Cause {
  return async (command) => {
    switch (command.op) {
      case 'observe':
        return tracker.observe(command.token, new Date(command.expiresAt), command);
      case 'destroyOthers':
        return tracker.destroyOthers(command.userId, command.token);
      case 'destroyedSession':
        return tracker.destroyedSession(command.sessionId);
      case 'ping':
        return tracker.currentState('');
      default:
        return tracker[command.op](command.token);
    }
  };
}

reportRedisSkip('session tracker across instances (redis)');

describe.runIf(redisUrl)('session events across gateway instances (Redis)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function group() {
    const keyPrefix = uniquePrefix();
    cleanups.push(() => deleteKeys(keyPrefix));
    const published = await watchPublished(keyPrefix);
    cleanups.push(() => published.close());
    const instance = () => {
      const tracker = makeTracker('redis', { keyPrefix, expiringLeadSeconds: LEAD_SECONDS });
      cleanups.push(() => tracker.close());
      return tracker;
    };
    const process = async () => {
      const child = await startTrackerProcess({ keyPrefix, leadSeconds: LEAD_SECONDS, throttleSeconds: 60 });
      cleanups.push(() => child.kill());
      return child;
    };
    return { keyPrefix, published, instance, process };
  }

  /** Each event type caused through `cause` reaches a subscriber on `subscriber`, once. */
  async function expectEveryEventTypeAcross(
    cause: Cause,
    subscriber: SessionTrackerHandle,
    published: Awaited<ReturnType<typeof watchPublished>>,
    userBase: number,
  ) {
    const [user, otherUser] = [userBase, userBase + 1];
    const later = Date.now() + HOUR_MS;
    const t = {
      extended: randomToken(),
      scheduled: randomToken(),
      expired: randomToken(),
      loggedOut: randomToken(),
      destroyed: randomToken(),
      keptBy: randomToken(),
      destroyedAsOther: randomToken(),
      destroyedById: randomToken(),
    };
    const sessionId = userBase * 1_000;
    const scheduledExpiry = Date.now() + SCHEDULED_LIFETIME_MS;
    await Promise.all([
      cause({ op: 'observe', token: t.extended, expiresAt: later }),
      cause({ op: 'observe', token: t.scheduled, expiresAt: scheduledExpiry }),
      cause({ op: 'observe', token: t.expired, expiresAt: later }),
      cause({ op: 'observe', token: t.loggedOut, expiresAt: later, userId: user }),
      cause({ op: 'observe', token: t.destroyed, expiresAt: later, userId: user }),
      cause({ op: 'observe', token: t.keptBy, expiresAt: later, userId: otherUser }),
      cause({ op: 'observe', token: t.destroyedAsOther, expiresAt: later, userId: otherUser }),
      cause({ op: 'observe', token: t.destroyedById, expiresAt: later, userId: user, sessionId }),
    ]);
    const subs = Object.fromEntries(
      Object.entries(t).map(([name, token]) => [name, record(subscriber.subscribe(token))]),
    ) as Record<keyof typeof t, ReturnType<typeof record>>;
    await Promise.all(Object.values(subs).map((sub) => sub.waitForCount(1)));

    await Promise.all([
      cause({ op: 'observe', token: t.extended, expiresAt: later + 1_000 }),
      cause({ op: 'expired', token: t.expired }),
      cause({ op: 'loggedOut', token: t.loggedOut }),
      cause({ op: 'destroyed', token: t.destroyed }),
      cause({ op: 'destroyOthers', token: t.keptBy, userId: otherUser }),
      cause({ op: 'destroyedSession', sessionId }),
    ]);
    await subs.extended.waitForCount(2);
    expect(subs.extended.received[1]!.event).toMatchObject({ type: 'EXTENDED', expiresAt: new Date(later + 1_000) });
    for (const [name, type] of [
      ['expired', 'EXPIRED'],
      ['loggedOut', 'LOGGED_OUT'],
      ['destroyed', 'DESTROYED'],
      ['destroyedAsOther', 'DESTROYED'],
      ['destroyedById', 'DESTROYED'],
      ['scheduled', 'EXPIRED'],
    ] as const) {
      await subs[name].waitForCompletion();
      expect(subs[name].types().at(-1), name).toBe(type);
    }
    expect(subs.scheduled.types()).toEqual(['EXTENDED', 'EXPIRING', 'EXPIRED']);
    expectArrivedAt(subs.scheduled.received[1], scheduledExpiry - LEAD_SECONDS * 1000);
    expectArrivedAt(subs.scheduled.received[2], scheduledExpiry);
    expect(subs.keptBy.types()).toEqual(['EXTENDED']);

    await sleep(300);
    const key = (token: string) => subscriber.tokenKey(token);
    expect(published.count(key(t.extended), 'EXTENDED')).toBe(1);
    expect(published.count(key(t.scheduled), 'EXPIRING')).toBe(1);
    expect(published.count(key(t.scheduled), 'EXPIRED')).toBe(1);
    expect(published.count(key(t.expired), 'EXPIRED')).toBe(1);
    expect(published.count(key(t.loggedOut), 'LOGGED_OUT')).toBe(1);
    expect(published.count(key(t.destroyed), 'DESTROYED')).toBe(1);
    expect(published.count(key(t.destroyedAsOther), 'DESTROYED')).toBe(1);
    expect(published.count(key(t.destroyedById), 'DESTROYED')).toBe(1);
    expect(published.messages.filter((m) => m.event.tokenKey === key(t.keptBy))).toEqual([]);
    await subs.extended.stop();
    await subs.keptBy.stop();
  }

  it('delivers every event type caused on one instance to a subscriber on the other, both ways', async () => {
    const { instance, published } = await group();
    const a = instance();
    const b = instance();
    await Promise.all([
      expectEveryEventTypeAcross(causeThrough(a), b, published, 10),
      expectEveryEventTypeAcross(causeThrough(b), a, published, 20),
    ]);
  });

  it('delivers every event type caused in another process', async () => {
    const { instance, process, published } = await group();
    const here = instance();
    const other = await process();
    await expectEveryEventTypeAcross(other.send, here, published, 30);
  });

  it('still delivers EXPIRING and EXPIRED once after the process that saw the last activity is killed', async () => {
    const { instance, process, published } = await group();
    const survivor = instance();
    const doomed = await process();
    const token = randomToken();
    await doomed.send({ op: 'observe', token, expiresAt: Date.now() + LIFETIME_MS });
    const sub = record(survivor.subscribe(token));
    await sub.waitForCount(1);
    // Killed well before its first wake-up is due, so no job is half-run by the dead process.
    const expiresAt = Date.now() + LIFETIME_MS + 400;
    await doomed.send({ op: 'observe', token, expiresAt });
    await sub.waitForCount(2);
    await doomed.kill();

    await sub.waitForCompletion(4_000);
    expect(sub.types()).toEqual(['EXTENDED', 'EXTENDED', 'EXPIRING', 'EXPIRED']);
    expectArrivedAt(sub.received[2], expiresAt - LEAD_SECONDS * 1000);
    expectArrivedAt(sub.received[3], expiresAt);
    await sleep(500);
    const tokenKey = survivor.tokenKey(token);
    expect(published.count(tokenKey, 'EXPIRING')).toBe(1);
    expect(published.count(tokenKey, 'EXPIRED')).toBe(1);
  });

  it('still delivers scheduled events after the scheduling instance shuts down', async () => {
    const { instance, published } = await group();
    const scheduler = instance();
    const survivor = instance();
    const token = randomToken();
    // Due well after the scheduler has closed: a wake-up its worker had already taken would
    // be another case (a stalled job, taken over after the lock's 10 s).
    const expiresAt = Date.now() + LIFETIME_MS + 2_000;
    await scheduler.observe(token, new Date(expiresAt));
    await scheduler.close();
    expect(Date.now()).toBeLessThan(expiresAt - LEAD_SECONDS * 1000);
    const sub = record(survivor.subscribe(token));
    await sub.waitForCompletion(8_000);
    expect(sub.types()).toEqual(['EXTENDED', 'EXPIRING', 'EXPIRED']);
    expectArrivedAt(sub.received[2], expiresAt);
    expect(published.count(survivor.tokenKey(token), 'EXPIRED')).toBe(1);
  });

  it('never publishes a scheduled event twice while several instances share the work', async () => {
    const { instance, process, published } = await group();
    const a = instance();
    const b = instance();
    const c = await process();
    const tokens = Array.from({ length: 60 }, () => randomToken());
    const start = Date.now();
    const spread = (i: number) => (i % 10) * 50;
    // Every token seen by all three instances at once, then active on two of them, all
    // before the lead time starts.
    await Promise.all(
      tokens.flatMap((token, i) => {
        const expiresAt = start + 2_000 + spread(i);
        return [
          a.observe(token, new Date(expiresAt)),
          b.observe(token, new Date(expiresAt)),
          c.send({ op: 'observe', token, expiresAt }),
        ];
      }),
    );
    const subs = tokens.flatMap((token) => [record(a.subscribe(token)), record(b.subscribe(token))]);
    await Promise.all(subs.map((sub) => sub.waitForCount(1)));
    const movedTo = (i: number) => start + 2_300 + spread(i);
    await Promise.all(
      tokens.map((token, i) =>
        i % 2 ? a.observe(token, new Date(movedTo(i))) : c.send({ op: 'observe', token, expiresAt: movedTo(i) }),
      ),
    );
    expect(Date.now() - start, 'activity must precede the lead time').toBeLessThan(1_400);
    await Promise.all(subs.map((sub) => sub.waitForCompletion(5_000)));
    await sleep(300);
    for (const sub of subs) {
      expect(sub.types()).toEqual(['EXTENDED', 'EXTENDED', 'EXPIRING', 'EXPIRED']);
    }
    tokens.forEach((token, i) => {
      const mine = published.messages.filter((m) => m.event.tokenKey === a.tokenKey(token));
      expect(mine.map((m) => [m.event.type, m.event.expiresAt?.getTime()])).toEqual([
        ['EXTENDED', movedTo(i)],
        ['EXPIRING', movedTo(i)],
        ['EXPIRED', movedTo(i)],
      ]);
    });
  });

  it('keeps no raw token anywhere in Redis, nor on the wire', async () => {
    const { keyPrefix, instance, published } = await group();
    const a = instance();
    const b = instance();
    const tokens = Array.from({ length: 6 }, () => randomToken());
    const [pending, extended, warned, loggedOut, other, mine] = tokens as [string, ...string[]];
    await a.observe(pending, new Date(Date.now() + HOUR_MS), { userId: 3, sessionId: 3003 });
    await a.observe(extended!, new Date(Date.now() + HOUR_MS), { userId: 3 });
    await b.observe(warned!, new Date(Date.now() + 500));
    await b.observe(loggedOut!, new Date(Date.now() + HOUR_MS), { userId: 4 });
    await a.observe(other!, new Date(Date.now() + HOUR_MS), { userId: 4 });
    await a.observe(mine!, new Date(Date.now() + HOUR_MS), { userId: 4 });
    const subs = tokens.map((token) => record(b.subscribe(token)));
    await Promise.all(subs.map((sub) => sub.waitForCount(1)));
    await b.observe(extended!, new Date(Date.now() + HOUR_MS + 1_000));
    await a.expired(other!);
    await a.loggedOut(loggedOut!);
    await b.destroyOthers(4, mine!);
    await subs[2]!.waitForCount(1);
    await sleep(300);

    const dump = await dumpRedis(keyPrefix);
    // The scan must see real data for the check below to mean anything.
    expect([...dump.keys()].some((key) => key.includes(a.tokenKey(pending)))).toBe(true);
    expect([...dump.values()].some((value) => value.includes(a.tokenKey(pending)))).toBe(true);
    expect(published.messages.length).toBeGreaterThan(0);
    for (const token of tokens) {
      for (const [key, value] of dump) {
        expect(key.includes(token), `key ${key}`).toBe(false);
        expect(value.includes(token), `value of ${key}`).toBe(false);
      }
      for (const message of published.messages) expect(message.raw.includes(token)).toBe(false);
    }
    for (const sub of subs) await sub.stop();
  });
});
