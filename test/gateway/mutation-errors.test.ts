import { readFile } from 'node:fs/promises';
import { GraphQLUnionType, buildSchema as parseSdl } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

/**
 * Each mutation's union lists only the domain errors it can produce; auth and availability
 * failures are top-level errors with `extensions.code`, for mutations as for queries.
 */

const expectedErrors: Record<string, string[]> = {
  createSession: ['RateLimitedError'],
  signUp: ['AlreadyTakenError', 'RateLimitedError', 'ValidationError'],
  login: ['InvalidCredentialsError', 'RateLimitedError', 'ValidationError'],
  loginAsGuest: ['RateLimitedError', 'ValidationError'],
  loginWithProvider: ['InvalidCredentialsError', 'RateLimitedError', 'ValidationError'],
  logout: [],
  destroySession: ['NotFoundError', 'ValidationError'],
  destroyOtherSessions: [],
  updateMe: ['AlreadyTakenError', 'RateLimitedError', 'ValidationError'],
  uploadFile: ['ValidationError'],
  setAvatar: ['NotFoundError', 'ValidationError'],
  removeAvatar: [],
  resetPassword: ['RateLimitedError', 'ValidationError'],
  deleteMe: [],
};

const ERROR = '__typename ... on Error { code message }';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway({ local: { failedLoginLimit: 3 } });
  await insertUser(gw.local, 'holder', { email: 'holder@example.test' });
});
afterAll(() => gw?.close());

async function login(loginName: string, password = PASSWORD): Promise<string> {
  const res = await gw.gql(
    'mutation($i: LoginInput!) { login(input: $i) { ... on LoginSuccess { session { token } } } }',
    { i: { login: loginName, password } },
  );
  return res.data.login.session.token;
}

describe('mutation unions', () => {
  it('list exactly the domain errors of each mutation (printed schema)', async () => {
    const schema = parseSdl(await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8'));
    const mutations = schema.getMutationType()?.getFields() ?? {};
    expect(Object.keys(mutations).sort()).toEqual(Object.keys(expectedErrors).sort());
    for (const [name, field] of Object.entries(mutations)) {
      const union = field.type.toString().replace(/!$/, '');
      const type = schema.getType(union);
      expect(type, name).toBeInstanceOf(GraphQLUnionType);
      const members = (type as GraphQLUnionType).getTypes().map((t) => t.name);
      expect(members.filter((m) => m.endsWith('Error')).sort(), name).toEqual(expectedErrors[name]);
      expect(
        members.filter((m) => !m.endsWith('Error')),
        name,
      ).toHaveLength(1);
    }
    for (const gone of ['UnauthenticatedError', 'ForbiddenError', 'SessionExpiredError', 'UpstreamUnavailableError']) {
      expect(schema.getType(gone), gone).toBeUndefined();
    }
  });

  it('each listed error is really produced', async () => {
    const produced = async (query: string, variables: Record<string, unknown>, token?: string) => {
      const res = await gw.gql(query, variables, { token: token ?? null });
      expect(res.errors, query).toBeUndefined();
      return Object.values(res.data as Record<string, { __typename: string }>)[0]?.__typename;
    };
    const user = await login('holder');
    const other = await insertUser(gw.local, 'other-user');
    const otherToken = await login('other-user');
    const otherSession = (await gw.gql('{ session { id } }', {}, { token: otherToken })).data.session.id;

    const signUp = `mutation($i: SignUpInput!) { signUp(input: $i) { ${ERROR} } }`;
    expect(await produced(signUp, { i: { login: 'holder', password: PASSWORD } })).toBe('AlreadyTakenError');
    expect(await produced(signUp, { i: { password: PASSWORD } })).toBe('ValidationError');

    const loginQuery = `mutation($i: LoginInput!) { login(input: $i) { ${ERROR} } }`;
    expect(await produced(loginQuery, { i: { login: 'holder', email: 'x@example.test', password: 'p' } })).toBe(
      'ValidationError',
    );
    expect(await produced(loginQuery, { i: { login: 'other-user', password: 'wrong one' } })).toBe(
      'InvalidCredentialsError',
    );
    // The upstream's failed-login limit (3 here) answers 429.
    let last: string | undefined;
    for (let i = 0; i < 4; i++) last = await produced(loginQuery, { i: { login: 'other-user', password: 'wrong' } });
    expect(last).toBe('RateLimitedError');

    const guest = `mutation($i: LoginAsGuestInput!) { loginAsGuest(input: $i) { ${ERROR} } }`;
    expect(await produced(guest, { i: { fullName: ' ' } })).toBe('ValidationError');
    const provider = `mutation($i: LoginWithProviderInput!) { loginWithProvider(input: $i) { ${ERROR} } }`;
    expect(await produced(provider, { i: { provider: 'TWITTER', accessToken: 'x' } })).toBe('ValidationError');

    const destroy = `mutation($id: ID) { destroySession(input: { id: $id }) { ${ERROR} } }`;
    expect(await produced(destroy, { id: 'nope' }, user)).toBe('ValidationError');
    expect(await produced(destroy, { id: otherSession }, user)).toBe('NotFoundError');

    const updateMe = `mutation($i: UpdateMeInput!) { updateMe(input: $i) { ${ERROR} } }`;
    expect(await produced(updateMe, { i: { login: 'other-user' } }, user)).toBe('AlreadyTakenError');
    expect(await produced(updateMe, { i: { website: 'not a url' } }, user)).toBe('ValidationError');

    const setAvatar = `mutation($i: SetAvatarInput!) { setAvatar(input: $i) { ${ERROR} } }`;
    expect(await produced(setAvatar, { i: {} }, user)).toBe('ValidationError');
    expect(await produced(setAvatar, { i: { uid: 'no-such-file-uid' } }, user)).toBe('NotFoundError');

    const reset = `mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { ${ERROR} } }`;
    expect(await produced(reset, { i: { email: 'not an email' } })).toBe('ValidationError');
    expect(other.id).toBeGreaterThan(0);
  });
});

describe('auth failures of mutations', () => {
  const needsUser: [string, string][] = [
    ['logout', ''],
    ['destroySession', ''],
    ['destroyOtherSessions', ''],
    ['updateMe', '(input: { fullName: "x" })'],
    ['removeAvatar', ''],
    ['deleteMe', ''],
  ];

  it('are top-level errors with extensions.code: UNAUTHENTICATED, SESSION_EXPIRED, FORBIDDEN', async () => {
    const app = (await gw.gql('mutation { createSession { ... on CreateSessionSuccess { session { token } } } }')).data
      .createSession.session.token;
    for (const [name, args] of needsUser) {
      const query = `mutation { ${name}${args} { __typename } }`;
      const none = await gw.gql(query);
      expect(none.data, name).toBeNull();
      expect(none.errors?.[0]?.extensions?.code, name).toBe('UNAUTHENTICATED');
      const dead = await gw.gql(query, {}, { token: 'f'.repeat(40) });
      expect(dead.data, name).toBeNull();
      expect(dead.errors?.[0]?.extensions?.code, name).toBe('SESSION_EXPIRED');
      if (['destroyOtherSessions', 'updateMe', 'removeAvatar', 'deleteMe'].includes(name)) {
        const forbidden = await gw.gql(query, {}, { token: app });
        expect(forbidden.data, name).toBeNull();
        expect(forbidden.errors?.[0]?.extensions?.code, name).toBe('FORBIDDEN');
      }
    }
  });
});
