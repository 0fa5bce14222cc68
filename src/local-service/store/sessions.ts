import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { hashToken, newSessionToken } from '../sessions/tokens.ts';
import type { Db } from './database.ts';
import type { ApplicationRow, SessionRow, UserRow } from './schema.ts';

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
     * Everything an authenticated request needs, in ONE statement: the live session by token
     * (its expiry slid, as `touch`), its application, and its user with `last_request_at`
     * stamped. Undefined when the token is unknown or expired.
     */
    async authenticate(
      token: string,
    ): Promise<{ session: SessionRow; application: ApplicationRow; user: UserRow | null } | undefined> {
      const { rows } = await sql<{ session: JsonRow; application: JsonRow; user: JsonRow | null }>`
        WITH s AS (
          UPDATE sessions
          SET expires_at = CASE WHEN fixed_expiry THEN expires_at
                                ELSE now() + make_interval(secs => ${lifetimes.sessionTtlSeconds}) END,
              updated_at = now()
          WHERE token_hash = ${hashToken(token)} AND expires_at > now()
          RETURNING *
        ), u AS (
          UPDATE users SET last_request_at = now() FROM s WHERE users.id = s.user_id RETURNING users.*
        )
        SELECT to_jsonb(s.*) AS session, to_jsonb(a.*) AS application, (SELECT to_jsonb(u.*) FROM u) AS "user"
        FROM s JOIN applications a ON a.id = s.application_id`.execute(db);
      const row = rows[0];
      if (!row) return undefined;
      return {
        session: revive(row.session) as SessionRow,
        application: revive(row.application) as ApplicationRow,
        user: row.user ? (revive(row.user) as UserRow) : null,
      };
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

type JsonRow = Record<string, unknown>;

/**
 * A row that came back through `to_jsonb`: its timestamps are ISO strings there, while the
 * driver hands them to every other query as Dates. Every timestamp column of the schema is
 * named `*_at`.
 */
function revive(row: JsonRow): JsonRow {
  const out: JsonRow = {};
  for (const [key, value] of Object.entries(row)) {
    out[key] = key.endsWith('_at') && typeof value === 'string' ? new Date(value) : value;
  }
  return out;
}
