import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createSessionCookie } from '../../src/server/session-cookie.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { insertUser, PASSWORD, userWithToken } from '../support/users.ts';

// Browser cookie sessions over plain HTTP and WebSocket clients (the browser's own view is
// browser-sessions.test.ts): what the gateway sets, what it accepts, and what it refuses.

const APP_ORIGIN = 'http://app.example.test';
const LOGIN = (login: string) =>
  `mutation { login(input: { login: "${login}", password: "${PASSWORD}" }) { __typename ... on LoginSuccess { session { token kind } } } }`;

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway({ env: { SESSION_COOKIE: '1', CORS_ORIGINS: APP_ORIGIN } });
  for (const login of ['cookie_ada', 'cookie_bob', 'cookie_cy']) await insertUser(gw.local, login);
});
afterAll(async () => {
  await gw?.close();
});

async function post(body: string, headers: Record<string, string>) {
  const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers, body });
  return { res, body: (await res.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] } };
}
const json = (query: string, headers: Record<string, string> = {}) =>
  post(JSON.stringify({ query }), { 'content-type': 'application/json', ...headers });

async function cookieLogin(login: string): Promise<{ cookie: string; setCookie: string }> {
  const { res, body } = await json(LOGIN(login));
  expect(body.data?.login.__typename).toBe('LoginSuccess');
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0] as string, setCookie };
}

describe('SESSION_COOKIE=1', () => {
  it('login sets an HttpOnly SameSite=Lax cookie (no Secure on plain loopback) and answers no token', async () => {
    const { res, body } = await json(LOGIN('cookie_ada'));
    expect(body.data?.login.session).toEqual({ token: '', kind: 'USER' });
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^cube_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    const cookie = setCookie.split(';')[0] as string;
    const me = await json('{ me { login } session { token } }', { cookie });
    expect(me.body.data).toEqual({ me: { login: 'cookie_ada' }, session: { token: '' } });
  });

  it('an Authorization header wins over the cookie', async () => {
    const { cookie } = await cookieLogin('cookie_ada');
    const { token } = await userWithToken(gw.local, 'cookie_dan');
    const me = await json('{ me { login } }', { cookie, authorization: `Bearer ${token}` });
    expect(me.body.data?.me.login).toBe('cookie_dan');
  });

  it('createSession, signUp with logIn, and loginAsGuest set it too', async () => {
    const created = await json('mutation { createSession { __typename } }');
    expect(created.res.headers.get('set-cookie')).toMatch(/^cube_session=\w/);
    const signUp = await json(
      `mutation { signUp(input: { login: "cookie_new", password: "${PASSWORD}", logIn: true }) { __typename } }`,
    );
    expect(signUp.body.data?.signUp.__typename).toBe('SignUpSuccess');
    const cookie = (signUp.res.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect((await json('{ me { login } }', { cookie })).body.data?.me.login).toBe('cookie_new');
    const guest = await json('mutation { loginAsGuest(input: { fullName: "Guest" }) { __typename } }');
    expect(guest.res.headers.get('set-cookie')).toMatch(/^cube_session=\w/);
    // A sign-up without logIn has no session, so no cookie.
    const plain = await json(
      `mutation { signUp(input: { login: "cookie_plain", password: "${PASSWORD}" }) { __typename } }`,
    );
    expect(plain.res.headers.get('set-cookie')).toBeNull();
  });

  it('logout, destroySession and deleteMe clear it', async () => {
    const cleared =
      /^cube_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/;
    for (const mutation of [
      'mutation { logout { __typename } }',
      'mutation { destroySession { __typename } }',
      'mutation { deleteMe { __typename } }',
    ]) {
      const { cookie } = await cookieLogin('cookie_cy');
      const { res, body } = await json(mutation, { cookie });
      expect(body.errors).toBeUndefined();
      expect(res.headers.get('set-cookie')).toMatch(cleared);
    }
  });

  it('refuses a cookie request a page could forge: form posts and header-less GETs (CSRF_HEADER_REQUIRED)', async () => {
    const { cookie } = await cookieLogin('cookie_bob');
    const form = await post(`query=${encodeURIComponent('mutation { logout { __typename } }')}`, {
      'content-type': 'application/x-www-form-urlencoded',
      cookie,
    });
    expect(form.res.status).toBe(403);
    expect(form.body.errors?.[0]?.extensions?.code).toBe('CSRF_HEADER_REQUIRED');
    const url = `${gw.url}/graphql?query=${encodeURIComponent('{ me { login } }')}`;
    const get = await fetch(url, { headers: { cookie } });
    expect(get.status).toBe(403);
    const withHeader = await fetch(url, { headers: { cookie, 'x-graphql-yoga-csrf': '1' } });
    expect(((await withHeader.json()) as { data: { me: { login: string } } }).data.me.login).toBe('cookie_bob');
    // The session survived the forged logout.
    expect((await json('{ session { kind } }', { cookie })).body.data?.session.kind).toBe('USER');
  });

  it('refuses an Origin outside CORS_ORIGINS (FORBIDDEN_ORIGIN), and answers CORS with credentials to a listed one', async () => {
    const { cookie } = await cookieLogin('cookie_bob');
    const evil = await json('{ me { login } }', { cookie, origin: 'http://evil.example.test' });
    expect(evil.res.status).toBe(403);
    expect(evil.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN_ORIGIN');
    expect(evil.res.headers.get('access-control-allow-origin')).not.toBe('http://evil.example.test');
    const app = await json('{ me { login } }', { cookie, origin: APP_ORIGIN });
    expect(app.body.data?.me.login).toBe('cookie_bob');
    expect(app.res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(app.res.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('authenticates a WebSocket by the cookie of its upgrade, and refuses an upgrade from another origin', async () => {
    const { cookie } = await cookieLogin('cookie_bob');
    const wsUrl = `${gw.url.replace(/^http/, 'ws')}/graphql`;
    const first = await new Promise<unknown>((resolve, reject) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { headers: { cookie, origin: APP_ORIGIN } });
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; payload?: { data?: unknown } };
        if (message.type === 'connection_ack') {
          socket.send(
            JSON.stringify({
              id: '1',
              type: 'subscribe',
              payload: { query: 'subscription { sessionEvents { type } }' },
            }),
          );
        } else if (message.type === 'next') {
          resolve(message.payload?.data);
          socket.close();
        }
      });
      socket.on('close', (code) => reject(new Error(`closed ${code}`)));
      socket.on('error', reject);
    });
    expect(first).toEqual({ sessionEvents: { type: 'EXTENDED' } });

    const refused = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws', {
        headers: { cookie, origin: 'http://evil.example.test' },
      });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => reject(new Error('the upgrade was accepted')));
      socket.on('error', () => {});
    });
    expect(refused).toBe(403);
  });

  it('serves a subscription over SSE by the cookie', async () => {
    const { cookie } = await cookieLogin('cookie_bob');
    // Only the cookie goes: no Authorization header.
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', cookie },
      body: JSON.stringify({ query: 'subscription { sessionEvents { type } }' }),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain('"sessionEvents":{"type":"EXTENDED"}');
  });
});

describe('cookie attributes', () => {
  const url = 'http://127.0.0.1:4000/graphql';
  it('sets Secure except on plain-HTTP loopback outside production; names and domains come from the settings', () => {
    const dev = createSessionCookie({ name: 'sid', domain: undefined, exposeToken: false, production: false });
    expect(dev.issue('t', url)).not.toContain('Secure');
    expect(dev.issue('t', 'http://localhost:4000/graphql')).not.toContain('Secure');
    expect(dev.issue('t', 'http://gateway.example.test/graphql')).toContain('; Secure');
    expect(dev.issue('t', 'https://127.0.0.1/graphql')).toContain('; Secure');
    const prod = createSessionCookie({ name: 'sid', domain: 'example.test', exposeToken: false, production: true });
    expect(prod.issue('t', url)).toBe('sid=t; Domain=example.test; Path=/; HttpOnly; Secure; SameSite=Lax');
    expect(prod.tokenFrom('a=1; sid=tok; b=2')).toBe('tok');
    expect(prod.tokenFrom('a=1')).toBeNull();
  });

  it('SESSION_COOKIE_EXPOSE_TOKEN=1 answers the token as well', async () => {
    const exposed = await startGateway({
      env: { SESSION_COOKIE: '1', SESSION_COOKIE_EXPOSE_TOKEN: '1', SESSION_COOKIE_NAME: 'sid' },
    });
    try {
      await insertUser(exposed.local, 'cookie_eve');
      const res = await fetch(`${exposed.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: LOGIN('cookie_eve') }),
      });
      const body = (await res.json()) as { data: { login: { session: { token: string } } } };
      expect(body.data.login.session.token).toMatch(/^\w{20,}/);
      expect(res.headers.get('set-cookie')).toContain(`sid=${body.data.login.session.token};`);
    } finally {
      await exposed.close();
    }
  });
});
