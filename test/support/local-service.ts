import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalService, type LocalServiceOptions } from '../../src/local-service/app.ts';
import { localServiceDefaults } from '../../src/local-service/config.ts';

export interface RunningLocalService {
  /** Base URL, e.g. http://127.0.0.1:54321 (no trailing slash). */
  url: string;
  application: { id: number; authKey: string; authSecret: string };
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Starts a real local users service on a loopback port with a fresh data directory
 * (or on PostgreSQL when `databaseUrl` is given). `keepDataDir` leaves the directory for
 * restart tests.
 */
export async function startLocalService(
  overrides: Partial<LocalServiceOptions> & { keepDataDir?: boolean } = {},
): Promise<RunningLocalService> {
  const { keepDataDir = false, ...options } = overrides;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'cube-local-')));
  const service = await createLocalService({ ...localServiceDefaults(), ...options, dataDir });
  const url = await service.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    application: service.application,
    dataDir,
    async close() {
      await service.close();
      if (!keepDataDir && !options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
