import type { Db } from '../store/database.ts';
import { type BlobFileStore, blobFileStore } from './file-store.ts';
import { type BlobsRepository, blobsRepository } from './repository.ts';
import { loadBlobSigningKey } from './signing-key.ts';

/** What the blob routes share: rows, bytes, and the key that signs their URLs. */
export interface BlobStorage {
  repository: BlobsRepository;
  files: BlobFileStore;
  signingKey: Buffer;
}

/** Built once per service instance (app.ts) and handed to routes through ServiceDeps. */
export async function openBlobStorage(db: Db, dataDir: string): Promise<BlobStorage> {
  const repository = blobsRepository(db);
  const files = blobFileStore(dataDir, repository);
  return { repository, files, signingKey: await loadBlobSigningKey(db) };
}
