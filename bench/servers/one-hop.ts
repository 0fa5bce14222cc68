import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import { Pool } from 'undici';

/**
 * The smallest honest gateway: yoga plus one undici pool, `user(id)` as one GET to the
 * upstream with the caller's token. What a hand-written one-hop gateway costs.
 */

const upstream = process.env.UPSTREAM_URL as string;
const pool = new Pool(upstream, { connections: 64 });

const yoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Query { user(id: Int!): User } type User { id: Int! login: String fullName: String }',
    resolvers: {
      Query: {
        user: async (_root: unknown, { id }: { id: number }, ctx: { request: Request }) => {
          const token = /^Bearer (.*)$/.exec(ctx.request.headers.get('authorization') ?? '')?.[1] ?? '';
          const res = await pool.request({
            method: 'GET',
            path: `/users/v2?id[in][]=${id}`,
            headers: { 'cb-token': token },
          });
          const body = (await res.body.json()) as { items: { id: number; login: string; full_name: string }[] };
          const user = body.items[0];
          return user ? { id: user.id, login: user.login, fullName: user.full_name } : null;
        },
      },
    },
  }),
  logging: false,
  landingPage: false,
  graphiql: false,
});
const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(`one-hop gateway ready at http://127.0.0.1:${address.port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
