import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { graphiqlDefaultQuery, graphiqlHeaders } from '../../src/server/graphiql.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
  await insertUser(gw.local, 'ada');
});
afterAll(() => gw?.close());

/** A gateway whose upstream is a closed loopback port. */
async function gatewayWithDeadUpstream() {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    UPSTREAM_URL: 'http://127.0.0.1:9/api',
    CUBE_APPLICATION_ID: '1',
    CUBE_AUTH_KEY: 'secret-auth-key',
    UPSTREAM_RETRIES: '1',
  });
  if (!config.upstream) throw new Error('unreachable');
  const app = buildApp({ ...config, upstream: config.upstream });
  return { app, url: await app.start(0, '127.0.0.1') };
}

describe('health', () => {
  it('GET /healthz answers JSON while the process is up', async () => {
    const res = await fetch(`${gw.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/json/);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 when the upstream answers and 503 when it does not', async () => {
    const ok = await fetch(`${gw.url}/readyz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok', upstream: 'reachable' });

    const dead = await gatewayWithDeadUpstream();
    try {
      const down = await fetch(`${dead.url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'unavailable', upstream: 'unreachable' });
      const health = await fetch(`${dead.url}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      await dead.app.stop();
    }
  });
});

describe('GraphQL over HTTP', () => {
  it('serves GET /graphql queries and both response media types', async () => {
    const token = (
      await gw.gql(
        `mutation { login(input: { login: "ada", password: "${PASSWORD}" }) { ... on LoginSuccess { session { token } } } }`,
      )
    ).data.login.session.token;
    const get = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('{ me { login } }')}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/graphql-response+json' },
    });
    expect(get.headers.get('content-type')).toMatch(/application\/graphql-response\+json/);
    expect(await get.json()).toEqual({ data: { me: { login: 'ada' } } });

    const post = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'cb-token': token },
      body: JSON.stringify({ query: '{ session { kind } }' }),
    });
    expect(post.headers.get('content-type')).toMatch(/application\/json/);
    expect(await post.json()).toEqual({ data: { session: { kind: 'USER' } } });
  });

  it('refuses mutations over GET', async () => {
    const res = await fetch(
      `${gw.url}/graphql?query=${encodeURIComponent('mutation { createSession { __typename } }')}`,
      {
        headers: { accept: 'application/json' },
      },
    );
    expect(res.status).toBe(405);
  });

  it('serves GraphiQL to a browser, with every asset from the gateway itself', async () => {
    const res = await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('cube-gateway');
    expect(html).not.toMatch(/unpkg\.com|cdn\.|jsdelivr/);
  });

  it('runs GraphiQL\'s example operations as a new user would, token pasted after "Bearer "', async () => {
    const run = async (operationName: string, token?: string) => {
      const headers = JSON.parse(graphiqlHeaders) as Record<string, string>;
      if (token) headers.Authorization += token;
      const res = await fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: graphiqlDefaultQuery, operationName }),
      });
      return (await res.json()) as any;
    };
    const created = await run('CreateAccount');
    expect(created.data.signUp.__typename).toBe('SignUpSuccess');
    const login = await run('Login');
    const { token } = login.data.login.session;
    const me = await run('Me', token);
    expect(me.data).toMatchObject({ me: { login: 'grace_hopper' }, session: { kind: 'USER' } });
    const found = await run('FindUsers', token);
    expect(found.data.users).toMatchObject({ totalCount: 1, nodes: [{ login: 'grace_hopper' }] });
  });

  it('treats "Bearer " with no token as no token', async () => {
    const res = await gw.gql('{ me { id } session { id } }', {}, { headers: { authorization: 'Bearer ' } });
    expect(res.data).toEqual({ me: null, session: null });
    expect(res.errors).toBeUndefined();
  });
});

describe('logs', () => {
  it('never contain a token, even at trace level and on failures', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    const logged = await startGateway({ logger });
    try {
      await insertUser(logged.local, 'ada');
      const login = await logged.gql(
        `mutation { login(input: { login: "ada", password: "${PASSWORD}" }) { ... on LoginSuccess { session { token } } } }`,
      );
      const token: string = login.data.login.session.token;
      await logged.gql('{ me { login } users(filter: { logins: [""] }) { totalCount } }', {}, { token });
      await logged.gql('{ me { login } }', {}, { token: 'c'.repeat(40) });
      await logged.gql('mutation { updateMe(input: { website: "nope" }) { __typename } }', {}, { token });
      await logged.gql('{ user(login: "ada") { login } broken }', {}, { token });
      expect(lines.length).toBeGreaterThan(0);
      const all = lines.join('');
      expect(all).not.toContain(token);
      expect(all).not.toContain('c'.repeat(40));
      expect(all).not.toContain(PASSWORD);
      expect(all).not.toContain(logged.local.application.authSecret);
    } finally {
      await logged.close();
    }
  });
});

describe('upstream failures', () => {
  it('answer UPSTREAM_UNAVAILABLE without the upstream URL, auth key or a stack', async () => {
    const dead = await gatewayWithDeadUpstream();
    try {
      const call = async (query: string, token?: string) => {
        const res = await fetch(`${dead.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
          body: JSON.stringify({ query }),
        });
        return { text: await res.clone().text(), body: (await res.json()) as any };
      };
      const mutation = await call('mutation { createSession { __typename ... on Error { code message } } }');
      expect(mutation.body.data).toBeNull();
      expect(mutation.body.errors[0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
      const query = await call('{ me { id } }', 'a'.repeat(40));
      expect(query.body.errors[0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
      const reset = await call('mutation { resetPassword(input: { email: "a@example.test" }) { __typename } }');
      expect(reset.body.errors[0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
      for (const { text } of [mutation, query, reset]) {
        expect(text).not.toMatch(/127\.0\.0\.1|:9\/|\/api|secret-auth-key|ECONNREFUSED|stack|at /);
        expect(text).not.toContain('a'.repeat(40));
      }
    } finally {
      await dead.app.stop();
    }
  });

  it('every mutation and query answers UPSTREAM_UNAVAILABLE while the upstream is down', async () => {
    const dead = await gatewayWithDeadUpstream();
    const token = 'd'.repeat(40);
    const post = async (query: string, withToken: boolean) => {
      const res = await fetch(`${dead.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(withToken && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify({ query }),
      });
      return (await res.json()) as any;
    };
    try {
      const mutations: [string, string, boolean][] = [
        ['createSession', '', false],
        ['signUp', '(input: { login: "someone", password: "long enough" })', false],
        ['login', '(input: { login: "someone", password: "long enough" })', false],
        ['loginAsGuest', '(input: { fullName: "Guest" })', false],
        ['loginWithProvider', '(input: { provider: FACEBOOK, accessToken: "x" })', false],
        ['resetPassword', '(input: { email: "a@example.test" })', false],
        ['logout', '', true],
        ['destroySession', '', true],
        ['destroyOtherSessions', '', true],
        ['updateMe', '(input: { fullName: "x" })', true],
        ['deleteMe', '', true],
      ];
      for (const [name, args, withToken] of mutations) {
        const res = await post(`mutation { ${name}${args} { __typename } }`, withToken);
        expect(res.data, name).toBeNull();
        expect(res.errors?.[0]?.extensions?.code, name).toBe('UPSTREAM_UNAVAILABLE');
      }
      const queries = [
        'me { id }',
        'session { id }',
        'user(databaseId: 1) { id }',
        'users(filter: { databaseIds: [1] }) { totalCount }',
        'file(uid: "u") { id }',
        `node(id: "${Buffer.from('User:1').toString('base64')}") { id }`,
      ];
      for (const query of queries) {
        const res = await post(`{ ${query} }`, true);
        expect(res.errors?.[0]?.extensions?.code, query).toBe('UPSTREAM_UNAVAILABLE');
      }
    } finally {
      await dead.app.stop();
    }
  });

  it('mask unexpected errors', async () => {
    // A made-up field is a validation error; a malformed global id is the caller's input.
    const res = await gw.gql('{ node(id: "%%%") { id } }', {}, { token: 'b'.repeat(40) });
    expect(JSON.stringify(res)).not.toMatch(/stack|node_modules|\.ts:/);
  });
});
