import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/local-service/store/database.ts';
import { migrateToLatest } from '../../src/local-service/store/migrate.ts';

/**
 * Creating an embedded (PGlite) store runs initdb in WASM, several seconds on this machine.
 * It is done once per run into a migrated template that each test service copies.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!process.env.DATABASE_URL) {
    console.log('SKIPPED local-service:postgres suite: DATABASE_URL is not set (the embedded-store suite still runs)');
  }
  const templateDir = join(process.cwd(), 'test', '.tmp', `store-template-${process.pid}`);
  await rm(templateDir, { recursive: true, force: true });
  await mkdir(templateDir, { recursive: true });
  const { db } = await openDatabase({ dataDir: templateDir });
  await migrateToLatest(db);
  await db.destroy();
  project.provide('storeTemplateDir', templateDir);
  return async () => {
    await rm(templateDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    storeTemplateDir: string;
  }
}
