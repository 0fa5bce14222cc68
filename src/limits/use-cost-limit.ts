import { complexityFromQuery } from '@pothos/plugin-complexity';
import { type DocumentNode, GraphQLError, getOperationAST, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { limitError } from './limit-error.ts';

interface OperationArgs {
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
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation) return null; // execution reports the missing operation itself
    const document: DocumentNode = {
      ...args.document,
      definitions: args.document.definitions.filter((d) => d === operation || d.kind === Kind.FRAGMENT_DEFINITION),
    };
    let cost: number;
    try {
      cost = complexityFromQuery(document, {
        schema: args.schema,
        variables: args.variableValues ?? {},
        ctx: (args.contextValue ?? {}) as object,
      }).complexity;
    } catch (err) {
      // Arguments that cannot be read (a malformed id, a wrong variable) refuse the operation too.
      if (err instanceof GraphQLError) return err;
      throw err;
    }
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
