import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { gatewaySettingNames } from '../../src/config.ts';
import { localServiceSettingNames } from '../../src/local-service/config.ts';

// `.env.example` lists every setting of both processes (each read by a zod schema) and
// nothing else. A setting added to a schema without a line here fails with its name.

const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
/** `NAME=value` or `# NAME=value` lines. */
const listed = [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? '');

it('lists every setting the gateway and the local service read, and nothing else', () => {
  const read = new Set([...gatewaySettingNames, ...localServiceSettingNames]);
  const missing = [...read].filter((name) => !listed.includes(name));
  const unknown = listed.filter((name) => !read.has(name));
  expect(missing, `.env.example lacks: ${missing.join(', ')}`).toEqual([]);
  expect(unknown, `.env.example lists settings no config reads: ${unknown.join(', ')}`).toEqual([]);
});

it('lists each setting once, commented out, with a comment line saying what it means', () => {
  expect(listed.filter((name, i) => listed.indexOf(name) !== i)).toEqual([]);
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    const name = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1];
    if (!name) continue;
    expect(line.startsWith('# '), `${name} is set, not commented out`).toBe(true);
    // Its meaning: the nearest line above that is not another setting is prose.
    let j = i - 1;
    while (j >= 0 && /^#\s*[A-Z][A-Z0-9_]*=/.test(lines[j] ?? '')) j--;
    expect(lines[j] ?? '', `${name} has no comment above it`).toMatch(/^# \S/);
  }
});
