import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import {
  buildClientSchema,
  getIntrospectionQuery,
  lexicographicSortSchema,
  buildSchema as parseSdl,
  printSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema/index.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url);
const committed = () => readFile(new URL('schema.graphql', root), 'utf8');

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw?.close());

describe('schema.graphql', () => {
  it('is what the Pothos schema prints (run `npm run schema` after changing types)', async () => {
    expect(await committed()).toBe(`${printSchema(buildSchema())}\n`);
  });

  it('is what the running server serves', async () => {
    const res = await gw.gql(getIntrospectionQuery({ specifiedByUrl: true }));
    const served = printSchema(lexicographicSortSchema(buildClientSchema(res.data)));
    expect(served).toBe(printSchema(lexicographicSortSchema(parseSdl(await committed()))));
  });

  it("keeps the contract's names", async () => {
    const schema = parseSdl(await committed());
    for (const name of [
      'Node',
      'User',
      'Session',
      'File',
      'Error',
      'ErrorCode',
      'ValidationError',
      'FieldError',
      'UserFilter',
      'UserOrder',
      'DateTimeRange',
      'UserConnection',
      'DateTime',
      'JSON',
      'SessionKind',
      'AuthProvider',
      'UserOrderField',
      'OrderDirection',
    ]) {
      expect(schema.getType(name), name).toBeDefined();
    }
    for (const name of [
      'CreateSession',
      'SignUp',
      'Login',
      'Logout',
      'DestroySession',
      'DestroyOtherSessions',
      'UpdateMe',
      'ResetPassword',
      'DeleteMe',
    ]) {
      expect(schema.getType(`${name}Success`), `${name}Success`).toBeDefined();
    }
    const mutation = schema.getMutationType()?.getFields() ?? {};
    expect(Object.keys(mutation)).toEqual(
      expect.arrayContaining([
        'createSession',
        'signUp',
        'login',
        'loginAsGuest',
        'loginWithProvider',
        'logout',
        'destroySession',
        'destroyOtherSessions',
        'updateMe',
        'resetPassword',
        'deleteMe',
      ]),
    );
    const query = schema.getQueryType()?.getFields() ?? {};
    expect(Object.keys(query)).toEqual(
      expect.arrayContaining(['me', 'session', 'user', 'users', 'file', 'node', 'nodes']),
    );
  });
});

describe('codegen', () => {
  // The run's global setup generated the client (test/support/global-setup.ts), once for all tests.
  it('generates a typed client from schema.graphql and the example operations, and it type-checks', async () => {
    const tsc = new URL('node_modules/typescript/bin/tsc', root).pathname;
    const result = await run(process.execPath, [tsc, '-p', 'examples/client/tsconfig.json'], {
      cwd: root.pathname,
    }).catch((err: { stdout: string; stderr: string }) => err);
    expect(`${result.stdout}${result.stderr}`).toBe('');
    const possibleTypes = await readFile(new URL('examples/client/gql/possible-types.ts', root), 'utf8');
    const members = /"LoginResult": \[([^\]]*)\]/.exec(possibleTypes)?.[1]?.match(/\w+/g);
    expect(members).toEqual(['InvalidCredentialsError', 'LoginSuccess', 'RateLimitedError', 'ValidationError']);
  }, 120_000);
});
