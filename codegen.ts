import type { CodegenConfig } from '@graphql-codegen/cli';

// `npm run codegen`: a typed client (client preset) from the committed schema.graphql and the
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
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
