import type { FastifyInstance } from 'fastify';
import { authenticateInHandler } from '../http/authenticate.ts';
import { unprocessable } from '../http/errors.ts';
import { requestParams } from '../http/request-params.ts';
import type { ServiceDeps } from '../service-deps.ts';
import { assertUsersListAllowed } from '../users/list-allowed.ts';
import { withSlots } from '../users/query-slots.ts';
import { parseSearchQuery } from '../users/search-query.ts';
import { findUsers, pageTotal, usersFromJson, usersPageJson } from '../users/search-sql.ts';
import { serializeUser } from '../users/serialize.ts';
import { userLookupRoutes } from './users-v1.ts';

/**
 * `GET /users/v2`, the current search API; application tokens may read it. The page is read
 * in the statement that authenticates the request: a lookup by id, login or email is then
 * one statement (besides the once-a-second slide and stamp).
 */
export async function userSearchRoutes(app: FastifyInstance, deps: ServiceDeps): Promise<void> {
  app.get('/users/v2', { config: { auth: 'session', authInHandler: true } }, async (request, reply) => {
    const parsed = parseSearchQuery(requestParams(request));
    if (!parsed.ok) {
      // Authentication and the list setting are judged first, as on every route.
      assertUsersListAllowed((await authenticateInHandler(request, reply, deps)).auth.application);
      throw unprocessable({ base: parsed.errors });
    }
    const { query } = parsed;
    const { shape, template, values } = withSlots(query);
    const { auth, along } = await authenticateInHandler(request, reply, deps, {
      shape,
      values,
      build: (application) => usersPageJson(deps.db, application('id'), template),
    });
    const { application } = auth;
    assertUsersListAllowed(application);
    // Read again when authenticating wrote (the slide, the user's stamp) after reading it.
    const users = along === undefined ? await findUsers(deps.db, application.id, query) : usersFromJson(along);
    return {
      limit: query.limit,
      skip: query.offset,
      total_entries: await pageTotal(deps.db, application.id, query, users),
      items: users.map(serializeUser),
    };
  });

  await userLookupRoutes(app, deps);
}
