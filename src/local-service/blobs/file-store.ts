import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobsRepository } from './repository.ts';
import { isBlobUid } from './uid.ts';

/** A file fully written to a temporary path, waiting to be committed under its uid or discarded. */
export interface ReceivedFile {
  size: number;
  md5: string;
  commit(uid: string): Promise<void>;
  discard(): Promise<void>;
}

// Partial uploads older than this are leftovers of a crash and may go.
const STALE_INCOMING_MS = 24 * 60 * 60 * 1000;

/**
 * Blob bytes on local disk: `<dataDir>/blobs/<uid>`. Uploads stream into `.incoming/` and
 * are renamed into place (same directory tree, so the rename is atomic): a reader never
 * sees half a file, and a failed upload never replaces a good one.
 */
export function blobFileStore(dataDir: string, repository: BlobsRepository) {
  const root = join(dataDir, 'blobs');
  const incoming = join(root, '.incoming');
  const pathOf = (uid: string) => join(root, uid);
  let created: Promise<unknown> | undefined;
  const ready = () => (created ??= mkdir(incoming, { recursive: true }));

  async function remove(uid: string): Promise<void> {
    if (isBlobUid(uid)) await rm(pathOf(uid), { force: true });
  }

  return {
    async receive(source: Readable): Promise<ReceivedFile> {
      await ready();
      const temp = join(incoming, randomBytes(8).toString('hex'));
      const md5 = createHash('md5');
      let size = 0;
      const measure = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          md5.update(chunk);
          done(null, chunk);
        },
      });
      try {
        await pipeline(source, measure, createWriteStream(temp, { flags: 'wx' }));
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return {
        size,
        md5: md5.digest('hex'),
        async commit(uid) {
          if (!isBlobUid(uid)) throw new Error('not a blob uid');
          await rename(temp, pathOf(uid));
        },
        discard: () => rm(temp, { force: true }),
      };
    },

    /** The stored bytes and their size, or undefined when nothing was uploaded. */
    async open(uid: string): Promise<{ size: number; stream: ReadStream } | undefined> {
      if (!isBlobUid(uid)) return undefined;
      try {
        const handle = await open(pathOf(uid), 'r');
        try {
          const { size } = await handle.stat();
          return { size, stream: handle.createReadStream() };
        } catch (error) {
          await handle.close();
          throw error;
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },

    async size(uid: string): Promise<number | undefined> {
      if (!isBlobUid(uid)) return undefined;
      try {
        return (await stat(pathOf(uid))).size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },

    remove,

    /** Call before deleting the user: the rows go by cascade, and with them the uids. */
    async removeForUser(userId: number): Promise<void> {
      for (const uid of await repository.uidsForUser(userId)) await remove(uid);
    },

    /** Deletes files whose row is gone (e.g. expired guests, deleted by cascade) and stale partial uploads. */
    async sweepOrphans(): Promise<number> {
      await ready();
      const uids = (await readdir(root)).filter(isBlobUid);
      const known = await repository.existingUids(uids);
      let removed = 0;
      for (const uid of uids) {
        if (known.has(uid)) continue;
        await remove(uid);
        removed += 1;
      }
      for (const name of await readdir(incoming)) {
        const path = join(incoming, name);
        const info = await stat(path).catch(() => undefined);
        if (info && Date.now() - info.mtimeMs > STALE_INCOMING_MS) await rm(path, { force: true });
      }
      return removed;
    },
  };
}

export type BlobFileStore = ReturnType<typeof blobFileStore>;
