import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/limits/defaults.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { newUser } from '../support/uploads.ts';
import { aliases, codes, heapAfterGc, initSocket, nested, rawPost, rawSocket } from './support.ts';

// The hostile-input suite: each case attacks a real gateway (real HTTP and WebSocket, the
// local service upstream behind a counting proxy) and gets its own error; after each, the
// gateway still answers a normal query; after all, its heap is back where it started.

let gw: RunningGateway;
let token: string;
let login: string;
let heapAtStart: number;

const post = (body: unknown, headers: Record<string, string> = {}) =>
  rawPost(gw, typeof body === 'string' ? body : JSON.stringify(body), { authorization: `Bearer ${token}`, ...headers });

/** A normal query (one upstream call) answers correctly. */
async function answersNormally() {
  const res = await gw.gql('{ me { login } }', undefined, { token });
  expect(res.errors).toBeUndefined();
  expect(res.data.me.login).toBe(login);
}

beforeAll(async () => {
  gw = await startGateway();
  const user = await newUser(gw);
  token = user.token;
  login = (await gw.gql('{ me { login } }', undefined, { token })).data.me.login;
  // Warm every path once (parsers, caches, sockets) before the heap is measured.
  await answersNormally();
  await post({ query: nested(20) });
  const ws = await initSocket(gw, token);
  ws.socket.close();
  await ws.closed;
  heapAtStart = heapAfterGc();
});
afterAll(() => gw?.close());
afterEach(async () => {
  await answersNormally();
});

describe('operation limits (HTTP)', () => {
  it('refuses a depth bomb before validation of its fields, with no upstream call', async () => {
    gw.upstream.reset();
    const res = await post({ query: nested(500) });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      {
        message: `Query depth is at most ${DEFAULT_LIMITS.maxDepth} (MAX_QUERY_DEPTH); this request has 500.`,
        extensions: { code: 'MAX_DEPTH_EXCEEDED', limit: DEFAULT_LIMITS.maxDepth },
      },
    ]);
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('refuses one level too deep, even through fragments', async () => {
    const query = `query { ...F } fragment F on Query { ${nested(DEFAULT_LIMITS.maxDepth + 1).slice(2, -2)} }`;
    const res = await post({ query });
    expect(codes(res.json)).toEqual(['MAX_DEPTH_EXCEEDED']);
  });

  it('refuses an alias bomb of a field that calls the upstream, with no upstream call', async () => {
    gw.upstream.reset();
    const res = await post({ query: `{ ${aliases(DEFAULT_LIMITS.maxAliases + 1, 'me { id }')} }` });
    expect(res.status).toBe(400);
    expect(codes(res.json)).toEqual(['MAX_ALIASES_EXCEEDED']);
    expect(res.json.errors[0].message).toBe(
      `Aliases per operation is at most ${DEFAULT_LIMITS.maxAliases} (MAX_ALIASES); this request has ${DEFAULT_LIMITS.maxAliases + 1}.`,
    );
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('refuses 1,000 aliases of file(uid:) by the alias limit, with zero upstream calls', async () => {
    gw.upstream.reset();
    const res = await post({ query: `{ ${aliases(1000, 'file(uid: "x") { id }')} }` });
    expect(codes(res.json)).toEqual(['MAX_ALIASES_EXCEEDED']);
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('counts aliases of __typename too', async () => {
    const res = await post({ query: `{ ${aliases(DEFAULT_LIMITS.maxAliases + 1, '__typename')} }` });
    expect(codes(res.json)).toEqual(['MAX_ALIASES_EXCEEDED']);
  });

  it('refuses a fragment bomb (each fragment spreads the last twice) by its cost', async () => {
    gw.upstream.reset();
    const fragments = Array.from(
      { length: 30 },
      (_, i) => `fragment F${i + 1} on Query { ...F${i} a${i}: me { id } ...F${i} }`,
    ).join('\n');
    const query = `query { ...F30 }\nfragment F0 on Query { me { id } }\n${fragments}`;
    const res = await post({ query });
    expect(codes(res.json)).toEqual(['MAX_ALIASES_EXCEEDED']);
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('refuses a fragment bomb without aliases by its cost, with no upstream call', async () => {
    gw.upstream.reset();
    const fragments = Array.from({ length: 30 }, (_, i) => `fragment F${i + 1} on Query { ...F${i} ...F${i} }`).join(
      '\n',
    );
    const query = `query { ...F30 }\nfragment F0 on Query { users(filter: { tags: ["x"] }, first: 100) { nodes { id } } }\n${fragments}`;
    const res = await post({ query });
    expect(codes(res.json)).toEqual(['COST_LIMIT_EXCEEDED']);
    expect(res.json.errors[0].message).toMatch(
      /^Operation cost is at most 5000 \(MAX_QUERY_COST\); this request has \d+\.$/,
    );
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('refuses a fragment cycle as invalid, with no upstream call', async () => {
    gw.upstream.reset();
    const res = await post({
      query: 'query { ...A } fragment A on Query { me { id } ...B } fragment B on Query { ...A }',
    });
    expect(res.status).toBe(400);
    expect(codes(res.json)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(res.json.errors[0].message).toMatch(/Cannot spread fragment "A" within itself/);
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('refuses a directive flood', async () => {
    const flood = ' @include(if: true)'.repeat(DEFAULT_LIMITS.maxDirectives + 1);
    const res = await post({ query: `{ me${flood} { id } }` });
    expect(codes(res.json)).toEqual(['MAX_DIRECTIVES_EXCEEDED']);
    expect(res.json.errors[0].message).toContain('(MAX_DIRECTIVES)');
  });

  it('refuses a 100,000-token document while parsing', async () => {
    const res = await post({ query: `{ ${'a '.repeat(100_000)}}` });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      {
        message: `Tokens per document is at most ${DEFAULT_LIMITS.maxTokens} (MAX_TOKENS).`,
        extensions: { code: 'MAX_TOKENS_EXCEEDED', limit: DEFAULT_LIMITS.maxTokens },
      },
    ]);
  });

  it('multiplies the cost by first: a page of 1 passes, the same document with 100 is refused', async () => {
    const query = `query($n: Int) { ${aliases(8, 'users(filter: { tags: ["none"] }, first: $n) { nodes { id login fullName avatar { name url } } }')} }`;
    const small = await post({ query, variables: { n: 1 } });
    expect(small.json.errors).toBeUndefined();
    gw.upstream.reset();
    // Same document (validation is cached per document; the cost must not be).
    const large = await post({ query, variables: { n: 100 } });
    expect(codes(large.json)).toEqual(['COST_LIMIT_EXCEEDED']);
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('refuses a list of 3,000 ids (lists hold at most 100) before any upstream call', async () => {
    gw.upstream.reset();
    const ids = Array.from({ length: 3000 }, (_, i) => Buffer.from(`User:${i + 1}`).toString('base64'));
    const res = await post({
      query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { login } } }',
      variables: { ids },
    });
    expect(codes(res.json)).toEqual(['BAD_USER_INPUT']);
    expect(gw.upstream.calls).toHaveLength(0);
  });
});

describe('request limits and malformed requests (HTTP)', () => {
  it('refuses a body over MAX_REQUEST_BYTES from its Content-Length with 413', async () => {
    const res = await post({ query: '{ __typename }', variables: { pad: 'x'.repeat(DEFAULT_LIMITS.maxRequestBytes) } });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/json/);
    expect(res.json.errors).toEqual([
      {
        message: `The request body is at most ${DEFAULT_LIMITS.maxRequestBytes} bytes (MAX_REQUEST_BYTES).`,
        extensions: { code: 'REQUEST_TOO_LARGE', limit: DEFAULT_LIMITS.maxRequestBytes },
      },
    ]);
  });

  it('cuts off a chunked body (no Content-Length) at MAX_REQUEST_BYTES with 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"query":"{ __typename }","variables":{"pad":"'));
      },
      pull(controller) {
        // 30 MB if nobody stops reading: the gateway must.
        if (sent > 30 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await rawPost(gw, body, {}, { duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(codes(res.json)).toEqual(['REQUEST_TOO_LARGE']);
    expect(sent).toBeLessThan(30 * 1024 * 1024);
  });

  it('answers huge variables under the byte limit with a clean error, not an upstream detail', async () => {
    const logins = Array.from({ length: 40_000 }, (_, i) => `login-${i}`);
    const res = await post({
      query: 'query($logins: [String!]) { users(filter: { logins: $logins }, first: 1) { totalCount } }',
      variables: { logins },
    });
    expect(res.status).toBeLessThan(500);
    expect(res.json.errors?.length ?? 0).toBeGreaterThan(0);
    expect(JSON.stringify(res.json)).not.toMatch(/status \d{3}|reason|ECONN|stack/);
  });

  it('refuses deeply nested variables before anything walks them', async () => {
    const deep = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    const body = `{"query":"mutation($input: UpdateMeInput!) { updateMe(input: $input) { __typename } }","variables":{"input":{"customData":${deep}}}}`;
    gw.upstream.reset();
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      {
        message: `Nesting of variables is at most ${DEFAULT_LIMITS.maxVariableDepth} (MAX_VARIABLE_DEPTH).`,
        extensions: { code: 'MAX_VARIABLE_DEPTH_EXCEEDED', limit: DEFAULT_LIMITS.maxVariableDepth },
      },
    ]);
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('refuses invalid JSON with 400 BAD_REQUEST', async () => {
    const res = await post('{"query": "{ __typename }"');
    expect(res.status).toBe(400);
    expect(codes(res.json)).toEqual(['BAD_REQUEST']);
    expect(res.text).not.toMatch(/at JSON\.parse|\.ts:\d+/);
  });

  it('refuses a body that is not UTF-8 with 400', async () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"query":"{ __typename }","x":"'),
      0xff,
      0xfe,
      0xc3,
      0x28,
      ...new TextEncoder().encode('"}'),
    ]);
    const res = await rawPost(gw, bytes);
    expect(res.status).toBe(400);
    expect(codes(res.json)).toEqual(['BAD_REQUEST']);
  });

  it('refuses JSON that is not an object (an array of 10,000 operations)', async () => {
    const res = await post(JSON.stringify(Array.from({ length: 10_000 }, () => ({ query: '{ me { id } }' }))));
    expect(res.status).toBe(400);
    expect(codes(res.json)).toEqual(['BAD_REQUEST']);
  });

  it('refuses a wrong content type with 415', async () => {
    const res = await post('{ __typename }', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
  });

  it('refuses a mutation over GET with 405', async () => {
    const res = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('mutation { logout { __typename } }')}`, {
      headers: { accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(405);
    expect(codes(await res.json())).toEqual(['BAD_REQUEST']);
  });

  it('refuses a request without a query with 400', async () => {
    const res = await post({ variables: {} });
    expect(res.status).toBe(400);
    expect(codes(res.json)).toEqual(['BAD_REQUEST']);
  });
});

describe('malformed multipart', () => {
  const form = (parts: [string, string | Blob, string?][]) => {
    const data = new FormData();
    for (const [name, value, filename] of parts) {
      if (typeof value === 'string') data.append(name, value);
      else data.append(name, value, filename);
    }
    return data;
  };
  const upload = JSON.stringify({
    query: 'mutation($input: UploadFileInput!) { uploadFile(input: $input) { __typename } }',
    variables: { input: { file: null } },
  });
  const send = (body: FormData) =>
    rawPost(gw, body, { 'content-type': '' }, { headers: { authorization: `Bearer ${token}` } });

  it('refuses a map that points at __proto__ and pollutes nothing', async () => {
    gw.upstream.reset();
    const res = await send(
      form([
        ['operations', upload],
        ['map', JSON.stringify({ 0: ['__proto__.polluted'] })],
        ['0', new Blob(['x']), 'x.txt'],
      ]),
    );
    expect(res.status).toBe(400);
    expect(codes(res.json)).toEqual(['BAD_REQUEST']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('refuses a file sent before the map', async () => {
    const res = await send(
      form([
        ['operations', upload],
        ['0', new Blob(['x']), 'x.txt'],
        ['map', JSON.stringify({ 0: ['variables.input.file'] })],
      ]),
    );
    expect(res.status).toBe(400);
    expect(codes(res.json)).toEqual(['BAD_REQUEST']);
  });

  it('refuses a map that names one path twice (the first file would stall the rest)', async () => {
    const res = await send(
      form([
        ['operations', upload],
        ['map', JSON.stringify({ 0: ['variables.input.file'], 1: ['variables.input.file'] })],
        ['0', new Blob(['x']), 'x.txt'],
        ['1', new Blob(['y']), 'y.txt'],
      ]),
    );
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toEqual({
      message: 'The map names one path twice: variables.input.file',
      extensions: { code: 'BAD_REQUEST' },
    });
  });

  it('refuses a body whose Content-Length is over the upload limit with 413, before reading it', async () => {
    const declared = 200 * 1024 * 1024;
    const { status, json } = await new Promise<{ status: number; json: any }>((resolve, reject) => {
      const req = request(`${gw.url}/graphql`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'multipart/form-data; boundary=x',
          'content-length': String(declared),
        },
      });
      req.on('response', async (res) => {
        let text = '';
        for await (const chunk of res) text += chunk;
        req.destroy();
        resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
      });
      req.on('error', reject);
      // Only the start of the body: the answer must not wait for the rest.
      req.write('--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n');
    });
    expect(status).toBe(413);
    expect(codes(json)).toEqual(['REQUEST_TOO_LARGE']);
  });

  it('refuses too many files', async () => {
    const map: Record<string, string[]> = {};
    const parts: [string, string | Blob, string?][] = [['operations', upload]];
    for (let i = 0; i < 200; i++) map[i] = [`variables.input.file${i}`];
    parts.push(['map', JSON.stringify(map)]);
    for (let i = 0; i < 200; i++) parts.push([String(i), new Blob(['x']), `${i}.txt`]);
    const res = await send(form(parts));
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toEqual({
      message: 'Too many files: at most 5 per request.',
      extensions: { code: 'BAD_REQUEST' },
    });
  });
});

describe('WebSocket', () => {
  it('closes with 1009 on a frame over WS_MAX_PAYLOAD_BYTES sent before connection_init', async () => {
    const ws = await rawSocket(gw);
    ws.send('x'.repeat(DEFAULT_LIMITS.wsMaxPayloadBytes + 1));
    expect((await ws.closed).code).toBe(1009);
  });

  it('closes with 1009 on an oversized subscribe after connection_init', async () => {
    const ws = await initSocket(gw, token);
    ws.send({
      id: '1',
      type: 'subscribe',
      payload: { query: `{ me { id } } # ${'x'.repeat(DEFAULT_LIMITS.wsMaxPayloadBytes)}` },
    });
    expect((await ws.closed).code).toBe(1009);
  });

  it('closes with 4401 on a subscribe sent before connection_init', async () => {
    const ws = await rawSocket(gw);
    ws.send({ id: '1', type: 'subscribe', payload: { query: '{ me { id } }' } });
    expect(await ws.closed).toEqual({ code: 4401, reason: 'Unauthorized' });
  });

  it('closes with 4400 on a frame that is not JSON', async () => {
    const ws = await initSocket(gw, token);
    ws.send('{not json');
    expect((await ws.closed).code).toBe(4400);
  });

  // The gateway runs subscribe messages itself (src/server/ws-operations.ts): graphql-ws' rules hold.
  it('closes with 4400 on a subscribe message without a query', async () => {
    const ws = await initSocket(gw, token);
    ws.send({ id: '1', type: 'subscribe', payload: { variables: {} } });
    expect(await ws.closed).toEqual({ code: 4400, reason: 'Invalid message received' });
  });

  it('closes with 4409 on a second subscribe with the id of an open one', async () => {
    const ws = await initSocket(gw, token);
    ws.send({ id: 'same', type: 'subscribe', payload: { query: 'subscription { sessionEvents { type } }' } });
    await ws.waitFor((m) => m.id === 'same' && m.type === 'next');
    ws.send({ id: 'same', type: 'subscribe', payload: { query: 'subscription { sessionEvents { type } }' } });
    expect(await ws.closed).toEqual({ code: 4409, reason: 'Subscriber for same already exists' });
  });

  it('answers a query over WebSocket with next then complete, and a stream the client completed with nothing', async () => {
    const ws = await initSocket(gw, token);
    ws.send({ id: 'stream', type: 'subscribe', payload: { query: 'subscription { sessionEvents { type } }' } });
    await ws.waitFor((m) => m.id === 'stream' && m.type === 'next');
    ws.send({ id: 'stream', type: 'complete' });
    ws.send({ id: 'query', type: 'subscribe', payload: { query: '{ __typename }' } });
    await ws.waitFor((m) => m.id === 'query' && m.type === 'complete');
    // The same id again is a new operation once the first one is complete.
    ws.send({ id: 'stream', type: 'subscribe', payload: { query: '{ __typename }' } });
    await ws.waitFor((m) => m.id === 'stream' && m.type === 'complete');
    expect(ws.messages.filter((m) => m.id === 'query')).toEqual([
      { id: 'query', type: 'next', payload: { data: { __typename: 'Query' } } },
      { id: 'query', type: 'complete' },
    ]);
    // The completed stream's only messages: its first event, then the second operation's.
    expect(ws.messages.filter((m) => m.id === 'stream').map((m) => m.type)).toEqual(['next', 'next', 'complete']);
    ws.socket.close();
    await ws.closed;
  });

  it(`refuses subscription ${DEFAULT_LIMITS.maxSubscriptionsPerConnection + 1} on one socket and keeps the others`, async () => {
    const ws = await initSocket(gw, token);
    const max = DEFAULT_LIMITS.maxSubscriptionsPerConnection;
    for (let i = 1; i <= max; i++) {
      ws.send({ id: String(i), type: 'subscribe', payload: { query: 'subscription { sessionEvents { type } }' } });
    }
    for (let i = 1; i <= max; i++) await ws.waitFor((m) => m.id === String(i) && m.type === 'next');
    ws.send({ id: 'one-too-many', type: 'subscribe', payload: { query: 'subscription { sessionEvents { type } }' } });
    const refused = await ws.waitFor((m) => m.id === 'one-too-many');
    expect(refused).toEqual({
      id: 'one-too-many',
      type: 'error',
      payload: [
        {
          message: `Subscriptions per connection is at most ${max} (MAX_SUBSCRIPTIONS_PER_CONNECTION).`,
          extensions: { code: 'MAX_SUBSCRIPTIONS_EXCEEDED', limit: max },
        },
      ],
    });
    // The socket stays, and a finished subscription frees its place.
    ws.send({ id: '1', type: 'complete' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    ws.send({ id: 'again', type: 'subscribe', payload: { query: 'subscription { sessionEvents { type } }' } });
    expect((await ws.waitFor((m) => m.id === 'again')).type).toBe('next');
    ws.socket.close();
    await ws.closed;
  });

  it('applies the operation limits to operations over WebSocket, with no upstream call', async () => {
    const ws = await initSocket(gw, token);
    gw.upstream.reset();
    ws.send({ id: 'deep', type: 'subscribe', payload: { query: nested(50) } });
    ws.send({ id: 'wide', type: 'subscribe', payload: { query: `{ ${aliases(1000, 'file(uid: "x") { id }')} }` } });
    ws.send({
      id: 'costly',
      type: 'subscribe',
      payload: {
        query: `{ ${aliases(8, 'users(filter: { tags: ["x"] }, first: 100) { nodes { id login fullName avatar { name url } } }')} }`,
      },
    });
    // A refusal before execution is an `error` message; the cost refusal a `next` with errors.
    // Written out by hand: JSON.stringify itself would overflow on 50,000 levels.
    const deep = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    ws.send(
      `{"id":"nested","type":"subscribe","payload":{"query":"mutation($input: UpdateMeInput!) { updateMe(input: $input) { __typename } }","variables":{"input":{"customData":${deep}}}}}`,
    );
    const code = async (id: string) => {
      const { payload } = await ws.waitFor((m) => m.id === id);
      return (Array.isArray(payload) ? payload : payload.errors)[0].extensions.code;
    };
    expect(await code('deep')).toBe('MAX_DEPTH_EXCEEDED');
    expect(await code('wide')).toBe('MAX_ALIASES_EXCEEDED');
    expect(await code('costly')).toBe('COST_LIMIT_EXCEEDED');
    expect(await code('nested')).toBe('MAX_VARIABLE_DEPTH_EXCEEDED');
    expect(gw.upstream.calls).toHaveLength(0);
    ws.socket.close();
    await ws.closed;
  });
});

describe('SSE', () => {
  const openStream = async (query = 'subscription { sessionEvents { type } }') => {
    const abort = new AbortController();
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
      signal: abort.signal,
    });
    return { res, close: () => abort.abort() };
  };

  it(`answers stream ${DEFAULT_LIMITS.maxSseStreamsPerAddress + 1} from one address with 429 and frees slots on close`, async () => {
    const streams = [];
    for (let i = 0; i < DEFAULT_LIMITS.maxSseStreamsPerAddress; i++) {
      const stream = await openStream();
      expect(stream.res.status).toBe(200);
      streams.push(stream);
    }
    const refused = await openStream();
    expect(refused.res.status).toBe(429);
    expect(await refused.res.json()).toEqual({
      errors: [
        {
          message: `Open event streams per client address are at most ${DEFAULT_LIMITS.maxSseStreamsPerAddress} (MAX_SSE_STREAMS_PER_ADDRESS).`,
          extensions: { code: 'MAX_SSE_STREAMS_EXCEEDED', limit: DEFAULT_LIMITS.maxSseStreamsPerAddress },
        },
      ],
    });
    for (const stream of streams) stream.close();
    await expect
      .poll(async () => {
        const again = await openStream();
        again.close();
        return again.res.status;
      })
      .toBe(200);
  });

  it('applies the operation limits to operations over SSE', async () => {
    gw.upstream.reset();
    const { res } = await openStream(`{ ${aliases(1000, 'file(uid: "x") { id }')} }`);
    const text = await res.text();
    expect(text).toContain('MAX_ALIASES_EXCEEDED');
    expect(gw.upstream.calls).toHaveLength(0);
  });
});

describe('after the whole suite', () => {
  it('the heap is within a few MB of where it started', async () => {
    // Sockets and streams of the cases above close asynchronously.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const growth = heapAfterGc() - heapAtStart;
    expect(growth).toBeLessThan(8 * 1024 * 1024);
  });
});
