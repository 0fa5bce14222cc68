import { Mutex, type PGlite } from '@electric-sql/pglite';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import { type PreparedStatements, preparedStatements } from './pglite-statements.ts';

/**
 * The embedded store as the pool Kysely's PostgresDialect takes, so that both stores run
 * through the same driver (transactions, savepoints, affected-row counts). PGlite is one
 * session: the pool lends its one client to one caller at a time, so a transaction's queries
 * never interleave with another request's.
 */
export function pglitePool(pglite: PGlite): PostgresPool {
  const session = new Mutex();
  const statements = preparedStatements(pglite);
  return {
    async connect() {
      return new SessionClient(statements, await session.acquire());
    },
    end: () => pglite.close(),
  };
}

class SessionClient implements PostgresPoolClient {
  readonly #statements: PreparedStatements;
  readonly release: () => void;

  constructor(statements: PreparedStatements, release: () => void) {
    this.#statements = statements;
    this.release = release;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sql: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sql !== 'string') throw new Error('the embedded store does not stream results');
    return this.#statements.query(sql, parameters ?? []) as Promise<PostgresQueryResult<R>>;
  }
}
