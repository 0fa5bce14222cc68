import { randomInt } from 'node:crypto';
import { type Expression, type RawBuilder, sql } from 'kysely';
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
  // Written into the statement's text, as the constant it is: a parameter would be serialized,
  // sent and parsed again on every call.
  const interval = sql`make_interval(secs => ${sql.lit(rewriteAfter)})`;

  /** Slides the session (guests' fixed expiry stays) and stamps its user, as they are due. */
  async function touch(
    sessionId: number,
    slide: boolean,
    userId: number | null,
    stamp: boolean,
  ): Promise<{ session: JsonRow | null; user: JsonRow | null }> {
    const { rows } = await sql<{ session: JsonRow | null; user: JsonRow | null }>`
      WITH slid AS (
        UPDATE sessions
        SET expires_at = CASE WHEN fixed_expiry THEN expires_at
                              ELSE now() + make_interval(secs => ${lifetimes.sessionTtlSeconds}) END,
            updated_at = now()
        WHERE id = ${sessionId} AND ${slide}
        RETURNING *
      ), stamped AS (
        UPDATE users SET last_request_at = now() WHERE id = ${userId} AND ${stamp} RETURNING *
      )
      SELECT (SELECT to_json(slid) FROM slid) AS session, (SELECT to_json(stamped) FROM stamped) AS "user"`.execute(db);
    // Null where nothing was written, or where a session ended meanwhile (logout): the caller
    // keeps what it read, the session this request came with.
    return { session: rows[0]?.session ?? null, user: rows[0]?.user ?? null };
  }

  /** The live-session statements, compiled once for every shape of what they read. */
  const liveSessions = compiledPerShape();

  /**
   * The live session of `token` with `reads` (columns over `s`, `a` and `u`: the session,
   * its application and its user), and whether its slide and its user's stamp are due.
   */
  async function readLive<R>(
    token: string,
    shape: string,
    values: readonly unknown[],
    reads: () => RawBuilder<unknown>,
  ): Promise<(R & Due) | undefined> {
    const all = [...values, hashToken(token)];
    const tokenHash = new Slot(all.length - 1);
    const statement = liveSessions(shape, all, () =>
      sql<R & Due>`
        SELECT ${reads()},
               s.updated_at < now() - ${interval} AS slide,
               u.last_request_at IS NULL OR u.last_request_at < now() - ${interval} AS stamp
        FROM sessions s JOIN applications a ON a.id = s.application_id LEFT JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = ${tokenHash} AND s.expires_at > now()`.compile(db),
    );
    return (await db.executeQuery(statement)).rows[0];
  }

  /** See `authenticate` below. */
  async function authenticate(token: string): Promise<Authenticated | undefined> {
    const live = await readLive<WholeRows>(
      token,
      'whole rows',
      [],
      () => sql`to_json(s) AS session, to_json(a) AS application, to_json(u) AS "user"`,
    );
    if (!live) return undefined;
    const userId = (live.user?.id as number | undefined) ?? null;
    const stamp = userId !== null && live.stamp;
    const written = live.slide || stamp ? await touch(live.session.id as number, live.slide, userId, stamp) : undefined;
    const session = written?.session ?? live.session;
    const user = written?.user ?? live.user;
    return {
      session: revive(session) as SessionRow,
      application: revive(live.application) as ApplicationRow,
      user: user ? (revive(user) as UserRow) : null,
    };
  }

  /** See `authenticateAlong` below. */
  async function authenticateAlong<T>(token: string, along: Along<T> | undefined): Promise<Caller<T> | undefined> {
    const live = await readLive<CallerColumns & { along?: T }>(
      token,
      `caller ${along?.shape ?? ''}`,
      along?.values ?? [],
      () => sql`s.id AS session_id, s.expires_at, u.id AS user_id, a.id AS application_id, a.users_list_allowed
                ${along ? sql`, ${along.build(applicationColumn)} AS along` : sql``}`,
    );
    if (!live) return undefined;
    const stamp = live.user_id !== null && live.stamp;
    const written = live.slide || stamp ? await touch(live.session_id, live.slide, live.user_id, stamp) : undefined;
    return {
      session: {
        id: live.session_id,
        // The header shows the slid expiry, as it does on every other route.
        expires_at: written?.session ? new Date(written.session.expires_at as string) : live.expires_at,
        user_id: live.user_id,
      },
      application: { id: live.application_id, users_list_allowed: live.users_list_allowed },
      along: written ? undefined : live.along,
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
    authenticate,

    /**
     * `authenticate` for a route that reads little of the caller and folds its own read into
     * the same statement: only the `Caller` columns, not the whole rows (a lookup's statement
     * spent more on reading and parsing those than on its page), and `along`, an expression
     * over the session's application (`along.build(application)`) read as one more column.
     * Its value is undefined when this call then slid the session or stamped the user: it was
     * read before those writes, and the caller reads it again to see them.
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

/** Whether a live session's slide and its user's stamp are due. */
interface Due {
  slide: boolean;
  stamp: boolean;
}

/** What `authenticate` reads: the whole rows, as JSON. */
interface WholeRows {
  session: JsonRow;
  application: JsonRow;
  user: JsonRow | null;
}

/** What `authenticateAlong` reads of the caller. */
interface CallerColumns {
  session_id: number;
  expires_at: Date;
  user_id: number | null;
  application_id: number;
  users_list_allowed: boolean;
}

/**
 * What `authenticateAlong` finds for a live token: what a route authenticating in its
 * handler uses of the caller (the expiry for the header, whether there is a user, the
 * application and its users-list setting), and its own read.
 */
export interface Caller<T> {
  session: Pick<SessionRow, 'id' | 'expires_at' | 'user_id'>;
  application: Pick<ApplicationRow, 'id' | 'users_list_allowed'>;
  along: T | undefined;
}
