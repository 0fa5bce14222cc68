import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { type RestClient, restClient, sessionsFor } from '../support/rest-client.ts';

let local: RunningLocalService;
let api: RestClient;
let token: string;
const ids: Record<string, number> = {};
const day = (date: string) => new Date(`${date}T00:00:00Z`);

const SEED = [
  {
    login: 'ann',
    email: 'Ann@Example.test',
    full_name: 'Ann Smith',
    phone: '+100',
    facebook_id: 'fb-ann',
    twitter_id: 'tw-ann',
    external_id: 'ext-ann',
    external_user_id: 501,
    user_tags: ['music', 'art'],
    created_at: day('2020-01-01'),
  },
  {
    login: 'bob',
    email: 'bob@example.test',
    full_name: 'Bob Smithers',
    phone: '+200',
    user_tags: ['music'],
    created_at: day('2020-02-01'),
  },
  {
    login: 'cyd',
    email: 'cyd@example.test',
    full_name: 'Cyd Jones',
    phone: '+100',
    user_tags: ['sport'],
    created_at: day('2020-03-01'),
  },
  ...Array.from({ length: 12 }, (_, n) => ({
    login: `bulk_${String(n).padStart(2, '0')}`,
    full_name: `Bulk ${n}`,
    user_tags: ['bulk'],
    created_at: day(`2021-01-${String(n + 1).padStart(2, '0')}`),
  })),
];

beforeAll(async () => {
  local = await startLocalService();
  api = restClient(local.url);
  token = await sessionsFor(api, local.application).applicationToken();
  for (const seed of SEED) {
    const user = await local.service.deps.users.insert({ application_id: local.application.id, ...seed });
    ids[seed.login] = user.id;
  }
});
afterAll(() => local.close());

const get = (path: string, query?: Record<string, unknown>) => api.get(path, { token, ...(query && { query }) });
const listLogins = (body: { items: { user: { login: string } }[] }) => body.items.map((item) => item.user.login);

describe('GET /users (v1 list)', () => {
  it('pages 10 per page by default, wrapping each user in {"user"}', async () => {
    const response = await get('/users.json');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ current_page: 1, per_page: 10, total_entries: SEED.length });
    expect(response.body.items).toHaveLength(10);
    expect(response.body.items[0].user).toMatchObject({ id: ids.ann, login: 'ann', user_tags: 'music,art' });

    const second = await get('/users', { page: 2, per_page: 10 });
    expect(second.body).toMatchObject({ current_page: 2, per_page: 10, total_entries: SEED.length });
    expect(second.body.items).toHaveLength(SEED.length - 10);
    expect((await get('/users', { per_page: 500 })).body.per_page).toBe(100);
  });

  it('filters with "<type> <field> <operator> <value>" strings, all of them applying', async () => {
    const cases: [string[], string[]][] = [
      [['string login eq bob'], ['bob']],
      [['string email eq ann@example.TEST'], ['ann']],
      [[`number id in ${ids.ann},${ids.cyd}`], ['ann', 'cyd']],
      [[`number id gt ${ids.bulk_09}`], ['bulk_10', 'bulk_11']],
      [['string full_name eq Ann Smith'], ['ann']],
      [['string phone eq +100', 'string login ne ann'], ['cyd']],
      [['date created_at lt 2020-03-01T00:00:00Z'], ['ann', 'bob']],
      [['date created_at between 2020-01-15T00:00:00Z,2020-03-01T00:00:00Z'], ['bob', 'cyd']],
      [[`date created_at gte ${day('2021-01-12').getTime() / 1000}`], ['bulk_11']],
      [['number external_user_id eq 501'], ['ann']],
      // The SDK names the type after the JavaScript value: a number for a phone still matches.
      [['number phone eq +200'], ['bob']],
    ];
    for (const [filter, expected] of cases) {
      const response = await get('/users', { filter, per_page: 100 });
      expect(response.status, filter.join(' & ')).toBe(200);
      expect(listLogins(response.body), filter.join(' & ')).toEqual(expected);
      expect(response.body.total_entries).toBe(expected.length);
    }
  });

  it('orders with "<asc|desc> <type> <field>"', async () => {
    const descending = await get('/users', { order: 'desc string login', per_page: 3 });
    expect(listLogins(descending.body)).toEqual(['cyd', 'bulk_11', 'bulk_10']);
    const byDate = await get('/users', { order: 'asc date created_at', per_page: 2 });
    expect(listLogins(byDate.body)).toEqual(['ann', 'bob']);
    // The SDK always says `string` in order, whatever the field.
    const sdkStyle = await get('/users', { order: 'desc string created_at', per_page: 1 });
    expect(listLogins(sdkStyle.body)).toEqual(['bulk_11']);
  });

  it('answers 422 naming what is wrong with a filter, order or paging', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ filter: ['login eq bob'] }, 'filter "login eq bob" must read "<type> <field> <operator> <value>"'],
      [
        { filter: ['string password eq x'] },
        expect.stringMatching(/^filter field "password" must be one of id, login/) as never,
      ],
      [
        { filter: ['string login like bob'] },
        'filter operator "like" must be one of eq, ne, gt, ge, lt, le, in, between, gte, lte',
      ],
      [{ filter: ['text login eq bob'] }, 'filter type "text" must be one of number, string, date, integer'],
      [{ filter: ['number id eq one'] }, 'filter value "one" for id must be an integer'],
      [
        { filter: ['date created_at gt someday'] },
        'filter value "someday" for created_at must be a date (yyyy-mm-dd, yyyy.mm.dd, ISO-8601 or unix seconds)',
      ],
      [{ filter: ['number id between 1'] }, 'filter "number id between 1": between takes two values, "from,to"'],
      [
        { order: 'sideways string login' },
        expect.stringMatching(/^order must read "<asc\|desc> <type> <field>"/) as never,
      ],
      [{ page: 0 }, 'page must be a positive integer'],
      [{ per_page: 'many' }, 'per_page must be a positive integer'],
    ];
    for (const [query, message] of cases) {
      const response = await get('/users', query);
      expect(response.status, JSON.stringify(query)).toBe(422);
      expect(response.body, JSON.stringify(query)).toEqual({ errors: { base: [message] } });
    }
  });
});

describe('v1 single lookups', () => {
  it('finds one user by id, login, email, facebook_id, twitter_id and external id', async () => {
    const lookups: [string, Record<string, unknown> | undefined][] = [
      [`/users/${ids.ann}`, undefined],
      [`/users/${ids.ann}.json`, undefined],
      ['/users/by_login', { login: 'ANN' }],
      ['/users/by_email', { email: 'ann@example.test' }],
      ['/users/by_facebook_id', { facebook_id: 'fb-ann' }],
      ['/users/by_twitter_id', { twitter_id: 'tw-ann' }],
      ['/users/external/ext-ann', undefined],
      ['/users/external/501', undefined],
    ];
    for (const [path, query] of lookups) {
      const response = await get(path, query);
      expect(response.status, path).toBe(200);
      expect(Object.keys(response.body), path).toEqual(['user']);
      expect(response.body.user, path).toMatchObject({ id: ids.ann, login: 'ann', email: 'Ann@Example.test' });
    }
  });

  it('answers 404 for no such user and 422 for a missing parameter', async () => {
    for (const [path, query] of [
      ['/users/2000000', undefined],
      ['/users/not-a-number', undefined],
      ['/users/by_login', { login: 'nobody' }],
      ['/users/by_email', { email: 'nobody@example.test' }],
      ['/users/by_facebook_id', { facebook_id: 'none' }],
      ['/users/by_twitter_id', { twitter_id: 'none' }],
      ['/users/external/none', undefined],
    ] as const) {
      const response = await get(path, query);
      expect(response.status, path).toBe(404);
      expect(response.body).toEqual({ errors: { base: ['Entity you are looking for was not found.'] } });
    }
    const missing = await get('/users/by_login');
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({ errors: { login: ['is required'] } });
  });
});

describe('v1 list lookups', () => {
  it('lists users whose full name contains the text, in any letter case', async () => {
    const response = await get('/users/by_full_name', { full_name: 'smith' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ current_page: 1, per_page: 10, total_entries: 2 });
    expect(listLogins(response.body)).toEqual(['ann', 'bob']);
    const paged = await get('/users/by_full_name', { full_name: 'bulk', per_page: 5, page: 3 });
    expect(paged.body).toMatchObject({ current_page: 3, per_page: 5, total_entries: 12 });
    expect(listLogins(paged.body)).toEqual(['bulk_10', 'bulk_11']);
  });

  it('lists users holding any of the tags, given as a comma list or an array', async () => {
    const comma = await get('/users/by_tags', { tags: 'art,sport' });
    expect(listLogins(comma.body)).toEqual(['ann', 'cyd']);
    const array = await get('/users/by_tags', { tags: ['music'] });
    expect(listLogins(array.body)).toEqual(['ann', 'bob']);
  });

  it('lists users by phone numbers', async () => {
    const response = await get('/users/phone', { phone: '+100' });
    expect(listLogins(response.body)).toEqual(['ann', 'cyd']);
    const several = await get('/users/phone.json', { phone: '+200,+100' });
    expect(several.body.total_entries).toBe(3);
  });

  it('refuses every list, but no single lookup, when the application does not allow users lists', async () => {
    await local.service.deps.applications.updateSettings(local.application.id, { usersListAllowed: false });
    try {
      for (const [path, query] of [
        ['/users', undefined],
        ['/users/by_full_name', { full_name: 'smith' }],
        ['/users/by_tags', { tags: 'music' }],
        ['/users/phone', { phone: '+100' }],
      ] as const) {
        const response = await get(path, query);
        expect(response.status, path).toBe(403);
        expect(response.body).toEqual({ errors: { base: ['Users list is not allowed for this application'] } });
      }
      expect((await get(`/users/${ids.bob}`)).status).toBe(200);
    } finally {
      await local.service.deps.applications.updateSettings(local.application.id, { usersListAllowed: true });
    }
  });

  it('needs a token', async () => {
    const response = await api.get('/users/by_login', { query: { login: 'ann' } });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: { base: ['Token is required'] } });
  });
});
