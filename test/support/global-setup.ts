import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import type { TestProject } from 'vitest/node';
import codegenConfig from '../../codegen.ts';
import { openDatabase } from '../../src/local-service/store/database.ts';
import { migrateToLatest } from '../../src/local-service/store/migrate.ts';

const TMP = join(process.cwd(), 'test', '.tmp');

/**
 * Creating an embedded (PGlite) store runs initdb in WASM, several seconds on this machine.
 * It is done once per run into a migrated template that each test service copies. Every
 * vitest project runs this setup; the first one of the run builds the template.
 */
export default async function setup(project: TestProject): Promise<void> {
  const templateDir = join(TMP, `store-template-${process.pid}`);
  const readyMarker = join(templateDir, '.ready');
  if (await claim(templateDir)) {
    const { db } = await openDatabase({ dataDir: templateDir });
    await migrateToLatest(db);
    await db.destroy();
    await writeFile(readyMarker, '');
    if (!process.env.DATABASE_URL) {
      console.log(
        'SKIPPED local-service:postgres suite: DATABASE_URL is not set (the embedded-store suite still runs)',
      );
    }
  }
  while (!existsSync(readyMarker)) await new Promise((resolve) => setTimeout(resolve, 100));
  await generateClientCode();
  project.provide('storeTemplateDir', templateDir);
}

/**
 * `npm run codegen`'s output (examples/client/gql/: typed client, possibleTypes, graphcache's
 * schema) is generated, never committed; the client tests import it. Made once per run,
 * before any test file loads it.
 */
let generated: Promise<void> | undefined;
function generateClientCode(): Promise<void> {
  generated ??= generate({ ...codegenConfig, cwd: process.cwd(), silent: true, errorsOnly: true }, true).then(() => {});
  return generated;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True for the one setup that gets to build the template (mkdir is atomic). */
async function claim(templateDir: string): Promise<boolean> {
  await mkdir(TMP, { recursive: true });
  for (const entry of await readdir(TMP)) {
    // Templates of finished runs are stale: their migrations may differ.
    const pid = Number(entry.replace('store-template-', ''));
    if (entry.startsWith('store-template-') && pid !== process.pid && !isRunning(pid)) {
      await rm(join(TMP, entry), { recursive: true, force: true });
    }
  }
  try {
    await mkdir(templateDir);
    return true;
  } catch {
    return false;
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    storeTemplateDir: string;
  }
}
