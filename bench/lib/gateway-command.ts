import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The gateway's `node` arguments exactly as `npm start` has them (package.json, which the
 * Dockerfile's CMD repeats): its V8 flags, then the entry as an absolute path. Every suite
 * starts the gateway with these, so the figures are those of the process as deployed.
 */
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  scripts: { start: string };
};
const [, ...startArgs] = packageJson.scripts.start.trim().split(/\s+/);
/** A path of the repository (`./src/compile-cache.mjs`, `src/main.ts`), made absolute. */
const isPath = (arg: string) => /^(\.\/)?src\//.test(arg);
const absolute = (arg: string) => fileURLToPath(new URL(`../../${arg.replace(/^\.\//, '')}`, import.meta.url));

/** Every flag before the entry, with the preloads' paths absolute (a bench script's own node flags). */
export const gatewayNodeFlags: string[] = startArgs.slice(0, -1).map((arg) => (isPath(arg) ? absolute(arg) : arg));

export const gatewayArgv: string[] = startArgs.map((arg) => (isPath(arg) ? absolute(arg) : arg));
