import { registerHooks } from 'node:module';

/**
 * Preloaded with `node --import` into a process under test: on SIGUSR2 it prints every
 * module the process has resolved so far, as one `loaded modules: [...]` line of JSON.
 */

const resolved = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    resolved.add(result.url);
    return result;
  },
});
process.on('SIGUSR2', () => {
  console.log(`loaded modules: ${JSON.stringify([...resolved])}`);
});
