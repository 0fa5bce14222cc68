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
  // Without variables a document's cost never changes, and yoga's parser cache hands the same
  // DocumentNode to every request that sends the same text: worked out once per operation.
  // Costs depend on arguments only, never on the context. Refusals are not kept: an error
  // object is never shared between responses.
  const fixedCosts = new WeakMap<DocumentNode, Map<string, number>>();
  const costOf = (args: OperationArgs) => {
    if (args.variableValues && Object.keys(args.variableValues).length > 0) return operationCost(args);
    const name = args.operationName ?? '';
    const known = fixedCosts.get(args.document)?.get(name);
    if (known !== undefined) return known;
    const cost = operationCost(args);
    if (typeof cost === 'number') {
      const byOperation = fixedCosts.get(args.document) ?? new Map<string, number>();
      byOperation.set(name, cost);
      fixedCosts.set(args.document, byOperation);
    }
    return cost;
  };
  const check = (args: OperationArgs): GraphQLError | null => {
    const cost = costOf(args);
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
