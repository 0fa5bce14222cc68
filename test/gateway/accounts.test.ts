import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { restClient } from '../support/rest-client.ts';

// signUp, updateMe, deleteMe and resetPassword end to end.

const SIGN_UP = `mutation($input: SignUpInput!) {
  signUp(input: $input) {
    __typename
    ... on SignUpSuccess {
      user { id databaseId login email fullName phone website tags customData timezone isGuest createdAt updatedAt }
      session { kind token user { login } }
    }
    ... on Error { code message }
    ... on ValidationError { fields { field messages } }
    ... on AlreadyTakenError { fields { field messages } }
  }
}`;
const UPDATE_ME = `mutation($input: UpdateMeInput!) {
  updateMe(input: $input) {
    __typename
    ... on UpdateMeSuccess { user { databaseId login email fullName phone website tags customData timezone } }
    ... on Error { code message }
    ... on ValidationError { fields { field messages } }
    ... on AlreadyTakenError { fields { field messages } }
  }
}`;
const PASSWORD = 'correct-horse-battery';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw?.close());

async function signUp(input: Record<string, unknown>) {
  return (await gw.gql(SIGN_UP, { input: { password: PASSWORD, ...input } })).data.signUp;
}

async function signedIn(login: string): Promise<string> {
  const result = await signUp({ login, email: `${login}@example.test`, logIn: true });
  expect(result.__typename).toBe('SignUpSuccess');
  return result.session.token;
}

describe('signUp', () => {
  it('creates a user with every profile field, without a token', async () => {
    gw.upstream.reset();
    const result = await signUp({
      login: 'ada',
      email: 'ada@example.test',
      fullName: 'Ada Lovelace',
      phone: '+441234',
      website: 'https://ada.example.test',
      tags: ['math', 'poetry'],
      customData: { plan: 'pro', n: 1 },
      timezone: 60,
    });
    expect(result).toMatchObject({
      __typename: 'SignUpSuccess',
      session: null,
      user: {
        login: 'ada',
        email: 'ada@example.test',
        fullName: 'Ada Lovelace',
        phone: '+441234',
        website: 'https://ada.example.test',
        tags: ['math', 'poetry'],
        customData: { plan: 'pro', n: 1 },
        timezone: 60,
        isGuest: false,
      },
    });
    expect(result.user.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(gw.upstream.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /users']);
  });

  it('logs the new user in with logIn: true (by login or by email)', async () => {
    const byLogin = await signUp({ login: 'grace', logIn: true });
    expect(byLogin.session).toMatchObject({ kind: 'USER', user: { login: 'grace' } });
    const byEmail = await signUp({ email: 'hedy@example.test', logIn: true });
    expect(byEmail.session).toMatchObject({ kind: 'USER' });
    const me = await gw.gql('{ me { email } }', {}, { token: byEmail.session.token });
    expect(me.data.me.email).toBe('hedy@example.test');
  });

  it('answers ALREADY_TAKEN for a taken login or email', async () => {
    await signUp({ login: 'taken', email: 'taken@example.test' });
    const again = await signUp({ login: 'TAKEN', email: 'other@example.test' });
    expect(again).toMatchObject({
      __typename: 'AlreadyTakenError',
      code: 'ALREADY_TAKEN',
      fields: [{ field: 'login' }],
    });
    const email = await signUp({ login: 'other', email: 'taken@example.test' });
    expect(email).toMatchObject({ code: 'ALREADY_TAKEN', fields: [{ field: 'email' }] });
  });

  it('answers VALIDATION_FAILED from the gateway (before any upstream call) and from the upstream', async () => {
    gw.upstream.reset();
    const badEmail = await signUp({ login: 'someone', email: 'not-an-email' });
    expect(badEmail).toMatchObject({
      __typename: 'ValidationError',
      code: 'VALIDATION_FAILED',
      fields: [{ field: 'email' }],
    });
    const noIdentity = await signUp({ fullName: 'Nobody' });
    expect(noIdentity).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'login' }] });
    const badTags = await signUp({ login: 'tagger', tags: ['a,b'] });
    expect(badTags).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'tags.0' }] });
    const badZone = await signUp({ login: 'zoned', timezone: 5000 });
    expect(badZone.fields[0].field).toBe('timezone');
    expect(gw.upstream.calls).toHaveLength(0);

    const short = await signUp({ login: 'shorty', password: 'short' });
    expect(short).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(short.fields).toEqual([{ field: 'password', messages: [expect.stringMatching(/too short/)] }]);
    expect(gw.upstream.count('POST', '/users')).toBe(1);
  });
});

describe('updateMe', () => {
  it('changes profile fields, clears with null, and leaves the others', async () => {
    const token = await signedIn('editor');
    const changed = await gw.gql(
      UPDATE_ME,
      {
        input: {
          fullName: 'Ed Itor',
          tags: ['x'],
          customData: { theme: 'dark' },
          timezone: -300,
          website: 'https://ed.example.test',
        },
      },
      { token },
    );
    expect(changed.data.updateMe).toMatchObject({
      __typename: 'UpdateMeSuccess',
      user: { login: 'editor', fullName: 'Ed Itor', tags: ['x'], customData: { theme: 'dark' }, timezone: -300 },
    });
    const cleared = await gw.gql(UPDATE_ME, { input: { fullName: null, tags: [], customData: null } }, { token });
    expect(cleared.data.updateMe.user).toMatchObject({
      fullName: null,
      tags: [],
      customData: null,
      timezone: -300,
      website: 'https://ed.example.test',
    });
    const me = await gw.gql('{ me { fullName timezone } }', {}, { token });
    expect(me.data.me).toEqual({ fullName: null, timezone: -300 });
  });

  it('changes the password only with the right oldPassword', async () => {
    const token = await signedIn('changer');
    const missing = await gw.gql(UPDATE_ME, { input: { password: 'a-new-password' } }, { token });
    expect(missing.data.updateMe).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'oldPassword' }] });
    const wrong = await gw.gql(
      UPDATE_ME,
      { input: { password: 'a-new-password', oldPassword: 'nope-nope' } },
      { token },
    );
    expect(wrong.data.updateMe).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'oldPassword' }] });
    const ok = await gw.gql(UPDATE_ME, { input: { password: 'a-new-password', oldPassword: PASSWORD } }, { token });
    expect(ok.data.updateMe.__typename).toBe('UpdateMeSuccess');
    const login = await gw.gql(
      `mutation { login(input: { login: "changer", password: "a-new-password" }) { __typename } }`,
    );
    expect(login.data.login.__typename).toBe('LoginSuccess');
  });

  it('answers ALREADY_TAKEN, VALIDATION_FAILED, FORBIDDEN and UNAUTHENTICATED', async () => {
    const token = await signedIn('mover');
    await signedIn('occupied');
    const taken = await gw.gql(UPDATE_ME, { input: { login: 'occupied' } }, { token });
    expect(taken.data.updateMe).toMatchObject({ code: 'ALREADY_TAKEN', fields: [{ field: 'login' }] });
    const invalid = await gw.gql(UPDATE_ME, { input: { website: 'not a url' } }, { token });
    expect(invalid.data.updateMe).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'website' }] });
    const appToken = (await gw.gql('mutation { createSession { ... on CreateSessionSuccess { session { token } } } }'))
      .data.createSession.session.token;
    const forbidden = await gw.gql(UPDATE_ME, { input: { fullName: 'x' } }, { token: appToken });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await gw.gql(UPDATE_ME, { input: { fullName: 'x' } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const expired = await gw.gql(UPDATE_ME, { input: { fullName: 'x' } }, { token: 'e'.repeat(40) });
    expect(expired.errors?.[0]?.extensions?.code).toBe('SESSION_EXPIRED');
  });
});

describe('deleteMe', () => {
  it('deletes the account; its token dies with it', async () => {
    const token = await signedIn('leaver');
    const { data } = await gw.gql('{ me { id } }', {}, { token });
    const res = await gw.gql(
      `mutation { deleteMe { __typename ... on DeleteMeSuccess { deletedUserId } } }`,
      {},
      { token },
    );
    expect(res.data.deleteMe).toEqual({ __typename: 'DeleteMeSuccess', deletedUserId: data.me.id });
    expect((await gw.gql('{ me { id } }', {}, { token })).errors?.[0]?.extensions?.code).toBe('SESSION_EXPIRED');
    const login = await gw.gql(
      `mutation { login(input: { login: "leaver", password: "${PASSWORD}" }) { __typename } }`,
    );
    expect(login.data.login.__typename).toBe('InvalidCredentialsError');
  });

  it('answers FORBIDDEN for an application session and UNAUTHENTICATED without a token', async () => {
    const appToken = (await gw.gql('mutation { createSession { ... on CreateSessionSuccess { session { token } } } }'))
      .data.createSession.session.token;
    const app = await gw.gql('mutation { deleteMe { __typename } }', {}, { token: appToken });
    expect(app.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const none = await gw.gql('mutation { deleteMe { __typename } }');
    expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('resetPassword', () => {
  const RESET = `mutation($email: String!) { resetPassword(input: { email: $email }) { __typename ... on ResetPasswordSuccess { ok } ... on Error { code } } }`;

  it('answers ok for a known and an unknown email alike, and only the known one gets mail', async () => {
    await signUp({ login: 'forgetful', email: 'forgetful@example.test' });
    const known = await gw.gql(RESET, { email: 'forgetful@example.test' });
    const unknown = await gw.gql(RESET, { email: 'nobody@example.test' });
    expect(known.data.resetPassword).toEqual({ __typename: 'ResetPasswordSuccess', ok: true });
    expect(unknown.data.resetPassword).toEqual(known.data.resetPassword);
    const outbox = await restClient(gw.local.url).get('/dev/outbox');
    const recipients = JSON.stringify(outbox.body);
    expect(recipients).toContain('forgetful@example.test');
    expect(recipients).not.toContain('nobody@example.test');
  });

  it("reuses one application session of the gateway's own, never shown to callers", async () => {
    gw.upstream.reset();
    await gw.gql(RESET, { email: 'a@example.test' });
    await gw.gql(RESET, { email: 'b@example.test' });
    expect(gw.upstream.count('POST', '/session')).toBeLessThanOrEqual(1);
    expect(gw.upstream.count('POST', '/users/password/reset')).toBe(2);
  });

  it('answers VALIDATION_FAILED for a malformed email', async () => {
    const res = await gw.gql(RESET, { email: 'nope' });
    expect(res.data.resetPassword.__typename).toBe('ValidationError');
  });
});
