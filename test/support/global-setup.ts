import { generate } from '@graphql-codegen/cli';
import codegenConfig from '../../codegen.ts';
import { embeddedTemplate } from '../../src/local-service/store/embedded.ts';

/**
 * Every test service on the embedded store starts from the migrated template the service
 * itself copies new stores from (src/local-service/store/template.ts): made here, once, before
 * the files run, and kept between runs for as long as PGlite and the migrations stay the same.
 */
export default async function setup(): Promise<void> {
  await Promise.all([templateOnce(), generateClientCode()]);
}

let template: Promise<unknown> | undefined;
function templateOnce(): Promise<unknown> {
  template ??= embeddedTemplate().then(() => {
    if (!process.env.DATABASE_URL) {
      console.log(
        'SKIPPED local-service:postgres suite: DATABASE_URL is not set (the embedded-store suite still runs)',
      );
    }
  });
  return template;
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
