import { writeFile } from 'node:fs/promises';
import { printSchema } from 'graphql';
import { buildSchema } from '../src/schema/index.ts';

// `npm run schema`: writes schema.graphql from the Pothos schema; `--check` fails when the
// committed file differs instead of writing it.
const printed = `${printSchema(buildSchema())}\n`;
const target = new URL('../schema.graphql', import.meta.url);
if (process.argv.includes('--check')) {
  const { readFile } = await import('node:fs/promises');
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== printed) {
    console.error('schema.graphql is out of date: run `npm run schema`');
    process.exit(1);
  }
} else {
  await writeFile(target, printed);
  console.log('wrote schema.graphql');
}
