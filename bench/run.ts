import { readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { pinned } from './lib/processes.ts';
import { settingsFor, Table } from './lib/table.ts';
import { batching } from './suites/batching.ts';
import { localService } from './suites/local-service.ts';
import { overhead } from './suites/overhead.ts';
import { startup } from './suites/startup.ts';
import { subscriptions } from './suites/subscriptions.ts';
import { uploads } from './suites/uploads.ts';

/**
 * `npm run bench [-- --quick] [-- --only overhead,startup]`: every suite in bench/, one
 * table on stdout, the same table in bench/RESULTS.md (with the machine it ran on). Every
 * comparison is measured in this one run; servers on core 0, load generators on core 1.
 */

const START = '<!-- bench:start (written by npm run bench) -->';
const END = '<!-- bench:end -->';
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((_arg, i) => args[i - 1] === '--only')?.split(',');
const settings = settingsFor(quick);
const table = new Table();

const suites = { overhead, 'local-service': localService, batching, subscriptions, uploads, startup } as const;
const started = performance.now();
for (const [name, suite] of Object.entries(suites)) {
  if (only && !only.includes(name)) continue;
  const t0 = performance.now();
  process.stderr.write(`bench: ${name}…\n`);
  try {
    await suite(settings, table);
  } catch (err) {
    table.add(name, 'failed', Number.NaN);
    process.stderr.write(`bench: ${name} failed: ${(err as Error).stack ?? err}\n`);
  }
  process.stderr.write(`bench: ${name} took ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}

// Ratios per round, from figures measured side by side in this run; each cell is the median
// of the rounds' ratios with their spread. The one-hop gateway's is the floor of the first:
// what one upstream call through yoga and undici costs with none of this gateway's work.
const gw = 'overhead: this gateway, user(id:)';
const bare = 'overhead: bare yoga, { hello }';
const oneHop = 'overhead: one-hop yoga+undici, user(id:)';
const rps = 'req/s (32 connections)';
for (const [metric, over, under] of [
  ['gateway req/s ÷ bare yoga req/s (target ≥ 0.7)', gw, bare],
  ['one-hop yoga+undici req/s ÷ bare yoga req/s (the floor of the line above)', oneHop, bare],
  ['gateway req/s ÷ one-hop yoga+undici req/s', gw, oneHop],
] as const) {
  const denominators = table.values(under, rps);
  table.values(over, rps).forEach((value, round) => {
    table.add('ratios', metric, value / (denominators[round] as number), 2);
  });
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = [
  `- date: ${new Date().toISOString()}`,
  `- Node ${process.version}, ${cpu}, ${cpus().length} cores; ${pinned ? 'servers pinned to core 0, load generators to core 1 (taskset)' : 'NOT pinned (no taskset or one core): figures are noisier'}`,
  `- mode: ${quick ? 'quick (one short round: a smoke run, not figures to quote)' : `${settings.rounds} rounds of ${settings.seconds} s`}; every figure is the median of the rounds with (min–max)`,
  `- took ${((performance.now() - started) / 1000).toFixed(0)} s`,
  '',
].join('\n');
const markdown = `${header}\n${table.markdown()}\n`;
console.log(markdown);
// A full run of every suite replaces the generated part of RESULTS.md; the written analysis
// (before/after, what limits each figure) around it stays.
if (!only && !quick) {
  const path = fileURLToPath(new URL('RESULTS.md', import.meta.url));
  const current = await readFile(path, 'utf8').catch(() => `${START}\n${END}\n`);
  const [before = '', rest = ''] = current.split(START);
  const after = rest.split(END)[1] ?? '';
  await writeFile(path, `${before}${START}\n${markdown}${END}${after}`);
  process.stderr.write(`bench: written to ${path}\n`);
}
process.exit(0);
