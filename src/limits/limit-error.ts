import { GraphQLError } from 'graphql';

/** One `extensions.code` per limit, and the setting that changes it. */
export const LIMITS = {
  depth: { code: 'MAX_DEPTH_EXCEEDED', setting: 'MAX_QUERY_DEPTH', what: 'Query depth' },
  aliases: { code: 'MAX_ALIASES_EXCEEDED', setting: 'MAX_ALIASES', what: 'Aliases per operation' },
  tokens: { code: 'MAX_TOKENS_EXCEEDED', setting: 'MAX_TOKENS', what: 'Tokens per document' },
  directives: { code: 'MAX_DIRECTIVES_EXCEEDED', setting: 'MAX_DIRECTIVES', what: 'Directives per operation' },
  cost: { code: 'COST_LIMIT_EXCEEDED', setting: 'MAX_QUERY_COST', what: 'Operation cost' },
  variableDepth: { code: 'MAX_VARIABLE_DEPTH_EXCEEDED', setting: 'MAX_VARIABLE_DEPTH', what: 'Nesting of variables' },
  requestBytes: { code: 'REQUEST_TOO_LARGE', setting: 'MAX_REQUEST_BYTES', what: 'Request body size in bytes' },
  subscriptions: {
    code: 'MAX_SUBSCRIPTIONS_EXCEEDED',
    setting: 'MAX_SUBSCRIPTIONS_PER_CONNECTION',
    what: 'Subscriptions per connection',
  },
  sseStreams: {
    code: 'MAX_SSE_STREAMS_EXCEEDED',
    setting: 'MAX_SSE_STREAMS_PER_ADDRESS',
    what: 'Open event streams per client address',
  },
} as const;
export type LimitName = keyof typeof LIMITS;

/**
 * `Query depth is at most 8 (MAX_QUERY_DEPTH); this request has 12.` as a GraphQL error. The
 * HTTP status (400 unless given) is yoga's to use; the WebSocket server leaves it out.
 */
export function limitError(
  name: LimitName,
  max: number,
  found?: number,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  const { code, setting, what } = LIMITS[name];
  const tail = found === undefined ? '' : `; this request has ${found}`;
  return new GraphQLError(`${what} is at most ${max} (${setting})${tail}.`, {
    extensions: { code, limit: max, http: { status: 400 }, ...extensions },
  });
}
