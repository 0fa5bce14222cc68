import { defineConfig } from 'vitest/config';

// The local service's suite runs twice: on the embedded store, and on PostgreSQL when
// DATABASE_URL is set (each test service then gets a database of its own).
const postgresUrl = process.env.DATABASE_URL;
if (!postgresUrl) {
  console.log('local-service:postgres suite skipped: DATABASE_URL is not set (the embedded-store suite still runs)');
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        test: {
          name: 'local-service:embedded',
          include: ['test/local-service/**/*.test.ts'],
          env: { CUBE_TEST_STORE: 'embedded' },
        },
      },
      ...(postgresUrl
        ? [
            {
              test: {
                name: 'local-service:postgres',
                include: ['test/local-service/**/*.test.ts'],
                env: { CUBE_TEST_STORE: 'postgres' },
              },
            },
          ]
        : []),
      {
        test: {
          name: 'gateway',
          include: ['test/gateway/**/*.test.ts', 'test/sessions/**/*.test.ts', 'test/files/**/*.test.ts'],
        },
      },
    ],
  },
});
