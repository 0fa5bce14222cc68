import { enableCompileCache } from 'node:module';

// Preloaded by `npm start`, `npm run local-service` and the image (`node --import`), before
// the TypeScript entry loads: Node's compile cache keeps every module's type-stripped source
// and compiled code on disk (NODE_COMPILE_CACHE, else the system's temporary directory) and
// the next start reuses them. Plain JavaScript on purpose: a .ts file here would need the
// type stripper (≈ 27 MB resident for the life of the process) before the cache could spare it.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
enableCompileCache();
