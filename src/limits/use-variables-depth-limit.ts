import type { Plugin } from 'graphql-yoga';
import { limitError } from './limit-error.ts';
import { nestingDepth } from './variables-depth.ts';

/**
 * Variables nesting deeper than `MAX_VARIABLE_DEPTH` are refused as soon as the request is
 * read, before parsing or execution: a 50,000-deep `customData` would otherwise overflow the
 * stack of the code that walks it (variable coercion, JSON serialisation).
 */
export function useVariablesDepthLimit(maxDepth: number): Plugin {
  return {
    onParams({ params, setResult }) {
      const depth = nestingDepth(params.variables, maxDepth);
      if (depth > maxDepth) setResult({ errors: [limitError('variableDepth', maxDepth)] });
    },
  };
}
