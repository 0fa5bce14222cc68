import { complexityFromQuery } from '@pothos/plugin-complexity';
import { type DocumentNode, GraphQLError, getOperationAST, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { limitError } from './limit-error.ts';

export interface OperationArgs {
  schema: Parameters<typeof complexityFromQuery>[1]['schema'];
  document: DocumentNode;
  operationName?: string | null | undefined;
  variableValues?: Record<string, unknown> | null | undefined;
  contextValue?: unknown;
}

/**
 * Refuses an operation whose cost (see `field-cost.ts`, computed by
 * `@pothos/plugin-complexity` with the request's variables) is over `MAX_QUERY_COST`. It runs
 * as execution starts, not as a validation rule: validation results are cached per document,
 * while the cost depends on `$first`. Queries, mutations and subscriptions alike, over HTTP,
 * SSE and WebSocket.
 */
export function useCostLimit(maxCost: number): Plugin {
  const check = (args: OperationArgs): GraphQLError | null => {
    const cost = operationCost(args);
    if (typeof cost !== 'number') return cost;
    return cost > maxCost ? limitError('cost', maxCost, cost) : null;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

/**
 * The cost of the operation `args` selects, with its variables; a GraphQLError when its
 * arguments cannot be read (a malformed id, a wrong variable: that refuses it too), null when
 * the document has no such operation (execution reports that itself).
 */
export function operationCost(args: OperationArgs): number | GraphQLError | null {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return null;
  const document: DocumentNode = {
    ...args.document,
    definitions: args.document.definitions.filter((d) => d === operation || d.kind === Kind.FRAGMENT_DEFINITION),
  };
  try {
    return complexityFromQuery(document, {
      schema: args.schema,
      variables: args.variableValues ?? {},
      ctx: (args.contextValue ?? {}) as object,
    }).complexity;
  } catch (err) {
    if (err instanceof GraphQLError) return err;
    throw err;
  }
}
