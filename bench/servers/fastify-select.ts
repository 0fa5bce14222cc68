import Fastify from 'fastify';
import { sql } from 'kysely';
import { openDatabase } from '../../src/local-service/store/database.ts';

/**
 * The floor for the local users service: a bare fastify route doing one primary-key SELECT
 * on the same store (PGlite in DATA_DIR, or PostgreSQL at DATABASE_URL).
 */

const { db } = await openDatabase({
  dataDir: process.env.DATA_DIR as string,
  ...(process.env.DATABASE_URL && { databaseUrl: process.env.DATABASE_URL }),
});
const app = Fastify({ logger: false });
app.get<{ Params: { id: string } }>('/users/:id', async (req, reply) => {
  const user = await sql`select * from users where id = ${Number(req.params.id)}`.execute(db);
  return reply.send({ user: user.rows[0] ?? null });
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`fastify select ready at ${url}`);
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => db.destroy())
    .then(() => process.exit(0));
});
