import { describe, expect, it } from 'vitest';
import { eventStream } from '../../src/sessions/event-stream.ts';
import type { SessionEvent } from '../../src/sessions/session-events.ts';
import type { SessionEventSink } from '../../src/sessions/session-tracker.ts';

// The sessionEvents stream over a watch: a pending next() keeps only its resolve function, so
// the end's error reaches it by another way than a reject function. Whether it waited before
// the end or asked after it, a caller sees the same: the events, the error once, then done.

const event = (type: SessionEvent['type']): SessionEvent => ({ type, tokenKey: 'k', expiresAt: null, at: new Date() });

function controlledWatch() {
  let sink: SessionEventSink | undefined;
  let stopped = 0;
  const stream = eventStream((given) => {
    sink = given;
    return { stop: () => void stopped++ };
  });
  return { stream, sink: () => sink as SessionEventSink, stopped: () => stopped };
}

describe('sessionEvents stream', () => {
  it('gives a pending next() the event, and pending ones the error of the end, once, then done', async () => {
    const { stream, sink, stopped } = controlledWatch();
    const first = stream.next();
    const second = stream.next();
    const third = stream.next();
    sink().event(event('EXTENDED'));
    sink().end(new Error('watch failed'));
    expect(await first).toEqual({ done: false, value: expect.objectContaining({ type: 'EXTENDED' }) });
    await expect(second).rejects.toThrow('watch failed');
    expect(await third).toEqual({ done: true, value: undefined });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(stopped()).toBe(1);
  });

  it('keeps the error for after the queued events when nothing was waiting', async () => {
    const { stream, sink } = controlledWatch();
    sink().event(event('EXTENDED'));
    sink().event(event('EXPIRING'));
    sink().end(new Error('watch failed'));
    expect((await stream.next()).value).toMatchObject({ type: 'EXTENDED' });
    expect((await stream.next()).value).toMatchObject({ type: 'EXPIRING' });
    await expect(stream.next()).rejects.toThrow('watch failed');
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('return() ends pending next()s with done and stops the watch', async () => {
    const { stream, stopped } = controlledWatch();
    const pending = stream.next();
    expect(await stream.return?.()).toEqual({ done: true, value: undefined });
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(stopped()).toBe(1);
  });
});
