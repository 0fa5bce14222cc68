import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { LimitsConfig } from '../config.ts';
import { type LimitName, limitError } from './limit-error.ts';

/**
 * GraphQL Armor's document limits (tokens while parsing; depth, aliases and directives while
 * validating), each refusal replaced by the gateway's own error: one `extensions.code` per
 * limit and a message naming the setting. Field suggestions are masked where configured.
 * All of it runs before execution: a refused operation reaches no resolver and no upstream.
 */
export function useOperationLimits(limits: LimitsConfig): Plugin {
  // Thrown, not reported: parsing or validation stops at once, and the refusal is the only
  // error (a deep or wide nonsense document would otherwise add hundreds of field errors).
  const refuse = (name: LimitName, max: number) => ({
    n: max,
    propagateOnRejection: false,
    onReject: [
      (_ctx: unknown, err: GraphQLError) => {
        throw limitError(name, max, found(err));
      },
    ],
  });
  return EnvelopArmorPlugin({
    maxTokens: refuse('tokens', limits.maxTokens),
    // Fields count; fragments and inline fragments do not add a level.
    maxDepth: { ...refuse('depth', limits.maxDepth), flattenFragments: true, ignoreIntrospection: true },
    // Aliases of `__typename` count too (armor lets them through by default).
    maxAliases: { ...refuse('aliases', limits.maxAliases), allowList: [] },
    maxDirectives: refuse('directives', limits.maxDirectives),
    // Armor's cost limit does not multiply by `first`/`last`: `use-cost-limit.ts` does.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !limits.fieldSuggestions },
  }) as Plugin;
}

/** Armor's message ends "…, found 12."; the count is worth passing on. */
function found(err: GraphQLError): number | undefined {
  const match = /found (\d+)/.exec(err.message);
  return match ? Number(match[1]) : undefined;
}
