import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
} from 'graphql';
import { expect, it } from 'vitest';
import { buildSchema } from '../../src/schema/index.ts';

// GraphiQL's docs explorer is the API's manual: every type, field, argument, input field
// and enum value the gateway defines must say what it is. The failure lists each one that
// does not.

const schema = buildSchema();
const described = (thing: { description?: string | null | undefined }) => (thing.description ?? '').trim().length > 0;

it('describes every type, field, argument, input field and enum value', () => {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    if (!described(type)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
        if (!described(field)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args as readonly GraphQLArgument[]) {
          if (!described(arg)) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields()) as GraphQLInputField[]) {
        if (!described(field)) missing.push(`${type.name}.${field.name}`);
      }
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) {
        if (!described(value)) missing.push(`${type.name}.${value.name}`);
      }
    }
  }
  expect(missing, `${missing.length} without a description:\n${missing.join('\n')}`).toEqual([]);
});

it('states the limits where a client reads them', () => {
  const users = schema.getQueryType()?.getFields().users;
  const first = users?.args.find((a) => a.name === 'first');
  expect(first?.description).toMatch(/\b100\b/);
  const signUp = schema.getType('SignUpInput');
  const password = isInputObjectType(signUp) ? signUp.getFields().password : undefined;
  expect(password?.description).toMatch(/8.*128/);
});
