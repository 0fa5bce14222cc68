import type { FastifyInstance } from 'fastify';
import { currentAuth } from '../http/authenticate.ts';
import { unprocessable } from '../http/errors.ts';
import { requestParams } from '../http/request-params.ts';
import type { ServiceDeps } from '../service-deps.ts';
import { assertUsersListAllowed } from '../users/list-allowed.ts';
import { parseSearchQuery } from '../users/search-query.ts';
import { searchUsers } from '../users/search-sql.ts';
import { serializeUser } from '../users/serialize.ts';
import { userLookupRoutes } from './users-v1.ts';

/** `GET /users/v2`, the current search API; application tokens may read it. */
export async function userSearchRoutes(app: FastifyInstance, deps: ServiceDeps): Promise<void> {
  app.get('/users/v2', { config: { auth: 'session' } }, async (request) => {
    const { application } = currentAuth(request);
    assertUsersListAllowed(application);
    const parsed = parseSearchQuery(requestParams(request));
    if (!parsed.ok) throw unprocessable({ base: parsed.errors });
    const { query } = parsed;
    const page = await searchUsers(deps.db, application.id, query);
    return {
      limit: query.limit,
      skip: query.offset,
      total_entries: page.total,
      items: page.users.map(serializeUser),
    };
  });

  await userLookupRoutes(app, deps);
}
