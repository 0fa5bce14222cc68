import type { FastifyInstance } from 'fastify';
import { authenticateInHandler } from '../http/authenticate.ts';
import { unprocessable } from '../http/errors.ts';
import { requestParams } from '../http/request-params.ts';
import type { ServiceDeps } from '../service-deps.ts';
import { assertUsersListAllowed } from '../users/list-allowed.ts';
import { readUsersPageBody, usersPageBody } from '../users/page-body.ts';
import { withSlots } from '../users/query-slots.ts';
import { parseSearchQuery } from '../users/search-query.ts';
import { userLookupRoutes } from './users-v1.ts';

/** The body comes from the store as JSON text already; fastify sends a string as it is. */
const JSON_BODY = 'application/json; charset=utf-8';

/**
 * `GET /users/v2`, the current search API; application tokens may read it. The page is read
 * in the statement that authenticates the request, as the response body itself
 * (page-body.ts): a lookup by id, login or email is then one statement (besides the
 * once-a-second slide and stamp, and a count when the page is full).
 */
export async function userSearchRoutes(app: FastifyInstance, deps: ServiceDeps): Promise<void> {
  app.get('/users/v2', { config: { auth: 'session', authInHandler: true } }, async (request, reply) => {
    const parsed = parseSearchQuery(requestParams(request));
    if (!parsed.ok) {
      // Authentication and the list setting are judged first, as on every route.
      assertUsersListAllowed((await authenticateInHandler(request, reply, deps)).application);
      throw unprocessable({ base: parsed.errors });
    }
    const { query } = parsed;
    const { shape, template, values } = withSlots(query);
    const { application, along } = await authenticateInHandler(request, reply, deps, {
      shape,
      values,
      build: (application) => usersPageBody(deps.db, application('id'), template, 'never'),
    });
    assertUsersListAllowed(application);
    // Read again when authenticating wrote (the slide, the user's stamp) after reading it, or
    // when the page is full and the matches must be counted (undefined and null).
    const body = along ?? (await readUsersPageBody(deps.db, application.id, query));
    return reply.type(JSON_BODY).send(body);
  });

  await userLookupRoutes(app, deps);
}
