import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type { Context } from '../context.ts';
import { type FieldError, ForbiddenError, UnauthenticatedError, ValidationError } from '../errors.ts';
import type { UploadSource } from '../files/upload-pipeline.ts';
import { CONNECTION_PAGE_COST, LIST_COST_MULTIPLIER } from '../limits/field-cost.ts';
import { tryDecodeGlobalId } from './global-ids.ts';

/**
 * Plugins and scalars only; types live in their own files. Plugin order: errors first so it
 * catches what the others throw, relay before scope-auth so auth sees parsed global ids,
 * dataloader next, complexity (field costs) last.
 */
export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    /** A file of a multipart request; streamed, never held whole. */
    Upload: { Input: UploadSource; Output: never };
  };
  AuthScopes: {
    /** The caller sent a token (application or user session). */
    authenticated: boolean;
    /** The caller's token is a user session. */
    user: boolean;
  };
  DefaultInputFieldRequiredness: false;
  DefaultFieldNullability: false;
}>({
  defaultFieldNullability: false,
  plugins: [ErrorsPlugin, RelayPlugin, ScopeAuthPlugin, ValidationPlugin, DataloaderPlugin, ComplexityPlugin],
  // Field costs only: `use-cost-limit.ts` checks them before execution (MAX_QUERY_COST), so
  // the plugin's own per-resolver check stays off.
  complexity: { disabled: true, defaultComplexity: 1, defaultListMultiplier: LIST_COST_MULTIPLIER },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesOnConnection: { description: 'The items of this page (the `node` of each edge).' },
    nodeQueryOptions: {
      authScopes: { authenticated: true },
      description: 'Any object by its global id (`Node.id`); null when there is none.',
      args: { id: { description: 'A global id, as `id` fields give it.' } },
    },
    // `nodes` is defined in node.ts (with its ids cost): an id it cannot read answers null
    // there, not an error.
    nodesQueryOptions: false,
    nodeTypeOptions: { description: 'An object with a global id: `Query.node(id:)` reads it back.' },
    idFieldOptions: {
      description: 'Global id (opaque): pass it to `node(id:)` and to arguments that name this object.',
    },
    pageInfoTypeOptions: { description: 'Where a page sits in the whole list, and the cursors to move on from it.' },
    hasNextPageFieldOptions: { description: 'Whether there are more items after this page.' },
    hasPreviousPageFieldOptions: { description: 'Whether there are items before this page.' },
    startCursorFieldOptions: { description: 'The cursor of the first item of this page; pass it as `before`.' },
    endCursorFieldOptions: { description: 'The cursor of the last item of this page; pass it as `after`.' },
    firstArgOptions: { description: 'How many items from the start (or after `after`): 1 to 100.' },
    lastArgOptions: { description: 'How many items from the end (or before `before`): 1 to 100.' },
    afterArgOptions: { description: 'A cursor: the page starts after it (`pageInfo.endCursor` of the page before).' },
    beforeArgOptions: { description: 'A cursor: the page ends before it (`pageInfo.startCursor` of the page after).' },
    cursorFieldOptions: { description: "This item's cursor, for `after` or `before`." },
    nodeFieldOptions: { description: 'The item.' },
    edgesFieldOptions: {
      description: 'The items of this page, each with its cursor.',
      complexity: CONNECTION_PAGE_COST,
    },
    nodesFieldOptions: { complexity: CONNECTION_PAGE_COST },
    pageInfoFieldOptions: { description: 'Where this page sits, and the cursors to move on.' },
    defaultConnectionTypeOptions: {
      description: 'One page of a list, with the cursors to read the next or previous one.',
    },
    defaultEdgeTypeOptions: { description: 'One item of a page and its cursor.' },
    // A malformed id is the caller's input (BAD_USER_INPUT), not an unexpected error.
    decodeGlobalID: (globalID) => {
      const decoded = tryDecodeGlobalId(globalID);
      if (!decoded) {
        throw new ValidationError('Not a global id of this API.', [{ field: 'id', messages: ['is not a valid id'] }]);
      }
      return decoded;
    },
  },
  errors: {
    // No default list: each mutation names the domain errors it can really produce. Auth and
    // availability failures (UNAUTHENTICATED, SESSION_EXPIRED, FORBIDDEN, UPSTREAM_UNAVAILABLE)
    // are never listed, so they pass through as top-level errors with `extensions.code`.
    defaultTypes: [],
    directResult: true,
    defaultUnionOptions: {
      name: ({ fieldName }) => `${fieldName[0]?.toUpperCase()}${fieldName.slice(1)}Result`,
      description:
        'What the mutation of the same name answers: its `…Success` type, or one of the typed errors (`Error`) it can produce.',
    },
    defaultResultOptions: { description: 'What the mutation of the same name answers when it succeeds.' },
    // Input validation failures become `ValidationError` payloads too (they run before auth).
    unsafelyHandleInputErrors: true,
  },
  scopeAuth: {
    authScopes: (ctx) => ({
      authenticated: !!ctx.token,
      user: async () => !!ctx.token && !!(await ctx.currentSession())?.user_id,
    }),
    unauthorizedError: (_parent, ctx) =>
      ctx.token ? new ForbiddenError('This needs a user session: log in first.') : new UnauthenticatedError(),
  },
  validation: {
    validationError: (failure) => {
      const byField = new Map<string, string[]>();
      for (const issue of failure.issues) {
        const path = (issue.path ?? [])
          .map((p) => String(typeof p === 'object' ? p.key : p))
          .filter((p, i) => !(i === 0 && p === 'input'));
        const field = path.join('.') || 'base';
        byField.set(field, [...(byField.get(field) ?? []), issue.message]);
      }
      const fields: FieldError[] = [...byField].map(([field, messages]) => ({ field, messages }));
      const summary = fields.map((f) =>
        f.field === 'base' ? f.messages.join(', ') : `${f.field}: ${f.messages.join(', ')}`,
      );
      return new ValidationError(`Invalid input: ${summary.join('; ')}.`, fields);
    },
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);
builder.scalarType('Upload', {
  description: 'A file sent with the GraphQL multipart request spec (as a variable, never inline).',
  serialize: () => {
    throw new Error('Upload is an input-only scalar.');
  },
  // A streamed part is not `instanceof File`: accept anything that reads like one.
  parseValue: (value) => {
    const file = value as Partial<UploadSource> | null;
    if (file && typeof file === 'object' && typeof file.stream === 'function' && 'name' in file && 'type' in file) {
      return file as UploadSource;
    }
    throw new ValidationError('Upload must be a file of a multipart request.', [
      { field: 'file', messages: ['is not a file'] },
    ]);
  },
  parseLiteral: () => {
    throw new ValidationError('Upload must be a file of a multipart request.', [
      { field: 'file', messages: ['must be sent as a variable'] },
    ]);
  },
});
