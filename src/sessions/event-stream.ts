import type { SessionEvent } from './session-events.ts';
import type { SessionEventSink, Watching } from './session-tracker.ts';

/**
 * A watch as an async iterator, for `subscribe`. An unsubscribing client's return() stops
 * the watch now (and with Redis, unsubscribes), not after the token's next event.
 *
 * The iterator is the watch's sink itself: one small object per subscription, with no
 * closures, queue or promise of its own while nothing is asked of it. (A Repeater did the
 * same with some thirty objects per open subscription.) Events that come before they are
 * asked for wait in order; the end, with its error if any, comes after them.
 */
export function eventStream(watch: (sink: SessionEventSink) => Watching): AsyncIterableIterator<SessionEvent> {
  return new WatchStream(watch);
}

/**
 * The caller of a pending next(): its promise's resolve function alone (no reject function
 * and object holding both for the subscription's life). An error is given as a rejected
 * promise, which the pending one adopts (it is handled within the same microtask checkpoint).
 */
type Waiter = (result: IteratorResult<SessionEvent> | PromiseLike<never>) => void;

const done = (): IteratorReturnResult<undefined> => ({ done: true, value: undefined });

class WatchStream implements AsyncIterableIterator<SessionEvent>, SessionEventSink {
  /** Events not yet asked for. */
  #queue: SessionEvent[] | undefined;
  /** The caller of the pending next() (for await has one at a time). */
  #waiter: Waiter | undefined;
  /** Callers of further next()s made before the first settled, in order. */
  #more: Waiter[] | undefined;
  #ended = false;
  /** Why the watch ended, told once after the queued events. */
  #error: { error: unknown } | undefined;
  #watching: Watching | undefined;

  constructor(watch: (sink: SessionEventSink) => Watching) {
    const watching = watch(this);
    // Ended while it was starting: stop it now.
    if (this.#ended) watching.stop();
    else this.#watching = watching;
  }

  event(event: SessionEvent): void {
    if (this.#ended) return;
    const waiter = this.#takeWaiter();
    if (waiter) {
      waiter({ done: false, value: event });
    } else {
      this.#queue ??= [];
      this.#queue.push(event);
    }
  }

  end(error?: unknown): void {
    if (this.#ended) return;
    this.#stop();
    if (error !== undefined) this.#error = { error };
    for (let waiter = this.#takeWaiter(); waiter; waiter = this.#takeWaiter()) this.#settle(waiter);
  }

  next(): Promise<IteratorResult<SessionEvent>> {
    const queued = this.#queue?.shift();
    // An emptied queue is dropped: the present state usually comes before the first next(),
    // and the array (with room for 16 more) would otherwise stay for the subscription's life.
    if (this.#queue?.length === 0) this.#queue = undefined;
    if (queued) return Promise.resolve({ done: false, value: queued });
    if (this.#ended) return new Promise((resolve) => this.#settle(resolve));
    return new Promise((resolve) => {
      if (!this.#waiter) {
        this.#waiter = resolve;
        return;
      }
      this.#more ??= [];
      this.#more.push(resolve);
    });
  }

  return(): Promise<IteratorResult<SessionEvent>> {
    this.#queue = undefined;
    this.#error = undefined;
    if (!this.#ended) this.#stop();
    for (let waiter = this.#takeWaiter(); waiter; waiter = this.#takeWaiter()) waiter(done());
    return Promise.resolve(done());
  }

  throw(error?: unknown): Promise<IteratorResult<SessionEvent>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #takeWaiter(): Waiter | undefined {
    const waiter = this.#waiter;
    this.#waiter = this.#more?.shift();
    return waiter;
  }

  #stop(): void {
    this.#ended = true;
    const watching = this.#watching;
    this.#watching = undefined;
    watching?.stop();
  }

  /** The end, once the queue is empty: the error the first time it is asked, then done. */
  #settle(waiter: Waiter): void {
    const error = this.#error;
    this.#error = undefined;
    if (error) waiter(Promise.reject(error.error));
    else waiter(done());
  }
}
