import type { ObserveOutcome, SessionStore, SessionStoreRules, StepOutcome, StoredSession } from './session-store.ts';

interface MemoryRecord {
  expiresAt: number;
  /** The expiry EXPIRING was last emitted for. */
  warnedFor?: number;
  lastExtendedAt: number;
  userId?: string;
  sessionId?: string;
}

/** Single-instance store; the same rules as the Lua scripts of `redis-session-store.ts`. */
export function createMemorySessionStore(rules: SessionStoreRules): SessionStore {
  const records = new Map<string, MemoryRecord>();
  const deadUntil = new Map<string, number>();
  const tokensByUser = new Map<string, Set<string>>();
  const tokenBySession = new Map<string, string>();

  function unlinkUser(tokenKey: string, userId: string | undefined): void {
    if (userId === undefined) return;
    const tokens = tokensByUser.get(userId);
    tokens?.delete(tokenKey);
    if (tokens?.size === 0) tokensByUser.delete(userId);
  }

  function isDead(tokenKey: string, now: number): boolean {
    const until = deadUntil.get(tokenKey);
    if (until === undefined) return false;
    if (until > now) return true;
    deadUntil.delete(tokenKey);
    return false;
  }

  function forget(tokenKey: string): MemoryRecord | undefined {
    const record = records.get(tokenKey);
    records.delete(tokenKey);
    unlinkUser(tokenKey, record?.userId);
    if (record?.sessionId !== undefined) tokenBySession.delete(record.sessionId);
    return record;
  }

  return {
    async observe(tokenKey, { expiresAt, now, userId, sessionId }) {
      if (isDead(tokenKey, now)) return 'ignored';
      let record = records.get(tokenKey);
      let outcome: ObserveOutcome;
      if (!record) {
        record = { expiresAt, lastExtendedAt: 0 };
        records.set(tokenKey, record);
        outcome = 'created';
      } else if (expiresAt <= record.expiresAt) {
        outcome = 'unchanged';
      } else {
        // A holder already warned about the old expiry hears at once that it moved.
        const wasWarned = record.warnedFor === record.expiresAt;
        record.expiresAt = expiresAt;
        if (wasWarned || now - record.lastExtendedAt >= rules.extendedThrottleMs) {
          record.lastExtendedAt = now;
          outcome = 'extended';
        } else {
          outcome = 'moved';
        }
      }
      if (userId !== undefined && record.userId !== userId) {
        unlinkUser(tokenKey, record.userId);
        record.userId = userId;
        const tokens = tokensByUser.get(userId) ?? new Set<string>();
        tokens.add(tokenKey);
        tokensByUser.set(userId, tokens);
      }
      if (sessionId !== undefined) {
        record.sessionId = sessionId;
        tokenBySession.set(sessionId, tokenKey);
      }
      return outcome;
    },

    async get(tokenKey) {
      const record = records.get(tokenKey);
      if (!record) return undefined;
      const session: StoredSession = { expiresAt: record.expiresAt };
      if (record.userId !== undefined) session.userId = record.userId;
      return session;
    },

    async step(tokenKey, now): Promise<StepOutcome> {
      const record = records.get(tokenKey);
      if (!record) return { kind: 'gone' };
      const dueBy = now + rules.dueToleranceMs;
      if (record.expiresAt <= dueBy) {
        forget(tokenKey);
        return { kind: 'expired', expiresAt: record.expiresAt };
      }
      if (record.warnedFor === record.expiresAt) return { kind: 'wait', nextAt: record.expiresAt };
      const warnAt = record.expiresAt - rules.expiringLeadMs;
      if (warnAt > dueBy) return { kind: 'wait', nextAt: warnAt };
      record.warnedFor = record.expiresAt;
      return { kind: 'expiring', expiresAt: record.expiresAt, nextAt: record.expiresAt };
    },

    async end(tokenKey, { rememberDead }) {
      const record = forget(tokenKey);
      const now = Date.now();
      // Entries share one lifetime, so insertion order is expiry order: prune from the front.
      for (const [key, until] of deadUntil) {
        if (until > now) break;
        deadUntil.delete(key);
      }
      if (rememberDead) {
        deadUntil.delete(tokenKey);
        deadUntil.set(tokenKey, now + rules.deadTokenMemoryMs);
      }
      return record?.expiresAt;
    },

    async tokenKeysOfUser(userId) {
      return [...(tokensByUser.get(userId) ?? [])];
    },

    async tokenKeyOfSession(sessionId) {
      return tokenBySession.get(sessionId);
    },
  };
}
