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

/** Single-instance scheduler on unref'd timers, so it never keeps the process alive. */
export function createMemoryScheduler(onDue: WakeUpHandler, onError: (error: unknown) => void): ExpiryScheduler {
  const timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  let closed = false;

  function arm(tokenKey: string, at: number): void {
    const existing = timers.get(tokenKey);
    if (existing) clearTimeout(existing.timer);
    const delay = Math.min(Math.max(0, at - Date.now()), MAX_TIMER_DELAY_MS);
    const timer = setTimeout(() => void wake(tokenKey), delay);
    timer.unref();
    timers.set(tokenKey, { at, timer });
  }

  async function wake(tokenKey: string): Promise<void> {
    timers.delete(tokenKey);
    try {
      const next = await onDue(tokenKey);
      // `ensure` may have armed a new timer while onDue ran; keep the earlier of the two.
      const pending = timers.get(tokenKey);
      if (next !== null && !closed && (!pending || pending.at > next)) arm(tokenKey, next);
    } catch (error) {
      onError(error);
    }
  }

  return {
    async ensure(tokenKey, at) {
      if (closed) return;
      const existing = timers.get(tokenKey);
      if (existing && existing.at <= at) return;
      arm(tokenKey, at);
    },
    async cancel(tokenKey) {
      const existing = timers.get(tokenKey);
      if (existing) clearTimeout(existing.timer);
      timers.delete(tokenKey);
    },
    async close() {
      closed = true;
      for (const { timer } of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
