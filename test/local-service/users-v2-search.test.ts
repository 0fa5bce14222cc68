import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/local-service/sessions/tokens.ts';
import { serializeUser } from '../../src/local-service/users/serialize.ts';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { type RestClient, restClient, sessionsFor } from '../support/rest-client.ts';
import { userWithToken } from '../support/users.ts';

let local: RunningLocalService;
let api: RestClient;
let token: string;
const ids: Record<string, number> = {};

const day = (date: string) => new Date(`${date}T00:00:00Z`);
const unix = (date: string) => Math.floor(day(date).getTime() / 1000);

// Every seeded user carries the tag `seed`, so `user_tags=seed` is a primary filter over all of them.
const SEED: {
  login: string;
  email?: string;
  full_name?: string;
  phone?: string;
  external_id?: string;
  facebook_id?: string;
  twitter_id?: string;
  tags: string[];
  created: string;
  updated: string;
  lastRequest: string | null;
}[] = [
  {
    login: 'alpha_one',
    email: 'alpha1@example.test',
    full_name: 'Alpha One',
    phone: '+100',
    external_id: 'ext-1',
    facebook_id: 'fb-1',
    twitter_id: 'tw-1',
    tags: ['red', 'blue'],
    created: '2020-01-01',
    updated: '2021-01-01',
    lastRequest: '2022-01-01',
  },
  {
    login: 'alpha_two',
    email: 'alpha2@example.test',
    full_name: 'Alpha Two',
    phone: '+200',
    external_id: 'ext-2',
    facebook_id: 'fb-2',
    twitter_id: 'tw-2',
    tags: ['blue'],
    created: '2020-02-01',
    updated: '2021-02-01',
    lastRequest: '2022-03-01',
  },
  {
    login: 'beta_three',
    email: 'Beta3@Example.test',
    full_name: 'Beta Three',
    phone: '+300',
    tags: ['green'],
    created: '2020-03-01',
    updated: '2021-03-01',
    lastRequest: null,
  },
  {
    login: 'Gamma_Four',
    full_name: 'Gamma Four',
    tags: [],
    created: '2020-04-01',
    updated: '2021-04-01',
    lastRequest: '2022-02-01',
  },
  ...[1, 2, 3, 4, 5, 6, 7].map((n) => ({
    login: `prefix_${n}`,
    full_name: `Prefix ${n}`,
    tags: n % 2 === 0 ? ['even'] : ['odd'],
    created: `2019-0${n}-15`,
    updated: `2019-0${n}-20`,
    lastRequest: null,
  })),
  {
    login: 'pre%cent',
    full_name: 'Percent',
    tags: [],
    created: '2018-01-01',
    updated: '2018-01-01',
    lastRequest: null,
  },
];

beforeAll(async () => {
  local = await startLocalService();
  api = restClient(local.url);
  token = await sessionsFor(api, local.application).applicationToken();
  for (const seed of SEED) {
    const user = await local.service.deps.users.insert({
      application_id: local.application.id,
      login: seed.login,
      email: seed.email ?? null,
      full_name: seed.full_name ?? null,
      phone: seed.phone ?? null,
      external_id: seed.external_id ?? null,
      facebook_id: seed.facebook_id ?? null,
      twitter_id: seed.twitter_id ?? null,
      user_tags: ['seed', ...seed.tags],
      created_at: day(seed.created),
      updated_at: day(seed.updated),
      last_request_at: seed.lastRequest ? day(seed.lastRequest) : null,
    });
    ids[seed.login] = user.id;
  }
  // A user of another application never shows up.
  const other = await local.service.deps.db
    .insertInto('applications')
    .values({
      auth_key: 'other-key',
      auth_secret: 'other-secret',
      cidp_url: null,
      cidp_request_params: null,
      cidp_response_params: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await local.service.deps.users.insert({
    application_id: other.id,
    login: 'alpha_elsewhere',
    user_tags: ['seed', 'red'],
  });
});
afterAll(() => local.close());

const search = (query: Record<string, unknown>) => api.get('/users/v2', { token, query });
const logins = (body: { items: { login: string }[] }) => body.items.map((user) => user.login);
const sorted = (values: string[]) => [...values].sort();

async function expectRule(query: Record<string, unknown>, message: string) {
  const response = await search(query);
  expect(response.status).toBe(422);
  expect(response.body).toEqual({ errors: { base: [message] } });
}

const USERS_LIST_NOT_ALLOWED = { errors: { base: ['Users list is not allowed for this application'] } };

/** Runs `check` while the application does not allow users lists, and allows them again after. */
async function withoutUsersLists(check: () => Promise<void>): Promise<void> {
  await local.service.deps.applications.updateSettings(local.application.id, { usersListAllowed: false });
  try {
    await check();
  } finally {
    await local.service.deps.applications.updateSettings(local.application.id, { usersListAllowed: true });
  }
}

describe('GET /users/v2 results', () => {
  it('answers limit, skip, total_entries and bare users for an eq filter, also at /users/v2.json', async () => {
    const response = await api.get('/users/v2.json', { token, query: { login: 'alpha_one' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ limit: 100, skip: 0, total_entries: 1 });
    expect(response.body.items).toHaveLength(1);
    expect(response.body.items[0]).toMatchObject({
      id: ids.alpha_one,
      login: 'alpha_one',
      email: 'alpha1@example.test',
      user_tags: 'seed,red,blue',
      created_at: '2020-01-01T00:00:00Z',
      last_request_at: '2022-01-01T00:00:00Z',
    });
    expect(response.body.items[0].user).toBeUndefined();
    expect(JSON.stringify(response.body)).not.toContain('password');
  });

  it('matches each stand-alone field by eq; login and email ignore letter case, others do not', async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ id: ids.beta_three }, ['beta_three']],
      [{ login: 'GAMMA_four' }, ['Gamma_Four']],
      [{ email: 'beta3@example.TEST' }, ['beta_three']],
      [{ full_name: 'Alpha Two' }, ['alpha_two']],
      [{ full_name: 'alpha two' }, []],
      [{ phone: '+300' }, ['beta_three']],
      [{ external_id: 'ext-2' }, ['alpha_two']],
      [{ facebook_id: 'fb-1' }, ['alpha_one']],
      [{ twitter_id: 'tw-2' }, ['alpha_two']],
      [{ user_tags: 'green' }, ['beta_three']],
    ];
    for (const [query, expected] of cases) {
      const response = await search(query);
      expect(response.status, JSON.stringify(query)).toBe(200);
      expect(logins(response.body), JSON.stringify(query)).toEqual(expected);
    }
  });

  it('matches any of several values with [in][], or a comma-separated [in]', async () => {
    const byIds = await search({ id: { in: [ids.alpha_one, ids.beta_three, 2_000_000] } });
    expect(logins(byIds.body)).toEqual(['alpha_one', 'beta_three']);
    const byLogins = await search({ login: { in: 'ALPHA_TWO,gamma_four' } });
    expect(logins(byLogins.body)).toEqual(['alpha_two', 'Gamma_Four']);
    const byEmails = await search({ email: { in: ['ALPHA1@example.test', 'beta3@example.test'] } });
    expect(logins(byEmails.body)).toEqual(['alpha_one', 'beta_three']);
  });

  it('matches user_tags when any tag is among the values, and nin excludes users holding any of them', async () => {
    const anyOf = await search({ user_tags: { in: ['red', 'green'] } });
    expect(logins(anyOf.body)).toEqual(['alpha_one', 'beta_three']);
    const blue = await search({ user_tags: 'blue' });
    expect(logins(blue.body)).toEqual(['alpha_one', 'alpha_two']);
    const notBlue = await search({ login: { start_with: 'alpha' }, user_tags: { nin: ['blue'] } });
    expect(notBlue.body.total_entries).toBe(0);
    const notRed = await search({ user_tags: { in: ['blue', 'green'], nin: ['red'] } });
    expect(logins(notRed.body)).toEqual(['alpha_two', 'beta_three']);
  });

  it('excludes values with nin, keeping users whose field is empty', async () => {
    const response = await search({ user_tags: 'seed', email: { nin: ['alpha1@example.test', 'BETA3@example.test'] } });
    expect(response.body.total_entries).toBe(SEED.length - 2);
    expect(logins(response.body)).not.toContain('alpha_one');
    expect(logins(response.body)).toContain('Gamma_Four');
    const ids2 = await search({ id: { in: [ids.alpha_one, ids.alpha_two], nin: [ids.alpha_one] } });
    expect(logins(ids2.body)).toEqual(['alpha_two']);
  });

  it('matches a prefix with start_with, case-insensitively and literally, and forces limit 5', async () => {
    const response = await search({ login: { start_with: 'PREF' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ limit: 5, skip: 0, total_entries: 7 });
    expect(logins(response.body)).toEqual(['prefix_1', 'prefix_2', 'prefix_3', 'prefix_4', 'prefix_5']);

    const asked100 = await search({ login: { start_with: 'pref' }, limit: 100, offset: 5 });
    expect(asked100.body).toMatchObject({ limit: 5, skip: 5, total_entries: 7 });
    expect(logins(asked100.body)).toEqual(['prefix_6', 'prefix_7']);

    const smaller = await search({ full_name: { start_with: 'prefix ' }, limit: 2 });
    expect(smaller.body.limit).toBe(2);
    expect(smaller.body.items).toHaveLength(2);

    // `%` is no wildcard: only the user whose login really starts with "pre%" matches.
    const literal = await search({ login: { start_with: 'pre%' } });
    expect(logins(literal.body)).toEqual(['pre%cent']);
    const underscore = await search({ login: { start_with: 'alpha_' } });
    expect(logins(underscore.body)).toEqual(['alpha_one', 'alpha_two']);
  });

  it('filters the additional date fields with gt, gte, lt, lte, given as ISO strings or unix timestamps', async () => {
    const base = { user_tags: 'seed' };
    const cases: [Record<string, unknown>, string[]][] = [
      [{ created_at: { gt: '2020-02-01T00:00:00Z' } }, ['beta_three', 'Gamma_Four']],
      [{ created_at: { gte: '2020-02-01T00:00:00Z' } }, ['alpha_two', 'beta_three', 'Gamma_Four']],
      [{ created_at: { gte: unix('2020-02-01') } }, ['alpha_two', 'beta_three', 'Gamma_Four']],
      [{ created_at: { gt: '2020-01-01', lt: String(unix('2020-03-01')) } }, ['alpha_two']],
      [{ created_at: { lte: '2018-01-01T00:00:00.000Z' } }, ['pre%cent']],
      [
        { created_at: { lt: '2020-01-01T01:00:00+02:00' } },
        [...[1, 2, 3, 4, 5, 6, 7].map((n) => `prefix_${n}`), 'pre%cent'],
      ],
      [{ updated_at: { gte: '2021-03-01T00:00:00Z' } }, ['beta_three', 'Gamma_Four']],
      [{ last_request_at: { gt: unix('2022-01-15') } }, ['alpha_two', 'Gamma_Four']],
      [{ last_request_at: { lt: '2022-02-01' } }, ['alpha_one']],
    ];
    for (const [query, expected] of cases) {
      const response = await search({ ...base, ...query });
      expect(response.status, JSON.stringify(query)).toBe(200);
      expect(sorted(logins(response.body)), JSON.stringify(query)).toEqual(sorted(expected));
    }
  });

  it('sorts by sort_asc or sort_desc, users without a value last, ties by id', async () => {
    const ascending = await search({ user_tags: { in: ['red', 'green', 'blue'] }, sort_asc: 'login' });
    expect(logins(ascending.body)).toEqual(['alpha_one', 'alpha_two', 'beta_three']);
    const descending = await search({ login: { start_with: 'prefix' }, sort_desc: 'created_at' });
    expect(logins(descending.body)).toEqual(['prefix_7', 'prefix_6', 'prefix_5', 'prefix_4', 'prefix_3']);
    const lastRequest = await search({
      id: { in: [ids.alpha_one, ids.alpha_two, ids.beta_three, ids.Gamma_Four] },
      sort_desc: 'last_request_at',
    });
    expect(logins(lastRequest.body)).toEqual(['alpha_two', 'Gamma_Four', 'alpha_one', 'beta_three']);
    const byIdDesc = await search({ login: { in: ['alpha_one', 'alpha_two'] }, sort_desc: 'id' });
    expect(logins(byIdDesc.body)).toEqual(['alpha_two', 'alpha_one']);
  });

  it('pages with offset and limit; total_entries counts every match', async () => {
    const all = await search({ user_tags: 'seed', sort_asc: 'id' });
    expect(all.body).toMatchObject({ limit: 100, skip: 0, total_entries: SEED.length });
    expect(all.body.items).toHaveLength(SEED.length);
    const page = await search({ user_tags: 'seed', sort_asc: 'id', offset: 3, limit: 4 });
    expect(page.body).toMatchObject({ limit: 4, skip: 3, total_entries: SEED.length });
    expect(page.body.items.map((user: { id: number }) => user.id)).toEqual(
      all.body.items.slice(3, 7).map((user: { id: number }) => user.id),
    );
    const beyond = await search({ user_tags: 'seed', offset: 500 });
    expect(beyond.body).toMatchObject({ skip: 500, total_entries: SEED.length, items: [] });
    const capped = await search({ user_tags: 'seed', limit: 1000 });
    expect(capped.body.limit).toBe(100);
  });

  it('answers each query of one shape by its own values (the statement is built once per shape)', async () => {
    for (const [query, expected] of [
      [{ login: 'ALPHA_ONE' }, ['alpha_one']],
      [{ login: 'beta_THREE' }, ['beta_three']],
      [{ login: { start_with: 'Alph' } }, ['alpha_one', 'alpha_two']],
      [{ login: { start_with: 'pre%' } }, ['pre%cent']],
      [{ user_tags: 'red' }, ['alpha_one']],
      [{ user_tags: 'green' }, ['beta_three']],
      [{ id: { in: [ids.alpha_one] }, limit: 1 }, ['alpha_one']],
      [{ id: { in: [ids.Gamma_Four] }, limit: 2, offset: 0 }, ['Gamma_Four']],
    ] as const) {
      const response = await search(query);
      expect(response.status).toBe(200);
      expect(sorted(logins(response.body))).toEqual(expected);
    }
  });

  it('lets application and user tokens read, and refuses no token', async () => {
    const none = await api.get('/users/v2', { query: { login: 'alpha_one' } });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ errors: { base: ['Token is required'] } });
  });

  it('is refused with 403 when the application does not allow users lists', async () => {
    await withoutUsersLists(async () => {
      const response = await search({ login: 'alpha_one' });
      expect(response.status).toBe(403);
      expect(response.body).toEqual(USERS_LIST_NOT_ALLOWED);
    });
    expect((await search({ login: 'alpha_one' })).status).toBe(200);
  });
});

// The search is read in the statement that authenticates the request; what a request is
// told, and in which order its faults are judged, is as on every other route.
describe('GET /users/v2 authentication', () => {
  const unknownSession = { errors: { base: ['Required session does not exist'] } };

  it('refuses an unknown or expired token before judging the query', async () => {
    for (const query of [{ login: 'alpha_one' }, { website: 'x' }]) {
      const unknown = await api.get('/users/v2', { token: 'f'.repeat(40), query });
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(unknownSession);
      const none = await api.get('/users/v2', { query });
      expect(none.status).toBe(401);
      expect(none.body).toEqual({ errors: { base: ['Token is required'] } });
    }
    const expiring = await sessionsFor(api, local.application).applicationToken();
    expect((await api.get('/users/v2', { token: expiring, query: { login: 'alpha_one' } })).status).toBe(200);
    await local.service.deps.db
      .updateTable('sessions')
      .set({ expires_at: day('2020-01-01') })
      .where('token_hash', '=', hashToken(expiring))
      .execute();
    for (const query of [{ login: 'alpha_one' }, { website: 'x' }]) {
      const expired = await api.get('/users/v2', { token: expiring, query });
      expect(expired.status).toBe(401);
      expect(expired.body).toEqual(unknownSession);
    }
  });

  it('refuses an application without users lists before judging the query', async () => {
    await withoutUsersLists(async () => {
      const response = await search({ website: 'x' });
      expect(response.status).toBe(403);
      expect(response.body).toEqual(USERS_LIST_NOT_ALLOWED);
    });
  });

  it("shows a user looking itself up its own request's stamp, and the session's expiry", async () => {
    const { user, token: userToken } = await userWithToken(local, 'self_lookup');
    // An old stamp is due to be written again by the next request.
    await local.service.deps.db
      .updateTable('users')
      .set({ last_request_at: day('2020-01-01') })
      .where('id', '=', user.id)
      .execute();
    const before = Date.now();
    for (let i = 0; i < 3; i++) {
      const response = await api.get('/users/v2', { token: userToken, query: { id: user.id } });
      expect(response.status).toBe(200);
      expect(response.headers.get('cb-token-expirationdate')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
      expect(response.body).toMatchObject({ limit: 100, skip: 0, total_entries: 1 });
      // Seconds precision: the stamp is at most a second before this test's first request.
      expect(Date.parse(response.body.items[0].last_request_at)).toBeGreaterThanOrEqual(before - 1000);
    }
  });

  it('writes the body as JSON.stringify writes serializeUser, byte for byte, every field set', async () => {
    // The statement writes the body's JSON text itself (page-body.ts); this is the shape and
    // the text the service answered with when it serialized the rows in JS.
    const user = await local.service.deps.users.insert({
      application_id: local.application.id,
      login: 'every_field',
      email: 'every@example.test',
      full_name: 'Quote " backslash \\ tab \t nul-ish \u0001 é 日本 🙂 \u2028',
      phone: '+4912345',
      website: 'https://example.test/a?b=c&d=e',
      external_user_id: 2_147_483_647,
      external_id: 'ext-every',
      facebook_id: 'fb-every',
      twitter_id: 'tw-every',
      custom_data: '{"nested":"json","n":[1,2]}',
      user_tags: ['first', 'sec ond', 'third'],
      avatar: 'https://example.test/avatar.png',
      blob_id: 7,
      timezone: -180,
      is_guest: true,
      // A fraction just under the next second: both forms cut it off, neither rounds up.
      created_at: new Date('2019-12-31T23:59:59.999Z'),
      updated_at: new Date('2020-06-15T12:00:00.500Z'),
      last_request_at: null,
    });
    const stored = await local.service.deps.users.findById(local.application.id, user.id);
    const expected = { limit: 100, skip: 0, total_entries: 1, items: [serializeUser(stored!)] };
    const response = await fetch(`${local.url}/users/v2?id=${user.id}`, { headers: { 'CB-Token': token } });
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.text()).toBe(JSON.stringify(expected));

    // Without tags, and on a full page (whose total is counted), the same.
    await local.service.deps.users.update(user.id, { user_tags: [] });
    const bare = await local.service.deps.users.findById(local.application.id, user.id);
    const full = await fetch(`${local.url}/users/v2?login=every_field&limit=1`, { headers: { 'CB-Token': token } });
    expect(await full.text()).toBe(
      JSON.stringify({ limit: 1, skip: 0, total_entries: 1, items: [serializeUser(bare!)] }),
    );
  });
});

describe('GET /users/v2 grammar rules (422 naming the rule)', () => {
  const STAND_ALONE_REQUIRED =
    'At least one stand-alone field (id, login, email, full_name, phone, external_id, facebook_id, twitter_id, user_tags) with a primary operator (eq, in, start_with) is required';

  it('needs at least one stand-alone field with a primary operator', async () => {
    await expectRule({}, STAND_ALONE_REQUIRED);
    await expectRule({ created_at: { gt: '2020-01-01' } }, STAND_ALONE_REQUIRED);
    await expectRule({ login: { nin: ['alpha_one'] } }, STAND_ALONE_REQUIRED);
    await expectRule({ limit: 10, sort_asc: 'id' }, STAND_ALONE_REQUIRED);
  });

  it('never takes compare operators on stand-alone fields', async () => {
    for (const field of ['id', 'login', 'full_name', 'phone', 'user_tags']) {
      await expectRule(
        { email: 'alpha1@example.test', [field]: { gt: '5' } },
        `Stand-alone field ${field} does not take compare operators (gt, gte, lt, lte)`,
      );
    }
  });

  it('takes eq and compare operators on date fields, never in', async () => {
    await expectRule(
      { login: 'alpha_one', updated_at: { in: ['2020-01-01'] } },
      'in does not apply to updated_at; it takes eq, gt, gte, lt, lte',
    );
    await expectRule({ last_request_at: '2022-01-01T00:00:00Z' }, STAND_ALONE_REQUIRED);
  });

  it('needs at least 4 characters for start_with, and applies it to text fields only', async () => {
    await expectRule({ login: { start_with: 'alp' } }, 'login[start_with] needs at least 4 characters');
    await expectRule({ full_name: { start_with: '  ab  ' } }, 'full_name[start_with] needs at least 4 characters');
    await expectRule({ id: { start_with: '1234' } }, 'start_with does not apply to id; it takes eq, in, nin');
    await expectRule(
      { user_tags: { start_with: 'seed' } },
      'start_with does not apply to user_tags; it takes eq, in, nin',
    );
  });

  it('rejects unknown fields and unknown operators', async () => {
    await expectRule(
      { login: 'alpha_one', website: 'x' },
      'Unknown field "website"; fields are id, login, email, full_name, phone, external_id, facebook_id, twitter_id, user_tags, last_request_at, created_at, updated_at',
    );
    await expectRule(
      { login: { like: 'alpha' }, id: 1 },
      'Unknown operator "like" for login; operators are in, nin, start_with, gt, gte, lt, lte',
    );
    await expectRule(
      { login: { eq: 'alpha_one' }, id: 1 },
      'Unknown operator "eq" for login; operators are in, nin, start_with, gt, gte, lt, lte',
    );
  });

  it('rejects values of the wrong type or shape', async () => {
    await expectRule({ id: 'abc' }, 'id must be a positive integer');
    await expectRule({ id: { in: ['1', 'x'] } }, 'id[in] must be a positive integer');
    await expectRule({ login: '' }, 'login needs a value');
    await expectRule(
      { id: 1, login: ['a', 'b'] },
      'login takes one value (login=v) or operators (login[in][]=v, login[gt]=v, ...)',
    );
    await expectRule(
      { user_tags: 'seed', created_at: { gt: 'yesterday' } },
      'created_at[gt] must be an ISO-8601 date or a unix timestamp',
    );
    await expectRule(
      { user_tags: 'seed', created_at: { gt: '2020-13-45' } },
      'created_at[gt] must be an ISO-8601 date or a unix timestamp',
    );
    await expectRule(
      { login: { in: { a: { b: 'c' } } } },
      'login[in] must be a list of values: login[in][]=a&login[in][]=b',
    );
  });

  it('rejects bad paging and sorting', async () => {
    await expectRule({ login: 'alpha_one', limit: 0 }, 'limit must be an integer of at least 1');
    await expectRule({ login: 'alpha_one', limit: 'ten' }, 'limit must be an integer of at least 1');
    await expectRule({ login: 'alpha_one', offset: -1 }, 'offset must be an integer of at least 0');
    await expectRule(
      { login: 'alpha_one', sort_asc: 'login', sort_desc: 'id' },
      'Use either sort_asc or sort_desc, not both',
    );
    await expectRule(
      { login: 'alpha_one', sort_desc: 'user_tags' },
      'sort_desc must name one of id, login, email, full_name, phone, external_id, facebook_id, twitter_id, last_request_at, created_at, updated_at',
    );
  });

  it('reports every broken rule at once', async () => {
    const response = await search({ id: { gt: '1' }, website: 'x' });
    expect(response.status).toBe(422);
    expect(response.body.errors.base).toEqual([
      'Stand-alone field id does not take compare operators (gt, gte, lt, lte)',
      expect.stringMatching(/^Unknown field "website"/),
      STAND_ALONE_REQUIRED,
    ]);
  });
});
