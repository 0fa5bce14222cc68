import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { wsConnect } from '../support/session-clients.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

/**
 * A subscribe message (or request) may carry its own token in `extensions.authorization`;
 * it wins over `connectionParams` and headers, and no operation runs with another's token.
 */

const WHO = 'subscription { sessionEvents { type session { user { login } } } }';

let gw: RunningGateway;
let a: string;
let b: string;

async function tokenOf(login: string): Promise<string> {
  await insertUser(gw.local, login);
  const res = await gw.gql(
    'mutation($i: LoginInput!) { login(input: $i) { ... on LoginSuccess { session { token } } } }',
    { i: { login, password: PASSWORD } },
  );
  return res.data.login.session.token;
}

beforeAll(async () => {
  gw = await startGateway();
  a = await tokenOf('user-a');
  b = await tokenOf('user-b');
});
afterAll(() => gw?.close());

/** The first result of one subscription on a connection, with an optional token of its own. */
function firstResult(ws: ReturnType<typeof wsConnect>, token?: string) {
  return new Promise<{ data?: any; errors?: any[] }>((resolve, reject) => {
    const extensions = token ? { authorization: `Bearer ${token}` } : undefined;
    const stop = ws.client.subscribe(
      { query: WHO, ...(extensions && { extensions }) },
      {
        next: (value) => {
          stop();
          resolve(value as { data?: any });
        },
        error: (err) => resolve({ errors: Array.isArray(err) ? err : [err] }),
        complete: () => {},
      },
    );
    setTimeout(() => reject(new Error('no result before the 5 s timeout')), 5_000).unref();
  });
}

describe('per-operation tokens over WebSocket', () => {
  it('switching A → B on one socket: each subscription runs with its own token', async () => {
    const ws = wsConnect(gw.url, { authorization: `Bearer ${a}` });
    try {
      const asB = await firstResult(ws, b);
      expect(asB.data.sessionEvents.session.user.login).toBe('user-b');
      const asConnection = await firstResult(ws);
      expect(asConnection.data.sessionEvents.session.user.login).toBe('user-a');
      const asBAgain = await firstResult(ws, b);
      expect(asBAgain.data.sessionEvents.session.user.login).toBe('user-b');
    } finally {
      await ws.dispose();
    }
  });

  it('an unknown per-operation token fails only that operation, with SESSION_EXPIRED', async () => {
    const ws = wsConnect(gw.url, { authorization: `Bearer ${a}` });
    try {
      const refused = await firstResult(ws, 'f'.repeat(40));
      expect(refused.errors?.[0]?.extensions?.code).toBe('SESSION_EXPIRED');
      const still = await firstResult(ws);
      expect(still.data.sessionEvents.session.user.login).toBe('user-a');
      expect(ws.closed()).toBeUndefined();
    } finally {
      await ws.dispose();
    }
  });
});

describe('per-operation tokens over HTTP and SSE', () => {
  it('extensions.authorization wins over the Authorization header on a query', async () => {
    const res = await gw.gql('{ me { login } }', {}, { token: a });
    expect(res.data.me.login).toBe('user-a');
    const own = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${a}` },
      body: JSON.stringify({ query: '{ me { login } }', extensions: { authorization: `Bearer ${b}` } }),
    });
    expect(((await own.json()) as any).data.me.login).toBe('user-b');
  });

  it('an SSE subscription runs with its own token', async () => {
    const abort = new AbortController();
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${a}` },
      body: JSON.stringify({ query: WHO, extensions: { authorization: `Bearer ${b}` } }),
      signal: abort.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    // Keep-alive comments may come first: read until the first data message is whole.
    while (!/^data:.*\n\n/m.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    abort.abort();
    const data = text
      .split('\n')
      .find((l) => l.startsWith('data:'))
      ?.slice(5);
    expect(JSON.parse(data as string).data.sessionEvents.session.user.login).toBe('user-b');
  });
});

describe('GET /graphql', () => {
  it('answers per-user results with Cache-Control: private, no-store and Vary: Authorization, Cookie', async () => {
    const url = `${gw.url}/graphql?query=${encodeURIComponent('{ me { login } }')}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${a}`, accept: 'application/json' } });
    expect(((await res.json()) as any).data.me.login).toBe('user-a');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('vary')?.split(/,\s*/)).toEqual(expect.arrayContaining(['Authorization', 'Cookie']));
  });
});
