import { offsetForArgs, offsetToCursor } from '@pothos/plugin-relay';
import { ValidationError } from '../errors.ts';
import { pageCost } from '../limits/field-cost.ts';
import { listsCapped, MAX_LIST_ENTRIES } from '../security/list-limits.ts';
import type { Query } from '../upstream/client.ts';
import type { UpstreamUser, UsersPage } from '../upstream/types.ts';
import { searchUsers, USERS_PAGE_MAX } from '../upstream/users.ts';
import { builder } from './builder.ts';
import { databaseIdOf } from './global-ids.ts';
import { UserNode } from './user.ts';
import { decodeCursor, encodeCursor, invalidCursor, type KeysetCursor, type UserCursor } from './user-cursors.ts';
import { keysetOrder, keysetPage } from './users-keyset.ts';

/**
 * `users(filter, orderBy, first/after, last/before)` on `/users/v2`: the filter becomes the
 * upstream's query grammar; pages are keyset pages where the grammar can bound the order
 * (users-keyset.ts), offset pages elsewhere. Whatever that grammar cannot say is refused
 * with BAD_USER_INPUT, never dropped.
 */

interface DateTimeRangeShape {
  gt?: Date | null;
  gte?: Date | null;
  lt?: Date | null;
  lte?: Date | null;
}

const DateTimeRange = builder.inputType('DateTimeRange', {
  description: 'Bounds on a timestamp; all given bounds apply.',
  fields: (t) => ({
    gt: t.field({ type: 'DateTime', description: 'After this instant.' }),
    gte: t.field({ type: 'DateTime', description: 'At or after this instant.' }),
    lt: t.field({ type: 'DateTime', description: 'Before this instant.' }),
    lte: t.field({ type: 'DateTime', description: 'At or before this instant.' }),
  }),
});

const UserFilter = builder.inputType('UserFilter', {
  description:
    'All given conditions apply. At least one of ids, databaseIds, logins, emails, phones, externalIds, ' +
    'facebookIds, twitterIds, fullName, fullNameStartsWith or tags is required (the upstream ' +
    `needs one primary condition). Each list holds at most ${MAX_LIST_ENTRIES} entries.`,
  validate: listsCapped,
  fields: (t) => ({
    ids: t.idList({ description: 'Users with any of these global ids (`User.id`; at most 100).' }),
    databaseIds: t.intList({ description: 'Users with any of these upstream ids (`User.databaseId`; at most 100).' }),
    logins: t.stringList({ description: 'Users with any of these logins (at most 100).' }),
    emails: t.stringList({ description: 'Users with any of these emails (at most 100).' }),
    phones: t.stringList({ description: 'Users with any of these phone numbers (at most 100).' }),
    externalIds: t.stringList({ description: 'Users with any of these external ids (at most 100).' }),
    facebookIds: t.stringList({ description: 'Users with any of these Facebook ids (at most 100).' }),
    twitterIds: t.stringList({ description: 'Users with any of these Twitter ids (at most 100).' }),
    fullName: t.string({ description: 'Exact full name.' }),
    fullNameStartsWith: t.string({
      description: 'At least 4 characters; the upstream then answers at most 5 users a page.',
    }),
    tags: t.stringList({ description: 'Users with any of these tags.' }),
    excludeTags: t.stringList({ description: 'Leave out users with any of these tags.' }),
    excludeIds: t.idList({ description: 'Leave out users with these global ids (`User.id`).' }),
    createdAt: t.field({ type: DateTimeRange, description: 'When the user was created.' }),
    updatedAt: t.field({ type: DateTimeRange, description: 'When the profile last changed.' }),
    lastRequestAt: t.field({ type: DateTimeRange, description: 'When the user last made a request.' }),
  }),
});
type UserFilterShape = typeof UserFilter.$inferInput;

const UserOrderField = builder.enumType('UserOrderField', {
  description: 'What users are sorted by.',
  values: {
    ID: { value: 'id', description: 'The upstream id.' },
    CREATED_AT: { value: 'created_at', description: 'Creation time.' },
    UPDATED_AT: { value: 'updated_at', description: 'Last profile change.' },
    LAST_REQUEST_AT: { value: 'last_request_at', description: 'Last request made.' },
    LOGIN: { value: 'login', description: 'Login, alphabetically.' },
    FULL_NAME: { value: 'full_name', description: 'Full name, alphabetically.' },
  } as const,
});
const OrderDirection = builder.enumType('OrderDirection', {
  description: 'Sort direction.',
  values: {
    ASC: { description: 'Smallest or earliest first.' },
    DESC: { description: 'Largest or latest first.' },
  } as const,
});
const UserOrder = builder.inputType('UserOrder', {
  description: 'A sort order.',
  fields: (t) => ({
    field: t.field({ type: UserOrderField, required: true, description: 'What to sort by.' }),
    direction: t.field({ type: OrderDirection, required: true, description: 'Which way.' }),
  }),
});

/** Most users a page may hold with `fullNameStartsWith`: the upstream caps `limit` at 5. */
const START_WITH_PAGE_MAX = 5;

const listFilters = [
  ['logins', 'login'],
  ['emails', 'email'],
  ['phones', 'phone'],
  ['externalIds', 'external_id'],
  ['facebookIds', 'facebook_id'],
  ['twitterIds', 'twitter_id'],
  ['tags', 'user_tags'],
] as const;

/** The `/users/v2` query for a filter, or null when the filter can match nobody. */
export function usersQuery(filter: UserFilterShape): Query | null {
  const query: Record<string, Record<string, unknown> | string> = {};
  const op = (field: string, operator: string, value: unknown) => {
    const current = query[field];
    query[field] = { ...(typeof current === 'object' ? current : {}), [operator]: value };
  };
  let primary = false;
  let empty = false;
  const ids = userIds(filter);
  if (ids) {
    primary = true;
    if (ids.length === 0) empty = true;
    else op('id', 'in', ids.map(String));
  }
  for (const [name, field] of listFilters) {
    const values = filter[name];
    if (!values) continue;
    primary = true;
    if (values.length === 0) empty = true;
    else op(field, 'in', values.map(String));
  }
  if (filter.fullName != null && filter.fullNameStartsWith != null) {
    throw new ValidationError('Give fullName or fullNameStartsWith, not both.', [
      { field: 'filter.fullNameStartsWith', messages: ['cannot be combined with fullName'] },
    ]);
  }
  if (filter.fullName != null) {
    primary = true;
    query.full_name = filter.fullName;
  }
  if (filter.fullNameStartsWith != null) {
    if (filter.fullNameStartsWith.length < 4) {
      throw new ValidationError('fullNameStartsWith needs at least 4 characters.', [
        { field: 'filter.fullNameStartsWith', messages: ['needs at least 4 characters'] },
      ]);
    }
    primary = true;
    op('full_name', 'start_with', filter.fullNameStartsWith);
  }
  if (!primary) {
    throw new ValidationError(
      'The filter needs at least one of ids, databaseIds, logins, emails, phones, externalIds, facebookIds, twitterIds, fullName, fullNameStartsWith or tags.',
      [{ field: 'filter', messages: ['needs a primary condition'] }],
    );
  }
  if (filter.excludeTags?.length) op('user_tags', 'nin', filter.excludeTags);
  if (filter.excludeIds?.length) {
    op(
      'id',
      'nin',
      filter.excludeIds.map((id, i) => String(databaseIdOf('User', String(id), `filter.excludeIds.${i}`))),
    );
  }
  for (const [name, field] of [
    ['createdAt', 'created_at'],
    ['updatedAt', 'updated_at'],
    ['lastRequestAt', 'last_request_at'],
  ] as const) {
    const range = filter[name] as DateTimeRangeShape | null | undefined;
    for (const bound of ['gt', 'gte', 'lt', 'lte'] as const) {
      const value = range?.[bound];
      if (value) op(field, bound, isoSeconds(value));
    }
  }
  return empty ? null : query;
}

/** `ids` and `databaseIds` as upstream ids: both given means users in both lists. */
function userIds(filter: UserFilterShape): number[] | null {
  const fromGlobal = filter.ids?.map((id, i) => databaseIdOf('User', String(id), `filter.ids.${i}`));
  const fromDatabase = filter.databaseIds ?? undefined;
  if (fromGlobal && fromDatabase) return fromGlobal.filter((id) => fromDatabase.includes(id));
  return fromGlobal ?? fromDatabase ?? null;
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Orders that keyset cursors serve; the others page by offset. */
const keysetFields = new Set(['id', 'created_at']);

builder.queryField('users', (t) =>
  t.connection(
    {
      type: UserNode,
      description:
        'Users matching a filter, a page at a time (`first`/`after` forward, `last`/`before` backward). ' +
        'With the default order (ID ascending) and with ID or CREATED_AT either way, cursors are keyset ' +
        'cursors: users added or removed between pages never make a user repeat or go missing. ' +
        'The upstream cannot bound UPDATED_AT, LAST_REQUEST_AT, LOGIN or FULL_NAME, so those orders page ' +
        'by offset: an insert or delete before the cursor shifts the next page by one.',
      authScopes: { authenticated: true },
      // Counted per user of the page (MAX_QUERY_COST).
      complexity: pageCost(USERS_PAGE_MAX),
      args: {
        filter: t.arg({ type: UserFilter, required: true, description: 'Which users; see `UserFilter`.' }),
        orderBy: t.arg({ type: UserOrder, description: 'The order; ID ascending when omitted.' }),
      },
      resolve: async (_root, args, ctx) => {
        const after = args.after != null ? decodeCursor('after', args.after) : null;
        const before = args.before != null ? decodeCursor('before', args.before) : null;
        if ((args.first ?? 0) < 0 || (args.last ?? 0) < 0) {
          throw new ValidationError('first and last cannot be negative.', [
            { field: args.first != null && args.first < 0 ? 'first' : 'last', messages: ['cannot be negative'] },
          ]);
        }
        const query = usersQuery(args.filter);
        const startsWith = args.filter.fullNameStartsWith != null;
        const maxSize = startsWith ? START_WITH_PAGE_MAX : USERS_PAGE_MAX;
        for (const name of ['first', 'last'] as const) {
          const size = args[name];
          if (size != null && size > maxSize) {
            throw new ValidationError(
              `${name} can be at most ${maxSize}${startsWith ? ' with fullNameStartsWith' : ''}.`,
              [{ field: name, messages: [`must be at most ${maxSize}`] }],
            );
          }
        }
        const token = ctx.token as string;
        const fetchPage = (q: Query, offset: number, limit: number) =>
          searchUsers(ctx.deps.client, token, { ...q, offset, limit });
        const count = async () => (query ? (await fetchPage(query, 0, 1)).total_entries : 0);
        const loader = UserNode.getDataloader(ctx);
        const connection = (page: {
          edges: { cursor: string; node: UpstreamUser }[];
          hasPreviousPage: boolean;
          hasNextPage: boolean;
          totalCount?: number | undefined;
        }) => {
          for (const { node } of page.edges) loader.prime(String(node.id), node);
          return {
            edges: page.edges,
            // Asked for only when selected, and then at most one more call.
            totalCount: () => page.totalCount ?? count(),
            pageInfo: {
              startCursor: page.edges[0]?.cursor ?? null,
              endCursor: page.edges.at(-1)?.cursor ?? null,
              hasPreviousPage: page.hasPreviousPage,
              hasNextPage: page.hasNextPage,
            },
          };
        };

        const field = args.orderBy?.field ?? 'id';
        if (keysetFields.has(field)) {
          const order = keysetOrder(field as 'id' | 'created_at', args.orderBy?.direction ?? 'ASC');
          for (const [name, cursor] of [
            ['after', after],
            ['before', before],
          ] as const) {
            if (cursor && cursor.kind !== 'keyset') throw invalidCursor(name, 'belongs to another order');
          }
          if (!query) return connection({ edges: [], hasPreviousPage: false, hasNextPage: false, totalCount: 0 });
          return connection(
            await keysetPage(
              query,
              order,
              {
                first: args.first,
                last: args.last,
                after: after as KeysetCursor | null,
                before: before as KeysetCursor | null,
              },
              maxSize,
              (q, limit) => fetchPage(q, 0, limit),
            ),
          );
        }
        const sort = { [args.orderBy?.direction === 'DESC' ? 'sort_desc' : 'sort_asc']: field };
        return connection(await offsetPage(args, after, before, maxSize, query, fetchPage, count, sort));
      },
    },
    {
      name: 'UserConnection',
      fields: (c) => ({
        totalCount: c.int({
          description: 'How many users match the filter in all.',
          resolve: (connection) => (connection as unknown as { totalCount: () => Promise<number> }).totalCount(),
        }),
      }),
    },
    { name: 'UserEdge' },
  ),
);

/** Offset pages, for the orders the upstream cannot keyset-page. */
async function offsetPage(
  args: { first?: number | null; last?: number | null },
  after: UserCursor | null,
  before: UserCursor | null,
  maxSize: number,
  query: Query | null,
  fetchPage: (q: Query, offset: number, limit: number) => Promise<UsersPage>,
  count: () => Promise<number>,
  sort: Query,
) {
  const offsetOf = (name: string, cursor: UserCursor | null) => {
    if (!cursor) return null;
    if (cursor.kind !== 'offset') throw invalidCursor(name, 'belongs to another order');
    return offsetToCursor(cursor.offset);
  };
  const relayArgs = { ...args, after: offsetOf('after', after), before: offsetOf('before', before) };
  // `last` without `before` counts back from the end, which needs the total first.
  let totalCount: number | undefined;
  if (args.last != null && before == null && args.first == null) totalCount = await count();
  const page = offsetForArgs({ args: relayArgs, defaultSize: maxSize, maxSize, totalCount });
  const result =
    page.expectedSize > 0 && query ? await fetchPage({ ...query, ...sort }, page.offset, page.expectedSize) : null;
  const items = result?.items ?? [];
  if (result) totalCount = result.total_entries;
  else totalCount ??= await count();
  return {
    edges: items.map((node, i) => ({ cursor: encodeCursor({ kind: 'offset', offset: page.offset + i }), node })),
    hasPreviousPage: page.hasPreviousPage,
    hasNextPage: page.offset + items.length < totalCount,
    totalCount,
  };
}
