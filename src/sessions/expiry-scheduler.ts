import TinyQueue from 'tinyqueue';

/**
 * Per-token wake-ups. A wake-up runs `onDue`, which answers with the next time to wake the
 * same token (or null when done): one wake-up per token drives both EXPIRING and EXPIRED,
 * and activity between wake-ups needs no rescheduling, because a wake-up that comes early
 * just moves itself to the later time.
 */
export interface ExpiryScheduler {
  /** Makes sure the token wakes up at `at` or earlier; idempotent, safe from every instance. */
  ensure(tokenKey: string, at: number): Promise<void>;
  cancel(tokenKey: string): Promise<void>;
  close(): Promise<void>;
}

export type WakeUpHandler = (tokenKey: string) => Promise<number | null>;

/** setTimeout's ceiling (about 24.8 days); longer waits wake early and go back to sleep. */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * Single-instance scheduler on one unref'd timer (it never keeps the process alive), armed
 * for the earliest wake-up: every token the gateway watches has one, and a timer each would
 * be a Timeout, a closure and a record per token. The wake-ups wait in a heap by time (tinyqueue);
 * one that was moved or cancelled stays there until its time and is then skipped, since it is
 * no longer the token's own.
 */
export function createMemoryScheduler(onDue: WakeUpHandler, onError: (error: unknown) => void): ExpiryScheduler {
  /** Each token's wake-up time (epoch ms): the one that counts. */
  const due = new Map<string, number>();
  let heap = new TinyQueue<WakeUp>([], byTime);
  let timer: NodeJS.Timeout | undefined;
  /** When `timer` fires; Infinity when unarmed. */
  let timerAt = Number.POSITIVE_INFINITY;
  let closed = false;

  function arm(tokenKey: string, at: number): void {
    due.set(tokenKey, at);
    heap.push({ at, tokenKey });
    // Moved and cancelled wake-ups wait for their time in the heap: when they outnumber the
    // live ones, the heap is built again from these alone.
    if (heap.length > 2 * due.size + 64) {
      heap = new TinyQueue(
        [...due].map(([key, time]) => ({ at: time, tokenKey: key })),
        byTime,
      );
    }
    rearm();
  }

  /** Arms the timer for the earliest wake-up, if it is not armed for it already. */
  function rearm(): void {
    const first = heap.peek();
    if (!first || closed) return;
    if (timer && timerAt <= first.at) return;
    clearTimeout(timer);
    timerAt = first.at;
    timer = setTimeout(fire, Math.min(Math.max(0, first.at - Date.now()), MAX_TIMER_DELAY_MS));
    timer.unref();
  }

  function fire(): void {
    timer = undefined;
    timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    while (heap.length > 0 && (heap.peek() as WakeUp).at <= now) {
      const { at, tokenKey } = heap.pop() as WakeUp;
      // Moved or cancelled since: not this token's wake-up any more.
      if (due.get(tokenKey) !== at) continue;
      due.delete(tokenKey);
      void wake(tokenKey);
    }
    rearm();
  }

  async function wake(tokenKey: string): Promise<void> {
    try {
      const next = await onDue(tokenKey);
      // `ensure` may have armed a new wake-up while onDue ran; keep the earlier of the two.
      const pending = due.get(tokenKey);
      if (next !== null && !closed && (pending === undefined || pending > next)) arm(tokenKey, next);
    } catch (error) {
      onError(error);
    }
  }

  return {
    async ensure(tokenKey, at) {
      if (closed) return;
      const existing = due.get(tokenKey);
      if (existing !== undefined && existing <= at) return;
      arm(tokenKey, at);
    },
    async cancel(tokenKey) {
      due.delete(tokenKey);
      // Its entry in the heap is skipped when its time comes; none left, nothing to wake for.
      if (due.size === 0) {
        heap = new TinyQueue([], byTime);
        clearTimeout(timer);
        timer = undefined;
        timerAt = Number.POSITIVE_INFINITY;
      }
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      due.clear();
      heap = new TinyQueue([], byTime);
    },
  };
}

interface WakeUp {
  at: number;
  tokenKey: string;
}

const byTime = (a: WakeUp, b: WakeUp) => a.at - b.at;
