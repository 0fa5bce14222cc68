import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

// Tokens are per request: concurrent callers with different tokens (and none) each see only
// their own `me` and `session`.

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw?.close());

it('many concurrent requests with different tokens each see their own me and session', async () => {
  const callers: { token: string | null; login: string | null; kind: string | null }[] = [];
  for (let i = 0; i < 20; i++) {
    const login = `person${i}`;
    await insertUser(gw.local, login);
    const res = await gw.gql(
      `mutation { login(input: { login: "${login}", password: "${PASSWORD}" }) { ... on LoginSuccess { session { token } } } }`,
    );
    callers.push({ token: res.data.login.session.token, login, kind: 'USER' });
  }
  for (let i = 0; i < 5; i++) {
    const res = await gw.gql('mutation { createSession { ... on CreateSessionSuccess { session { token } } } }');
    callers.push({ token: res.data.createSession.session.token, login: null, kind: 'APPLICATION' });
  }
  for (let i = 0; i < 5; i++) callers.push({ token: null, login: null, kind: null });

  // Every caller asks 4 times, all interleaved.
  const requests = [...callers, ...callers, ...callers, ...callers].sort(() => Math.random() - 0.5);
  const results = await Promise.all(
    requests.map(async (caller) => ({
      caller,
      res: await gw.gql(
        '{ me { login user: email } session { token kind user { login } } }',
        {},
        { token: caller.token },
      ),
    })),
  );
  for (const { caller, res } of results) {
    expect(res.errors).toBeUndefined();
    expect(res.data.me?.login ?? null).toBe(caller.login);
    expect(res.data.session?.token ?? null).toBe(caller.token);
    expect(res.data.session?.kind ?? null).toBe(caller.kind);
    expect(res.data.session?.user?.login ?? null).toBe(caller.login);
  }
});
