import type { GraphQLSchema } from 'graphql';
import './root.ts';
import './errors.ts';
import './node.ts';
import './file.ts';
import './user.ts';
import './users.ts';
import './session.ts';
import './auth.ts';
import './profile.ts';
import './uploads.ts';
import './session-events.ts';
import { builder } from './builder.ts';

let schema: GraphQLSchema | undefined;

/** The gateway's schema, built once from the type files above. */
export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: true });
  return schema;
}
