import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';

/** PERSISTED_OPERATIONS=only: the manifest's documents run, nothing else does. */

const TRUSTED = 'query Who { session { kind } }';
const HASH = createHash('sha256').update(TRUSTED).digest('hex');

let gw: RunningGateway;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trusted-'));
  const manifest = join(dir, 'persisted-documents.json');
  // The client preset's format: `sha256:<hex>` → document.
  await writeFile(manifest, JSON.stringify({ [`sha256:${HASH}`]: TRUSTED }));
  gw = await startGateway({ env: { PERSISTED_OPERATIONS: 'only', PERSISTED_OPERATIONS_MANIFEST: manifest } });
});
afterAll(async () => {
  await gw?.close();
  await rm(dir, { recursive: true, force: true });
});

async function post(body: Record<string, unknown>) {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as any;
}

describe('trusted documents', () => {
  it('runs a manifest document by documentId or by Apollo persistedQuery hash', async () => {
    expect(await post({ documentId: `sha256:${HASH}` })).toEqual({ data: { session: null } });
    expect(await post({ extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } })).toEqual({
      data: { session: null },
    });
  });

  it('refuses an unknown hash with PERSISTED_QUERY_NOT_FOUND', async () => {
    const body = await post({ documentId: `sha256:${'0'.repeat(64)}` });
    expect(body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses any query text, even a trusted one, with PERSISTED_OPERATION_NOT_ALLOWED', async () => {
    for (const query of ['{ me { id email } }', TRUSTED]) {
      const body = await post({ query });
      expect(body.errors[0].extensions.code, query).toBe('PERSISTED_OPERATION_NOT_ALLOWED');
      expect(body.data).toBeUndefined();
    }
  });

  it('needs a manifest: one clear configuration error', () => {
    expect(() => loadConfig({ PERSISTED_OPERATIONS: 'only' })).toThrow(ConfigError);
    expect(() => loadConfig({ PERSISTED_OPERATIONS: 'sometimes' })).toThrow(/PERSISTED_OPERATIONS/);
  });
});
