import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentAuth } from '../http/authenticate.ts';
import { notFound, unprocessable } from '../http/errors.ts';
import { requestParams, stringParam } from '../http/request-params.ts';
import type { ServiceDeps } from '../service-deps.ts';
import { assertUsersListAllowed } from '../users/list-allowed.ts';
import { findUsers, searchUsers, type UserPage } from '../users/search-sql.ts';
import { serializeUser } from '../users/serialize.ts';
import { type Condition, DEFAULT_SORT, type FilterColumn } from '../users/user-filter.ts';
import { parseV1Paging, parseV1Query, type V1Paging } from '../users/v1-query.ts';

const listBody = (paging: V1Paging, page: UserPage) => ({
  current_page: paging.page,
  per_page: paging.perPage,
  total_entries: page.total,
  items: page.users.map((user) => ({ user: serializeUser(user) })),
});

function requiredParam(request: FastifyRequest, name: string): string {
  const value = stringParam(requestParams(request), name)?.trim();
  if (!value) throw unprocessable({ [name]: ['is required'] });
  return value;
}

/** A list parameter given as `a,b` or as `name[]=a&name[]=b` (the JS SDK sends either). */
function listParam(request: FastifyRequest, name: string): string[] {
  const raw = requestParams(request)[name];
  const items = (Array.isArray(raw) ? raw : [raw])
    .flatMap((item) => (typeof item === 'string' || typeof item === 'number' ? String(item).split(',') : []))
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw unprocessable({ [name]: ['is required'] });
  return items;
}

/**
 * The deprecated v1 lookups, still served. Single lookups answer `{"user"}` or 404; lists
 * answer with v1 paging. `by_full_name` matches a case-insensitive part of the name, and
 * `phone` and `by_tags` take several values (any may match): phones are not unique, so it
 * is a list. Static paths win over `/users/:id` in fastify's router.
 */
export async function userLookupRoutes(app: FastifyInstance, deps: ServiceDeps): Promise<void> {
  const findOne = async (request: FastifyRequest, condition: Condition) => {
    const { application } = currentAuth(request);
    const [user] = await findUsers(deps.db, application.id, {
      conditions: [condition],
      sort: DEFAULT_SORT,
      offset: 0,
      limit: 1,
    });
    if (!user) throw notFound();
    return { user: serializeUser(user) };
  };

  const findMany = async (request: FastifyRequest, condition: Condition) => {
    const { application } = currentAuth(request);
    assertUsersListAllowed(application);
    const parsed = parseV1Paging(requestParams(request));
    if (!parsed.ok) throw unprocessable({ base: parsed.errors });
    const { page, perPage } = parsed.paging;
    const found = await searchUsers(deps.db, application.id, {
      conditions: [condition],
      sort: DEFAULT_SORT,
      offset: (page - 1) * perPage,
      limit: perPage,
    });
    return listBody(parsed.paging, found);
  };

  const session = { config: { auth: 'session' as const } };

  app.get('/users', session, async (request) => {
    const { application } = currentAuth(request);
    assertUsersListAllowed(application);
    const parsed = parseV1Query(requestParams(request));
    if (!parsed.ok) throw unprocessable({ base: parsed.errors });
    return listBody(parsed.paging, await searchUsers(deps.db, application.id, parsed.query));
  });

  app.get<{ Params: { id: string } }>('/users/:id', session, async (request) => {
    const { id } = request.params;
    if (!/^\d{1,10}$/.test(id) || Number(id) > 2_147_483_647) throw notFound();
    return findOne(request, { field: 'id', op: 'eq', value: Number(id) });
  });

  const single: [path: string, param: string, field: FilterColumn][] = [
    ['/users/by_login', 'login', 'login'],
    ['/users/by_email', 'email', 'email'],
    ['/users/by_facebook_id', 'facebook_id', 'facebook_id'],
    ['/users/by_twitter_id', 'twitter_id', 'twitter_id'],
  ];
  for (const [path, param, field] of single) {
    app.get(path, session, (request) => findOne(request, { field, op: 'eq', value: requiredParam(request, param) }));
  }

  app.get<{ Params: { id: string } }>('/users/external/:id', session, async (request) => {
    const user = await deps.users.findByExternal(currentAuth(request).application.id, request.params.id);
    if (!user) throw notFound();
    return { user: serializeUser(user) };
  });

  app.get('/users/by_full_name', session, (request) =>
    findMany(request, { field: 'full_name', op: 'contains', value: requiredParam(request, 'full_name') }),
  );
  app.get('/users/by_tags', session, (request) =>
    findMany(request, { field: 'user_tags', op: 'in', values: listParam(request, 'tags') }),
  );
  app.get('/users/phone', session, (request) =>
    findMany(request, { field: 'phone', op: 'in', values: listParam(request, 'phone') }),
  );
}
