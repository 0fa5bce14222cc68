import type { FastifyRequest } from 'fastify';
import type { ServiceDeps } from '../service-deps.ts';
import { type BlobFileStore, blobFileStore } from './file-store.ts';
import { type BlobsRepository, blobsRepository } from './repository.ts';
import { loadBlobSigningKey } from './signing-key.ts';

/** What the blob routes share: rows, bytes, and the key that signs their URLs. */
export interface BlobStorage {
  repository: BlobsRepository;
  files: BlobFileStore;
  signingKey: Buffer;
}

// Both blob route modules ask for it; one per service instance.
const opened = new WeakMap<ServiceDeps, Promise<BlobStorage>>();

export function openBlobStorage(deps: ServiceDeps): Promise<BlobStorage> {
  let storage = opened.get(deps);
  if (!storage) {
    storage = (async () => {
      const repository = blobsRepository(deps.db);
      const files = blobFileStore(deps.options.dataDir, repository);
      return { repository, files, signingKey: await loadBlobSigningKey(deps.db) };
    })();
    opened.set(deps, storage);
  }
  return storage;
}

/** Links handed out point at the configured public URL, else at the origin the client used. */
export function serviceBaseUrl(request: FastifyRequest, deps: ServiceDeps): string {
  const configured = deps.options.publicUrl;
  if (configured) return configured.replace(/\/+$/, '');
  return `${request.protocol}://${request.host}`;
}
