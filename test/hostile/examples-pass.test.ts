import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DocumentNode, Kind, type OperationDefinitionNode, parse as parseOnly, type TypeNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/limits/defaults.ts';
import { operationCost } from '../../src/limits/use-cost-limit.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';

// Every operation the project shows (examples/**/*.graphql and the README's GraphQL) passes
// the default limits: parsed (tokens) and validated (depth, aliases, directives) by the
// running gateway's own pipeline, and costed with the largest page the API returns.

const root = join(import.meta.dirname, '..', '..');

function graphqlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return graphqlFiles(path);
    return entry.name.endsWith('.graphql') ? [path] : [];
  });
}

function readmeDocuments(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  const inline = [...readme.matchAll(/query: '([^']+)'/g), ...readme.matchAll(/"query":"([^"]+)"/g)].map(
    (m) => m[1] as string,
  );
  return [...blocks, ...inline];
}

const documents: [string, string][] = [
  ...graphqlFiles(join(root, 'examples')).map((path): [string, string] => [
    path.slice(root.length + 1),
    readFileSync(path, 'utf8'),
  ]),
  ...readmeDocuments().map((source, i): [string, string] => [`README #${i + 1}`, source]),
];

/** Values of every type the shown operations take as variables; `first`/`last` at their largest. */
const sample: Record<string, unknown> = {
  LoginInput: { login: 'ada', password: 'correct horse battery' },
  SignUpInput: { login: 'ada', password: 'correct horse battery' },
  UpdateMeInput: { fullName: 'Ada', customData: { theme: 'dark' } },
  UserFilter: { tags: ['math'] },
  UserOrder: { field: 'CREATED_AT', direction: 'DESC' },
  String: 'x',
  ID: 'VXNlcjox',
  Int: 100,
  Boolean: true,
  // What the streaming multipart parser hands the resolvers.
  Upload: { name: 'a.png', type: 'image/png', stream: () => new ReadableStream() },
};
function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}
function variablesFor(operation: OperationDefinitionNode): Record<string, unknown> {
  return Object.fromEntries(
    (operation.variableDefinitions ?? []).map((v) => {
      const type = namedType(v.type);
      if (!(type in sample)) throw new Error(`add a sample value of ${type} to this test`);
      return [v.variable.name.value, sample[type]];
    }),
  );
}

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw?.close());

describe('the shown operations pass the default limits', () => {
  it('finds the example files and the README operations', () => {
    expect(documents.filter(([name]) => name.startsWith('examples')).length).toBeGreaterThanOrEqual(4);
    expect(documents.filter(([name]) => name.startsWith('README')).length).toBeGreaterThanOrEqual(3);
  });

  it.each(documents)('%s', (_name, source) => {
    const operations = parseOnly(source).definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    expect(operations.length).toBeGreaterThan(0);
    for (const operation of operations) {
      const operationName = operation.name?.value ?? null;
      const { parse, validate, schema } = gw.app.yoga.getEnveloped({
        request: new Request('http://gateway.test/graphql', { method: 'POST' }),
        params: { query: source, operationName },
      } as never);
      const document = parse(source) as DocumentNode;
      expect(validate(schema, document)).toEqual([]);
      const cost = operationCost({
        schema,
        document,
        operationName,
        variableValues: variablesFor(operation),
      });
      expect(typeof cost, operation.name?.value).toBe('number');
      expect(cost as number, operation.name?.value).toBeLessThanOrEqual(DEFAULT_LIMITS.maxCost);
    }
  });
});
