import { createHash, randomBytes } from 'node:crypto';
import { constants, cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, rmdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * A new embedded store starts as a copy of a template: a data directory that PGlite itself
 * initialised (initdb, seconds of WASM) and migrated, made on this machine the first time a
 * store is created and kept in node_modules/.cache/cube-gateway/. Copying it takes tens of
 * milliseconds. A template is named after the PGlite version and the migrations' sources, so
 * an upgrade or a changed migration makes a new one. It holds the schema and nothing else:
 * the application, its credentials and the blob signing key are made by each store's first
 * start. Where the cache cannot be written (a read-only install) stores are made as before.
 */

const pglitePackage = createRequire(import.meta.url).resolve('@electric-sql/pglite');
/** …/node_modules/@electric-sql/pglite/dist/index.cjs → …/node_modules/.cache/cube-gateway */
const cacheRoot = join(pglitePackage, '..', '..', '..', '..', '.cache', 'cube-gateway');
const migrationsDir = new URL('./migrations/', import.meta.url);

/**
 * The template's name: PGlite's version and a digest of how it is built (`recipe`) and of
 * every migration's source.
 */
function templateName(recipe: string): string {
  const { version } = JSON.parse(readFileSync(join(dirname(pglitePackage), '..', 'package.json'), 'utf8'));
  const digest = createHash('sha256').update(recipe);
  for (const file of readdirSync(migrationsDir).sort()) {
    digest.update(file).update(readFileSync(new URL(file, migrationsDir)));
  }
  return `pglite-${version}-${digest.digest('hex').slice(0, 16)}`;
}

/**
 * The template's directory, made with `build` (which gets an empty directory to make it in)
 * when there is none yet; undefined when it cannot be made or kept here. Processes racing to
 * make it each make their own and the first to finish keeps its copy. `recipe` names what
 * `build` does: a changed recipe makes a new template.
 */
export async function storeTemplate(
  recipe: string,
  build: (dir: string) => Promise<void>,
): Promise<string | undefined> {
  const template = join(cacheRoot, templateName(recipe));
  if (existsSync(template)) return template;
  const building = `${template}.${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(building, { recursive: true });
  } catch {
    return undefined;
  }
  try {
    await build(building);
    await rename(building, template);
  } catch {
    await rm(building, { recursive: true, force: true });
    // Another process finished first (theirs is as good), or none could be made here.
    if (!existsSync(template)) return undefined;
  }
  return template;
}

/**
 * Fills `dir` (absent or empty) with a copy of the template, all at once: a copy cut short
 * leaves nothing behind that would pass for a store.
 */
export async function copyTemplate(template: string, dir: string): Promise<void> {
  const copying = `${dir}.${randomBytes(4).toString('hex')}`;
  try {
    // Node's synchronous copy runs natively, several times faster than its asynchronous one;
    // copy-on-write clones where the file system has them.
    cpSync(template, copying, { recursive: true, mode: constants.COPYFILE_FICLONE });
    await rmdir(dir).catch(() => {});
    await rename(copying, dir);
  } catch (error) {
    await rm(copying, { recursive: true, force: true });
    throw error;
  }
}
