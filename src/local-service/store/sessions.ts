import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { hashToken, newSessionToken } from '../sessions/tokens.ts';
import type { Db } from './database.ts';
import type { SessionRow } from './schema.ts';

export interface SessionLifetimes {
  sessionTtlSeconds: number;
  guestSessionTtlSeconds: number;
}

export function sessionsRepository(db: Db, lifetimes: SessionLifetimes) {
  return {
    /** Returns the row and the only copy of the raw token. */
    async create(input: {
      applicationId: number;
      userId: number | null;
      guest?: boolean;
      nonce?: number;
    }): Promise<{ session: SessionRow; token: string }> {
      const token = newSessionToken();
      const ttl = input.guest ? lifetimes.guestSessionTtlSeconds : lifetimes.sessionTtlSeconds;
      const session = await db
        .insertInto('sessions')
        .values({
          application_id: input.applicationId,
          user_id: input.userId,
          token_hash: hashToken(token),
          nonce: input.nonce ?? randomInt(1, 2 ** 31 - 1),
          ts: Math.floor(Date.now() / 1000),
          fixed_expiry: input.guest ?? false,
          expires_at: sql<Date>`now() + make_interval(secs => ${ttl})`,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { session, token };
    },

    /**
     * Finds a live session by token and slides its expiry in the same statement, so an
     * expired token can never be revived by a race between read and write.
     */
    touch(token: string): Promise<SessionRow | undefined> {
      return db
        .updateTable('sessions')
        .set({
          expires_at: sql<Date>`CASE WHEN fixed_expiry THEN expires_at ELSE now() + make_interval(secs => ${lifetimes.sessionTtlSeconds}) END`,
          updated_at: sql<Date>`now()`,
        })
        .where('token_hash', '=', hashToken(token))
        .where('expires_at', '>', sql<Date>`now()`)
        .returningAll()
        .executeTakeFirst();
    },

    findById(id: number): Promise<SessionRow | undefined> {
      return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    },

    setUser(id: number, userId: number | null): Promise<SessionRow> {
      return db
        .updateTable('sessions')
        .set({ user_id: userId, updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    async deleteById(id: number): Promise<void> {
      await db.deleteFrom('sessions').where('id', '=', id).execute();
    },

    async deleteUserSessionsExcept(userId: number, keepId: number): Promise<void> {
      await db.deleteFrom('sessions').where('user_id', '=', userId).where('id', '!=', keepId).execute();
    },

    async deleteExpired(): Promise<void> {
      await db.deleteFrom('sessions').where('expires_at', '<=', sql<Date>`now()`).execute();
    },
  };
}

export type SessionsRepository = ReturnType<typeof sessionsRepository>;
