import { enableCompileCache } from 'node:module';

// Process entry for `npm run local-service`: Node's compile cache first (see `src/main.ts`),
// then the service itself (`start.ts`).
enableCompileCache();
await import('./start.ts');
