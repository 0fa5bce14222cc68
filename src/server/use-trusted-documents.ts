import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';

/**
 * `PERSISTED_OPERATIONS=only`: the gateway runs the documents of a manifest (the
 * `persisted-documents.json` that `npm run codegen` writes: hash → document) and nothing
 * else. A client sends the hash as `documentId` or as Apollo's
 * `extensions.persistedQuery.sha256Hash`; an unknown hash is PERSISTED_QUERY_NOT_FOUND, a
 * query text PERSISTED_OPERATION_NOT_ALLOWED.
 */
export function useTrustedDocuments(manifestPath: string): Plugin {
  const manifest = readManifest(manifestPath);
  return usePersistedOperations({
    allowArbitraryOperations: false,
    getPersistedOperation: (hash) => manifest.get(hash) ?? null,
    extractPersistedOperationId: (params) => {
      const raw = params as { documentId?: unknown; extensions?: { persistedQuery?: { sha256Hash?: unknown } } };
      const id = raw.documentId ?? raw.extensions?.persistedQuery?.sha256Hash;
      // `sha256:<hex>` is the persisted documents spec's prefixed form.
      return typeof id === 'string' ? id.replace(/^sha256:/, '') : null;
    },
    customErrors: {
      notFound: {
        message: 'PersistedQueryNotFound: this gateway serves only its trusted documents.',
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
      },
      keyNotFound: {
        message: 'Send the hash of a trusted document as documentId or extensions.persistedQuery.sha256Hash.',
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
      },
      persistedQueryOnly: {
        message: 'This gateway runs only its trusted documents: send the hash instead of the query.',
        extensions: { code: 'PERSISTED_OPERATION_NOT_ALLOWED', http: { status: 400 } },
      },
    },
  });
}

function readManifest(path: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`PERSISTED_OPERATIONS_MANIFEST ${path} is not a readable JSON file: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`PERSISTED_OPERATIONS_MANIFEST ${path} must map hashes to documents.`);
  }
  const documents = Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return new Map(documents.map(([hash, document]) => [hash.replace(/^sha256:/, ''), document]));
}
