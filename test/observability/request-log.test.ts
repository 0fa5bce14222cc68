import { getNamedType, isInputObjectType, isIntrospectionType, isObjectType, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { REDACTED, redactVariables, SECRET_FIELDS } from '../../src/observability/redaction.ts';
import { buildSchema } from '../../src/schema/index.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { PASSWORD, userWithToken } from '../support/users.ts';

// The gateway's own log, read line by line, while it serves real requests at debug level.

const lines: string[] = [];
const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
const requestLine = (requestId: string) => records().find((r) => r.msg === 'request' && r.requestId === requestId);

let gw: RunningGateway;
let token: string;
beforeAll(async () => {
  gw = await startGateway({ logger: createLogger('debug', { write: (line: string) => void lines.push(line) }) });
  ({ token } = await userWithToken(gw.local, 'log_ada'));
});
afterAll(async () => {
  await gw?.close();
});

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { res, body: (await res.json()) as { data?: any; errors?: unknown[] } };
}

describe('request log', () => {
  it('writes one line per request: id, operation, outcome, duration, client address, upstream calls', async () => {
    gw.upstream.reset();
    const { res, body } = await post(
      { query: 'query Me { me { login } }' },
      { authorization: `Bearer ${token}`, 'x-request-id': 'req-abc.123' },
    );
    expect(body.data?.me.login).toBe('log_ada');
    expect(res.headers.get('x-request-id')).toBe('req-abc.123');
    const line = requestLine('req-abc.123');
    expect(line).toMatchObject({
      level: 30,
      method: 'POST',
      path: '/graphql',
      status: 200,
      operationName: 'Me',
      operationType: 'query',
      outcome: 'success',
      clientAddress: '127.0.0.1',
      upstreamCalls: gw.upstream.calls.length,
    });
    expect(gw.upstream.calls.length).toBeGreaterThan(0);
    expect(typeof line?.durationMs).toBe('number');
    expect(records().filter((r) => r.msg === 'request' && r.requestId === 'req-abc.123')).toHaveLength(1);
    // Other lines written while the request ran carry its id too.
    expect(records().some((r) => r.msg !== 'request' && r.requestId === 'req-abc.123')).toBe(true);
  });

  it('replaces an X-Request-Id that does not look like one, and answers the id it used', async () => {
    const { res } = await post({ query: 'query Anonymous { session { kind } }' }, { 'x-request-id': 'not an id; <b>' });
    const id = res.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestLine(id)).toMatchObject({ operationName: 'Anonymous', outcome: 'success', upstreamCalls: 0 });
    expect(lines.join('\n')).not.toContain('<b>');
  });

  it('marks errors and invalid documents in the outcome', async () => {
    const failed = await post(
      { query: 'query Broken { user(login: "a", email: "b@example.test") { id } }' },
      {
        authorization: `Bearer ${token}`,
      },
    );
    expect(requestLine(failed.res.headers.get('x-request-id') ?? '')).toMatchObject({ outcome: 'error' });
    const invalid = await post({ query: '{ noSuchField }' });
    expect(requestLine(invalid.res.headers.get('x-request-id') ?? '')).toMatchObject({ outcome: 'invalid' });
  });

  it('never logs a password, token, provider secret or cookie, even at debug level with variables', async () => {
    const secrets = {
      password: PASSWORD,
      newPassword: 'a-brand-new-Passw0rd',
      accessToken: 'provider-access-token-0123456789',
      accessTokenSecret: 'provider-token-secret-0123456789',
      cookie: 'cookie-session-value-0123456789',
    };
    await post({
      query: 'mutation($p: String!) { login(input: { login: "log_ada", password: $p }) { __typename } }',
      variables: { p: secrets.password },
    });
    await post({
      query: 'mutation($input: LoginInput!) { login(input: $input) { __typename } }',
      variables: { input: { login: 'log_ada', password: secrets.password } },
    });
    await post({
      query: 'mutation($input: LoginWithProviderInput!) { loginWithProvider(input: $input) { __typename } }',
      variables: {
        input: { provider: 'TWITTER', accessToken: secrets.accessToken, accessTokenSecret: secrets.accessTokenSecret },
      },
    });
    await post(
      {
        query:
          'mutation($old: String, $new: String) { updateMe(input: { oldPassword: $old, password: $new }) { __typename } }',
        variables: { old: secrets.password, new: secrets.newPassword },
      },
      { authorization: `Bearer ${token}`, cookie: `cube_session=${secrets.cookie}`, 'cb-token': token },
    );
    const text = lines.join('\n');
    for (const secret of [...Object.values(secrets), token]) expect(text).not.toContain(secret);
    // The variables were logged (at debug), with the secrets redacted: the check above is not empty.
    const logged = records()
      .filter((r) => r.msg === 'request' && r.variables)
      .map((r) => r.variables);
    expect(logged).toContainEqual({ p: REDACTED });
    expect(logged).toContainEqual({ input: { login: 'log_ada', password: REDACTED } });
    expect(logged).toContainEqual({
      input: { provider: 'TWITTER', accessToken: REDACTED, accessTokenSecret: REDACTED },
    });
  });
});

describe('the redaction list', () => {
  it('covers every secret-looking argument and input field of the schema', () => {
    const secretLooking = /pass(word)?|token|secret|auth|cookie|credential|api_?key|private|otp|signature/i;
    const found: string[] = [];
    const schema = buildSchema();
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(getNamedType(type))) continue;
      if (isInputObjectType(type)) found.push(...Object.keys(type.getFields()));
      if (isObjectType(type)) {
        for (const field of Object.values(type.getFields())) found.push(...field.args.map((a) => a.name));
      }
    }
    const secretNames = [...new Set(found.filter((name) => secretLooking.test(name)))];
    // The walk sees the schema's real secrets (so it can fail) ...
    expect(secretNames).toEqual(
      expect.arrayContaining(['password', 'oldPassword', 'accessToken', 'accessTokenSecret']),
    );
    // ... and every one of them is redacted.
    expect(secretNames.filter((name) => !SECRET_FIELDS.has(name))).toEqual([]);
  });

  it('redacts a variable passed to a secret argument whatever its name, and secret fields inside inputs', () => {
    const document = parse(`mutation($p: String!, $in: LoginInput!, $list: [String!]) {
      a: login(input: { login: "x", password: $p }) { __typename }
      b: login(input: $in) { __typename }
      c: updateMe(input: { tags: $list }) { __typename }
    }`);
    expect(redactVariables(document, { p: 'pw', in: { login: 'ada', password: 'pw' }, list: ['math'] })).toEqual({
      p: REDACTED,
      in: { login: 'ada', password: REDACTED },
      list: ['math'],
    });
  });
});
