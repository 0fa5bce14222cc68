import { Repeater } from 'graphql-yoga';
import type { SessionEvent } from './session-events.ts';
import type { SessionEventSink } from './session-tracker.ts';

/**
 * A watch as an async iterator, for `subscribe`. A Repeater rather than an async generator:
 * an unsubscribing client's return() must stop the watch now (and with Redis, unsubscribe),
 * not after the token's next event.
 */
export function eventStream(watch: (sink: SessionEventSink) => () => void): AsyncIterableIterator<SessionEvent> {
  return new Repeater<SessionEvent>((push, stop) => {
    const unwatch = watch({
      event: (event) => void push(event),
      end: (error) => stop(error),
    });
    stop.then(unwatch);
  });
}
