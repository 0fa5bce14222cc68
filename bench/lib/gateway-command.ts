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

/** The V8 flags alone, for a bench script that runs the gateway in its own process. */
export const gatewayNodeFlags: string[] = startArgs.filter((arg) => arg.startsWith('--'));

export const gatewayArgv: string[] = startArgs.map((arg) =>
  arg.endsWith('.ts') ? fileURLToPath(new URL(`../../${arg}`, import.meta.url)) : arg,
);
