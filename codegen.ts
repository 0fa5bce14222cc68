import type { CodegenConfig } from '@graphql-codegen/cli';

// `npm run codegen`: from the committed schema.graphql and the example operations in
// examples/operations, everything a client needs, in examples/client/gql/ (generated, never
// committed; the test run generates it once and the client tests use it):
// - the typed client (client preset), and persisted-documents.json (hash → document), the
//   manifest of PERSISTED_OPERATIONS=only;
// - `possible-types.ts`: which types each union and interface can be, for Apollo Client's
//   `InMemoryCache({ possibleTypes })` (without it, fragments on union members such as
//   `... on Error { code message }` come back empty);
// - `introspection.ts`: the minified schema urql's graphcache needs to do the same.
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['examples/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'examples/client/gql/': {
      preset: 'client',
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
    },
    'examples/client/gql/possible-types.ts': {
      plugins: ['fragment-matcher'],
      config: { apolloClientVersion: 3, useExplicitTyping: true },
    },
    'examples/client/gql/introspection.ts': {
      plugins: ['urql-introspection'],
      config: { module: 'es2015', useTypeImports: true, includeScalars: true },
    },
  },
};

export default config;
