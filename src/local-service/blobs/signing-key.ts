import { randomBytes } from 'node:crypto';
import type { Db } from '../store/database.ts';

interface ServiceSecretsTable {
  name: string;
  secret: string;
}

const KEY_NAME = 'blob-url-signing';

/**
 * The key that signs upload and download URLs. Created once and kept in the store, so URLs
 * issued before a restart stay valid and instances sharing a database agree; the first
 * instance to insert wins and the others read its key.
 */
export async function loadBlobSigningKey(db: Db): Promise<Buffer> {
  const store = db.withTables<{ service_secrets: ServiceSecretsTable }>();
  await store
    .insertInto('service_secrets')
    .values({ name: KEY_NAME, secret: randomBytes(32).toString('base64') })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  const row = await store
    .selectFrom('service_secrets')
    .select('secret')
    .where('name', '=', KEY_NAME)
    .executeTakeFirstOrThrow();
  return Buffer.from(row.secret, 'base64');
}
