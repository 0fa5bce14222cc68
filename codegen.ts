import type { CodegenConfig } from '@graphql-codegen/cli';

// `npm run codegen`: a typed client (client preset) and `possibleTypes` from the committed schema.graphql and the
// example operations in examples/operations. The output is generated, never committed; a test
// runs this and type-checks examples/client/usage.ts against it.
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
      // persistedDocuments: also persisted-documents.json (hash → document), the manifest of
      // PERSISTED_OPERATIONS=only.
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
    },
    // Union and interface members for Apollo's `possibleTypes` (and urql graphcache's
    // `possibleTypes`): without them a client drops the fields of `... on Error` fragments.
    'examples/client/gql/possible-types.ts': {
      plugins: ['fragment-matcher'],
      config: { apolloClientVersion: 3, useExplicitTyping: true },
    },
  },
};

export default config;
