import { messages, type PGlite, protocol, types } from '@electric-sql/pglite';
import { LRUCache } from 'lru-cache';

/**
 * Queries on PGlite as named prepared statements. PGlite's own `query()` parses, analyses and
 * plans every statement again and crosses into WASM six times per query (parse, describe,
 * bind, describe, execute, sync), then copies its table of 300-odd type parsers for every
 * result: for the local service's small queries that was most of the CPU. Here each
 * distinct SQL text is parsed and described once; a call is then one Bind/Execute/Sync
 * message, and PostgreSQL keeps the plan (re-planning by itself when the schema changes).
 * Parameters and values go through PGlite's own serializers and parsers.
 */

export interface StatementResult {
  rows: Record<string, unknown>[];
  /** The command tag's verb (`SELECT`, `INSERT`, …) and row count. */
  command: string;
  rowCount: number;
}

interface Statement {
  name: string;
  parameterTypes: number[];
  fields: { name: string; dataTypeID: number }[];
}

/** Distinct SQL texts kept prepared; IN lists of every length are distinct texts. */
const MAX_STATEMENTS = 200;

/** PostgreSQL refuses a kept plan whose result columns changed (ALTER TABLE under `SELECT *`). */
const RESULT_TYPE_CHANGED = 'cached plan must not change result type';

export function preparedStatements(pglite: PGlite) {
  const serialize = protocol.serialize;
  // Evicted statements are closed in the next message sent, not in the middle of another.
  const unused: string[] = [];
  const statements = new LRUCache<string, Statement>({
    max: MAX_STATEMENTS,
    dispose: (statement) => unused.push(statement.name),
  });
  let counter = 0;

  const send = async (parts: Uint8Array[]): Promise<messages.BackendMessage[]> => {
    const closes = unused.splice(0).map((name) => serialize.close({ type: 'S', name }));
    // The store lives in Node's own file system, which needs no syncing after a statement:
    // skipping it skips the lock PGlite takes around that no-op.
    const message = concat([...closes, ...parts, serialize.sync()]);
    return (await pglite.execProtocol(message, { syncToFs: false })).messages;
  };

  async function prepare(text: string): Promise<Statement> {
    const name = `s${++counter}`;
    const replies = await send([serialize.parse({ name, text }), serialize.describe({ type: 'S', name })]);
    const statement: Statement = { name, parameterTypes: [], fields: [] };
    for (const reply of replies) {
      if (reply instanceof messages.ParameterDescriptionMessage) statement.parameterTypes = reply.dataTypeIDs;
      if (reply instanceof messages.RowDescriptionMessage) {
        statement.fields = reply.fields.map((field) => ({ name: field.name, dataTypeID: field.dataTypeID }));
      }
    }
    statements.set(text, statement);
    return statement;
  }

  async function execute(statement: Statement, parameters: readonly unknown[]): Promise<StatementResult> {
    const values = parameters.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = pglite.serializers[statement.parameterTypes[i] ?? 0];
      return serializer ? serializer(value) : String(value);
    });
    const replies = await send([serialize.bind({ statement: statement.name, values }), serialize.execute({})]);
    const result: StatementResult = { rows: [], command: '', rowCount: 0 };
    for (const reply of replies) {
      if (reply instanceof messages.DataRowMessage) {
        const row: Record<string, unknown> = {};
        statement.fields.forEach((field, i) => {
          row[field.name] = types.parseType(reply.fields[i] ?? null, field.dataTypeID, pglite.parsers);
        });
        result.rows.push(row);
      } else if (reply instanceof messages.CommandCompleteMessage) {
        // `INSERT 0 3`, `UPDATE 3`, `SELECT 3`: the count is the last word.
        const words = reply.text.split(' ');
        result.command = words[0] ?? '';
        result.rowCount = Number(words[words.length - 1]) || 0;
      }
    }
    return result;
  }

  return {
    async query(text: string, parameters: readonly unknown[]): Promise<StatementResult> {
      const statement = statements.get(text) ?? (await prepare(text));
      try {
        return await execute(statement, parameters);
      } catch (error) {
        // Raised while re-validating the plan, before anything ran: prepare again and retry.
        if (!(error instanceof Error) || error.message !== RESULT_TYPE_CHANGED) throw error;
        statements.delete(text);
        return execute(await prepare(text), parameters);
      }
    },
  };
}

export type PreparedStatements = ReturnType<typeof preparedStatements>;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
