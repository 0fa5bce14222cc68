import type { FastifyInstance } from 'fastify';
import { authenticateInHandler } from '../http/authenticate.ts';
import { unprocessable } from '../http/errors.ts';
import { requestParams } from '../http/request-params.ts';
import type { ServiceDeps } from '../service-deps.ts';
import { assertUsersListAllowed } from '../users/list-allowed.ts';
import { pageItemsFrom, readUsersPageItems, usersPageBody, usersPageItems } from '../users/page-body.ts';
import { withSlots } from '../users/query-slots.ts';
import { parseSearchQuery } from '../users/search-query.ts';
import { userLookupRoutes } from './users-v1.ts';

/** The body is JSON text already (page-body.ts); fastify sends a string as it is. */
const JSON_BODY = 'application/json; charset=utf-8';

/**
 * `GET /users/v2`, the current search API; application tokens may read it. The page is read
 * in the statement that authenticates the request, its items as the body's JSON text
 * (page-body.ts): a lookup by id, login or email is then one statement (besides the
 * once-a-second slide and stamp).
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
      build: (application) => usersPageItems(deps.db, application('id'), template),
    });
    assertUsersListAllowed(application);
    // Read again when authenticating wrote (the slide, the user's stamp) after reading it.
    const page = along === undefined ? await readUsersPageItems(deps.db, application.id, query) : pageItemsFrom(along);
    return reply.type(JSON_BODY).send(await usersPageBody(deps.db, application.id, query, page));
  });

  await userLookupRoutes(app, deps);
}
