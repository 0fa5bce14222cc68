/**
 * Default abuse limits (issue 9). Every operation in `examples/operations/` and the README
 * passes them with room to spare (`test/hostile/examples-pass.test.ts` checks).
 */
export const DEFAULT_LIMITS = {
  maxDepth: 8,
  maxAliases: 50,
  // Room for 1,000 one-line aliases, so that an alias bomb meets the alias limit (its own error).
  maxTokens: 15_000,
  maxDirectives: 20,
  maxCost: 5_000,
  maxVariableDepth: 16,
  maxRequestBytes: 1_048_576,
  wsMaxPayloadBytes: 1_048_576,
  maxSubscriptionsPerConnection: 10,
  maxSseStreamsPerAddress: 10,
  upstreamConcurrencyPerOperation: 8,
} as const;
