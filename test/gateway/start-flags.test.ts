import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// `npm start` (and the image) pass V8 flags that decide when an upload's garbage is freed.
// Node's HTTP server hands a streamed body over in a new Buffer per read; they are freed
// at a young-generation collection, and with the gateway's 8 MB young generation and little
// JS work per chunk, the gateway's own allocations start one only every 25–40 MB of body.
// `--scavenger-max-new-space-capacity-mb=4` makes V8 start one itself once 16 MB of young
// Buffers are waiting (bench/RESULTS.md, "Uploads"). These tests pin that down on the Node
// the project runs, so that an upgrade that changes it shows here rather than in production.

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  scripts: { start: string };
};
/** npm start's V8 flags: every `--name=value` of the command. */
const startFlags = packageJson.scripts.start.split(/\s+/).filter((arg) => /^--[\w-]+=/.test(arg));
const script = fileURLToPath(new URL('../support/body-chunk-garbage.ts', import.meta.url));
const MEASURE_FLAG = '--scavenger-max-new-space-capacity-mb=4';
/** The young generation a warmed-up gateway runs with (it starts at 1 MB and grows). */
const WARM_YOUNG_GENERATION = '--min-semi-space-size=8';

/** Peak MB of ArrayBuffers while 100 MB of request body pass, under the given flags. */
async function peakGarbage(flags: string[]): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', ...flags, script]);
  return Number(stdout.trim());
}

describe("npm start's V8 flags", () => {
  it('collect a streamed request body every 16 MB: well under the 32 MB an upload may grow', async () => {
    expect(startFlags).toContain(MEASURE_FLAG);
    expect(await peakGarbage([...startFlags, WARM_YOUNG_GENERATION])).toBeLessThan(24);
  });

  it('without the young-Buffers setting, the same body piles up past 32 MB (why it is set)', async () => {
    const without = startFlags.filter((flag) => flag !== MEASURE_FLAG);
    expect(await peakGarbage([...without, WARM_YOUNG_GENERATION])).toBeGreaterThan(32);
  });
});
