import { enableCompileCache } from 'node:module';

// Process entry for `npm start`. Node's compile cache goes on before anything else loads:
// every module's type-stripped source and compiled code are kept on disk (NODE_COMPILE_CACHE,
// else the system's temporary directory) and reused by the next start, which then neither
// strips types nor compiles again. Then the gateway itself (`start.ts`).
enableCompileCache();
await import('./start.ts');
