import { describe, expect, it, onTestFinished } from 'vitest';
import type { SessionTrackerConfig } from '../../src/sessions/create-session-tracker.ts';
import {
  deleteKeys,
  expectArrivedAt,
  type Mode,
  makeTracker,
  randomToken,
  record,
  sleep,
  uniquePrefix,
} from './support.ts';

/** The tracker's contract, run once per mode by memory-tracker.test.ts and redis-tracker.test.ts. */
export function describeTrackerBehaviour(mode: Mode): void {
  function tracker(overrides: Partial<SessionTrackerConfig> = {}) {
    const keyPrefix = uniquePrefix();
    const instance = makeTracker(mode, { keyPrefix, ...overrides });
    onTestFinished(async () => {
      await instance.close();
      await deleteKeys(keyPrefix);
    });
    return instance;
  }

  describe.concurrent(`session tracker (${mode})`, () => {
    it('gives the current state as the first event', async () => {
      const t = tracker({ expiringLeadSeconds: 300 });
      const token = randomToken();
      const expiresAt = new Date(Date.now() + 3_600_000);
      await t.observe(token, expiresAt);
      const sub = record(t.subscribe(token));
      await sub.waitForCount(1);
      expect(sub.received[0]!.event).toMatchObject({ type: 'EXTENDED', expiresAt, tokenKey: t.tokenKey(token) });
      expect(await t.currentState(token)).toEqual({ expiresAt });
      await sub.stop();
      await sub.finished;
    });

    it('gives EXPIRING as the current state inside the lead time', async () => {
      const t = tracker({ expiringLeadSeconds: 300 });
      const token = randomToken();
      const expiresAt = new Date(Date.now() + 60_000);
      await t.observe(token, expiresAt);
      const sub = record(t.subscribe(token));
      await sub.waitForCount(1);
      expect(sub.received[0]!.event).toMatchObject({ type: 'EXPIRING', expiresAt });
      await sleep(100);
      expect(sub.types()).toEqual(['EXPIRING']);
      await sub.stop();
    });

    it('answers an unknown token with EXPIRED and completes', async () => {
      const t = tracker();
      const token = randomToken();
      const sub = record(t.subscribe(token));
      await sub.waitForCompletion();
      expect(sub.types()).toEqual(['EXPIRED']);
      expect(sub.received[0]!.event.expiresAt).toBeNull();
      expect(await t.currentState(token)).toBeUndefined();
    });

    // Lifetimes of seconds, not fractions: the subscription must start before the lead time
    // even when other test files keep both cores busy.
    it('emits EXPIRING then EXPIRED at their times, then completes', async () => {
      const t = tracker({ expiringLeadSeconds: 1.2 });
      const token = randomToken();
      const expiresAt = Date.now() + 3_000;
      await t.observe(token, new Date(expiresAt));
      const sub = record(t.subscribe(token));
      await sub.waitForCompletion(6_000);
      expect(sub.types()).toEqual(['EXTENDED', 'EXPIRING', 'EXPIRED']);
      expectArrivedAt(sub.received[1], expiresAt - 1_200);
      expectArrivedAt(sub.received[2], expiresAt);
      expect(sub.received[2]!.event.expiresAt?.getTime()).toBe(expiresAt);
      expect(await t.currentState(token)).toBeUndefined();
      const late = record(t.subscribe(token));
      await late.waitForCompletion();
      expect(late.types()).toEqual(['EXPIRED']);
    });

    it('moves EXPIRING and EXPIRED when activity extends the session', async () => {
      const t = tracker({ expiringLeadSeconds: 1.2 });
      const token = randomToken();
      const start = Date.now();
      await t.observe(token, new Date(start + 3_000));
      const sub = record(t.subscribe(token));
      await sub.waitForCount(1);
      await sleep(1_000 - (Date.now() - start));
      const movedTo = Date.now() + 3_000;
      await t.observe(token, new Date(movedTo));
      await sub.waitForCompletion(8_000);
      expect(sub.types()).toEqual(['EXTENDED', 'EXTENDED', 'EXPIRING', 'EXPIRED']);
      expect(sub.received[1]!.event.expiresAt?.getTime()).toBe(movedTo);
      expectArrivedAt(sub.received[2], movedTo - 1_200);
      expectArrivedAt(sub.received[3], movedTo);
    });

    it('throttles EXTENDED per token', async () => {
      const t = tracker({ expiringLeadSeconds: 300, extendedThrottleSeconds: 0.8 });
      const token = randomToken();
      let expiresAt = Date.now() + 3_600_000;
      await t.observe(token, new Date(expiresAt));
      const sub = record(t.subscribe(token));
      await sub.waitForCount(1);
      const burstStart = Date.now();
      for (let i = 0; i < 10; i++) await t.observe(token, new Date(++expiresAt));
      expect(Date.now() - burstStart, 'the burst must fit in the throttle window').toBeLessThan(600);
      await sleep(150);
      expect(sub.types()).toEqual(['EXTENDED', 'EXTENDED']);
      expect(sub.received[1]!.event.expiresAt?.getTime()).toBe(expiresAt - 9);

      await sleep(1_000 - (Date.now() - burstStart));
      await t.observe(token, new Date(++expiresAt));
      await sub.waitForCount(3);
      expect(sub.received[2]!.event).toMatchObject({ type: 'EXTENDED', expiresAt: new Date(expiresAt) });
      await sub.stop();
    });

    it('tells a holder warned of expiry at once that activity moved it, throttle or not', async () => {
      const t = tracker({ expiringLeadSeconds: 0.6, extendedThrottleSeconds: 60 });
      const token = randomToken();
      const start = Date.now();
      await t.observe(token, new Date(start + 1_200));
      const sub = record(t.subscribe(token));
      await sub.waitForCount(1);
      await t.observe(token, new Date(start + 1_201)); // uses up the throttle window
      await sub.waitForCount(3);
      expect(sub.types()).toEqual(['EXTENDED', 'EXTENDED', 'EXPIRING']);
      const movedTo = Date.now() + 5_000;
      await t.observe(token, new Date(movedTo));
      await sub.waitForCount(4);
      expect(sub.received[3]!.event).toMatchObject({ type: 'EXTENDED', expiresAt: new Date(movedTo) });
      await sub.stop();
    });

    it('emits EXPIRED at once when the upstream says the session is gone', async () => {
      const t = tracker({ expiringLeadSeconds: 300 });
      const token = randomToken();
      await t.observe(token, new Date(Date.now() + 3_600_000), { userId: 42 });
      const sub = record(t.subscribe(token));
      await sub.waitForCount(1);
      const calledAt = Date.now();
      await t.expired(token);
      await sub.waitForCompletion();
      expect(sub.types()).toEqual(['EXTENDED', 'EXPIRED']);
      expectArrivedAt(sub.received[1], calledAt, 200);
      expect(await t.currentState(token)).toBeUndefined();
      // A response still in flight must not bring it back.
      await t.observe(token, new Date(Date.now() + 3_600_000));
      expect(await t.currentState(token)).toBeUndefined();
      const late = record(t.subscribe(token));
      await late.waitForCompletion();
      expect(late.types()).toEqual(['EXPIRED']);
    });

    it('ends the subscription on LOGGED_OUT, and the token can be tracked again afterwards', async () => {
      const t = tracker({ expiringLeadSeconds: 300 });
      const token = randomToken();
      await t.observe(token, new Date(Date.now() + 3_600_000), { userId: 7 });
      const sub = record(t.subscribe(token));
      await sub.waitForCount(1);
      await t.loggedOut(token);
      await sub.waitForCompletion();
      expect(sub.types()).toEqual(['EXTENDED', 'LOGGED_OUT']);
      expect(sub.received[1]!.event.expiresAt).toBeNull();
      // Downgraded, the same token goes on as an application session.
      const appExpiry = new Date(Date.now() + 3_600_000);
      await t.observe(token, appExpiry);
      expect(await t.currentState(token)).toEqual({ expiresAt: appExpiry });
    });

    it('ends the subscription on DESTROYED', async () => {
      const t = tracker({ expiringLeadSeconds: 300 });
      const token = randomToken();
      await t.observe(token, new Date(Date.now() + 3_600_000), { userId: 7 });
      const sub = record(t.subscribe(token));
      await sub.waitForCount(1);
      await t.destroyed(token);
      await sub.waitForCompletion();
      expect(sub.types()).toEqual(['EXTENDED', 'DESTROYED']);
      expect(await t.currentState(token)).toBeUndefined();
    });

    it("destroys the user's other sessions, or all of them", async () => {
      const t = tracker({ expiringLeadSeconds: 300 });
      const [mine, other1, other2, strangers] = [randomToken(), randomToken(), randomToken(), randomToken()];
      const later = new Date(Date.now() + 3_600_000);
      await t.observe(mine, later, { userId: 1 });
      await t.observe(other1, later, { userId: 1 });
      await t.observe(other2, later, { userId: '1' });
      await t.observe(strangers, later, { userId: 2 });
      const subs = [mine, other1, other2, strangers].map((token) => record(t.subscribe(token)));
      await Promise.all(subs.map((s) => s.waitForCount(1)));

      expect(await t.destroyOthers(1, mine)).toBe(2);
      await subs[1]!.waitForCompletion();
      await subs[2]!.waitForCompletion();
      expect(subs[1]!.types()).toEqual(['EXTENDED', 'DESTROYED']);
      expect(subs[2]!.types()).toEqual(['EXTENDED', 'DESTROYED']);
      await sleep(100);
      expect(subs[0]!.types()).toEqual(['EXTENDED']);
      expect(subs[3]!.types()).toEqual(['EXTENDED']);

      expect(await t.destroyAllOf(1)).toBe(1);
      await subs[0]!.waitForCompletion();
      expect(subs[0]!.types()).toEqual(['EXTENDED', 'DESTROYED']);
      expect(subs[3]!.types()).toEqual(['EXTENDED']);
      expect(await t.currentState(strangers)).toEqual({ expiresAt: later });
      await subs[3]!.stop();
    });

    it('ends the subscription of a session destroyed by its id', async () => {
      const t = tracker({ expiringLeadSeconds: 300 });
      const [mine, other] = [randomToken(), randomToken()];
      const later = new Date(Date.now() + 3_600_000);
      await t.observe(mine, later, { userId: 1, sessionId: 100 });
      await t.observe(other, later);
      // Identity learnt later (GET /session) for an expiry already known.
      await t.observe(other, later, { userId: 1, sessionId: 101 });
      const subs = [record(t.subscribe(mine)), record(t.subscribe(other))];
      await Promise.all(subs.map((s) => s.waitForCount(1)));
      expect(await t.destroyedSession(999)).toBe(false);
      expect(await t.destroyedSession(101)).toBe(true);
      await subs[1]!.waitForCompletion();
      expect(subs[1]!.types()).toEqual(['EXTENDED', 'DESTROYED']);
      expect(await t.destroyedSession(101)).toBe(false);
      await sleep(100);
      expect(subs[0]!.types()).toEqual(['EXTENDED']);
      await subs[0]!.stop();
    });

    it('emits one terminal event when several causes race', async () => {
      const t = tracker({ expiringLeadSeconds: 300 });
      const token = randomToken();
      await t.observe(token, new Date(Date.now() + 3_600_000));
      const subs = [record(t.subscribe(token)), record(t.subscribe(token))];
      await Promise.all(subs.map((s) => s.waitForCount(1)));
      await Promise.all([t.expired(token), t.expired(token), t.destroyed(token), t.loggedOut(token)]);
      await Promise.all(subs.map((s) => s.waitForCompletion()));
      for (const sub of subs) expect(sub.received).toHaveLength(2);
      expect(subs[0]!.types()).toEqual(subs[1]!.types());
    });

    it('ends an abandoned subscription at once and live ones on close', async () => {
      const t = tracker({ expiringLeadSeconds: 300 });
      const token = randomToken();
      await t.observe(token, new Date(Date.now() + 3_600_000));
      const abandoned = record(t.subscribe(token));
      const open = record(t.subscribe(token));
      await abandoned.waitForCount(1);
      await open.waitForCount(1);
      await abandoned.stop();
      await abandoned.waitForCompletion(500);
      expect(open.isCompleted()).toBe(false);
      await t.close();
      await open.waitForCompletion(1_000);
    });
  });
}
