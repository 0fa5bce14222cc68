import { type DocumentNode, Kind, type ValueNode, visit } from 'graphql';

/**
 * Every argument or input field name that carries a secret. A test walks the schema and
 * fails when a secret-looking name is missing here; keep it complete when adding inputs.
 */
export const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'password',
  'oldPassword',
  'newPassword',
  'accessToken',
  'accessTokenSecret',
  'refreshToken',
  'idToken',
  'token',
  'secret',
  'authorization',
  'authKey',
  'authSecret',
  'cookie',
]);

export const REDACTED = '[redacted]';

/**
 * The variables of a request, fit for a log line: a variable the document passes to a
 * secret argument or input field (`password: $p`) is redacted whole, and inside any other
 * variable every secret field is redacted at any depth.
 */
export function redactVariables(
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): Record<string, unknown> | undefined {
  if (!variables) return undefined;
  const secretVariables = new Set<string>();
  const collect = (value: ValueNode) => {
    if (value.kind === Kind.VARIABLE) secretVariables.add(value.name.value);
    else if (value.kind === Kind.LIST) value.values.forEach(collect);
    else if (value.kind === Kind.OBJECT) for (const field of value.fields) collect(field.value);
  };
  const visitNamed = (node: { name: { value: string }; value: ValueNode }) => {
    if (SECRET_FIELDS.has(node.name.value)) collect(node.value);
  };
  visit(document, { Argument: visitNamed, ObjectField: visitNamed });
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, secretVariables.has(name) ? REDACTED : redactDeep(value)]),
  );
}

function redactDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, SECRET_FIELDS.has(key) ? REDACTED : redactDeep(inner)]),
    );
  }
  return value;
}
