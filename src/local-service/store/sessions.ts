import { randomInt } from 'node:crypto';
import { type Expression, sql } from 'kysely';
import { hashToken, newSessionToken } from '../sessions/tokens.ts';
import { compiledPerShape, Slot } from './compiled-per-shape.ts';
import type { Db } from './database.ts';
import { type JsonRow, revive } from './json-rows.ts';
import type { ApplicationRow, SessionRow, UserRow } from './schema.ts';

export interface SessionLifetimes {
  sessionTtlSeconds: number;
  guestSessionTtlSeconds: number;
}

export function sessionsRepository(db: Db, lifetimes: SessionLifetimes) {
  /** Seconds within which a session's slide and its user's stamp are not written again. */
  const rewriteAfter = Math.min(1, lifetimes.sessionTtlSeconds / 100);

  /** Slides the session (guests' fixed expiry stays) and stamps its user, as they are due. */
  async function touch(live: LiveSession, stamp: boolean): Promise<{ session: JsonRow; user: JsonRow | null }> {
    const { rows } = await sql<{ session: JsonRow | null; user: JsonRow | null }>`
      WITH slid AS (
        UPDATE sessions
        SET expires_at = CASE WHEN fixed_expiry THEN expires_at
                              ELSE now() + make_interval(secs => ${lifetimes.sessionTtlSeconds}) END,
            updated_at = now()
        WHERE id = ${live.session.id} AND ${live.slide}
        RETURNING *
      ), stamped AS (
        UPDATE users SET last_request_at = now() WHERE id = ${live.user?.id ?? null} AND ${stamp} RETURNING *
      )
      SELECT (SELECT to_json(slid) FROM slid) AS session, (SELECT to_json(stamped) FROM stamped) AS "user"`.execute(db);
    // A session ended meanwhile (logout) is still the one this request came with.
    return { session: rows[0]?.session ?? live.session, user: rows[0]?.user ?? live.user };
  }

  /** `authenticateAlong`'s statement, compiled once for every shape of `along`. */
  const liveSessions = compiledPerShape();

  /** See `authenticate` and `authenticateAlong` below. */
  async function authenticateAlong<T>(
    token: string,
    along: Along<T> | undefined,
  ): Promise<(Authenticated & { along: T | undefined }) | undefined> {
    const values = [...(along?.values ?? []), hashToken(token)];
    const tokenHash = new Slot(values.length - 1);
    const statement = liveSessions(along?.shape ?? '', values, () =>
      sql<LiveSession & { along?: T }>`
        SELECT to_json(s) AS session, to_json(a) AS application, to_json(u) AS "user",
               s.updated_at < now() - make_interval(secs => ${rewriteAfter}) AS slide,
               u.last_request_at IS NULL OR u.last_request_at < now() - make_interval(secs => ${rewriteAfter}) AS stamp
               ${along ? sql`, ${along.build(applicationColumn)} AS along` : sql``}
        FROM sessions s JOIN applications a ON a.id = s.application_id LEFT JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = ${tokenHash} AND s.expires_at > now()`.compile(db),
    );
    const live = (await db.executeQuery(statement)).rows[0];
    if (!live) return undefined;
    const stamp = live.user !== null && live.stamp;
    const written = live.slide || stamp;
    const { session, user } = written ? await touch(live, stamp) : live;
    return {
      session: revive(session) as SessionRow,
      application: revive(live.application) as ApplicationRow,
      user: user ? (revive(user) as UserRow) : null,
      along: written ? undefined : (live.along as T),
    };
  }

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
     * Everything an authenticated request needs: the live session by token, its application
     * and its user, in one statement. Undefined when the token is unknown or expired. Each
     * use slides the session's expiry and stamps the user's `last_request_at`, but those are
     * written only when the stored ones are older than a second (or a hundredth of the TTL,
     * if that is shorter): a burst of requests on one session writes it once a second, with
     * a second statement, not on every request, and what it shows is never more behind.
     */
    async authenticate(token: string): Promise<Authenticated | undefined> {
      return authenticateAlong(token, undefined);
    },

    /**
     * `authenticate` with the request's own read folded into the same statement: `along`
     * is an expression over the session's application (`along.build(application)`), read as
     * one more column. Its value is undefined when this call then slid the session or stamped the
     * user: it was read before those writes, and the caller reads it again to see them.
     */
    authenticateAlong,

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

/** What `authenticate` finds for a live token. */
export interface Authenticated {
  session: SessionRow;
  application: ApplicationRow;
  user: UserRow | null;
}

/** A column of the authenticated session's application, for a read folded into `authenticate`. */
export type ApplicationColumn = <C extends keyof ApplicationRow>(column: C) => Expression<ApplicationRow[C]>;
const applicationColumn: ApplicationColumn = (column) => sql.ref(`a.${column}`);

/**
 * A read folded into `authenticate`'s statement: a value over the session's application. The
 * statement is built once for each `shape`, with slots for `values` (compiled-per-shape.ts).
 */
export interface Along<T> {
  /** Everything the read's SQL text depends on besides its values. */
  shape: string;
  values: readonly unknown[];
  /** The read, with `new Slot(i)` standing for `values[i]`. */
  build(application: ApplicationColumn): Expression<T>;
}

/** A live session as `authenticate` reads it, with whether its slide and stamp are due. */
interface LiveSession {
  session: JsonRow;
  application: JsonRow;
  user: JsonRow | null;
  slide: boolean;
  stamp: boolean;
}
