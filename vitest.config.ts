import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// The local service's suite runs twice: on the embedded store, and on PostgreSQL when
// DATABASE_URL is set (each test service then gets a database of its own).
const postgresUrl = process.env.DATABASE_URL;

export default defineConfig({
  resolve: {
    // graphql ships CJS and ESM builds. Node loads the CJS one for yoga and Pothos, while
    // vite would hand our sources the ESM one: two GraphQLError classes, and yoga would mask
    // every domain error as unexpected. Pin the one Node uses.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    // Most files wait on real processes and sockets rather than the CPU: on a two-core machine
    // vitest's default (cores - 1 = one file at a time) leaves the machine idle most of the run.
    maxWorkers: 3,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true as const,
        test: {
          name: 'local-service:embedded',
          include: ['test/local-service/**/*.test.ts', 'test/conformance/**/*.test.ts'],
          env: { CUBE_TEST_STORE: 'embedded' },
        },
      },
      ...(postgresUrl
        ? [
            {
              extends: true as const,
              test: {
                name: 'local-service:postgres',
                include: ['test/local-service/**/*.test.ts', 'test/conformance/**/*.test.ts'],
                // The embedded store's own template: nothing of it runs on PostgreSQL.
                exclude: ['test/local-service/store-template.test.ts'],
                env: { CUBE_TEST_STORE: 'postgres' },
              },
            },
          ]
        : []),
      {
        extends: true as const,
        test: {
          name: 'security',
          include: ['test/security/**/*.test.ts'],
        },
      },
      {
        extends: true as const,
        test: {
          name: 'gateway',
          include: [
            'test/gateway/**/*.test.ts',
            'test/sessions/**/*.test.ts',
            'test/files/**/*.test.ts',
            'test/observability/**/*.test.ts',
          ],
        },
      },
      {
        extends: true as const,
        test: {
          name: 'hostile',
          include: ['test/hostile/**/*.test.ts'],
          // The suite measures the gateway's heap after a forced GC.
          execArgv: ['--expose-gc'],
        },
      },
      {
        extends: true as const,
        test: {
          // Real processes failing on purpose: upstream down, slow, 5xx or garbage; Redis restarted.
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
        },
      },
      {
        extends: true as const,
        test: {
          // The client libraries' setups the README shows, against the gateway.
          name: 'clients',
          include: ['test/clients/**/*.test.ts'],
        },
      },
    ],
  },
});
