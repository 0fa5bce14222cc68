import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * graphql-js words a refused variable as `Variable "$input" got invalid value { login: "x",
 * password: "…" }; Field "externalId" is not defined…`: the whole value, password included,
 * goes back in the response (and into any log of it). This plugin keeps the variable, the
 * path and the reason, and drops the echoed value.
 */

const PREFIX = /^Variable "\$([^"]+)" got invalid value /;
/** The path graphql-js appends after the value, e.g. ` at "input.tags[0]"`. */
const AT_PATH = / at "[^"]*"$/;

export function quietVariableError(error: GraphQLError): GraphQLError {
  const variable = PREFIX.exec(error.message)?.[1];
  const reason = error.originalError?.message;
  if (!variable || reason === undefined || !error.message.endsWith(`; ${reason}`)) return error;
  const head = error.message.slice(0, -(reason.length + 2));
  const at = AT_PATH.exec(head)?.[0] ?? '';
  return new GraphQLError(`Variable "$${variable}" got invalid value${at}; ${reason}`, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

export function useQuietVariableErrors(): Plugin {
  return {
    onExecutionResult({ result, setResult }) {
      if (!result || Symbol.asyncIterator in result || !result.errors?.length) return;
      if (!result.errors.some((error) => PREFIX.test(error.message))) return;
      setResult({ ...result, errors: result.errors.map((error) => quietVariableError(error as GraphQLError)) });
    },
  };
}
