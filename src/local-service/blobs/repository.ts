import { sql } from 'kysely';
import type { Db } from '../store/database.ts';
import type { BlobRow } from '../store/schema.ts';

export interface NewBlob {
  uid: string;
  applicationId: number;
  userId: number;
  contentType: string;
  name: string;
  public: boolean;
}

export function blobsRepository(db: Db) {
  return {
    insert(blob: NewBlob): Promise<BlobRow> {
      return db
        .insertInto('blobs')
        .values({
          uid: blob.uid,
          application_id: blob.applicationId,
          user_id: blob.userId,
          content_type: blob.contentType,
          name: blob.name,
          public: blob.public,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    findById(applicationId: number, id: number): Promise<BlobRow | undefined> {
      return db
        .selectFrom('blobs')
        .selectAll()
        .where('application_id', '=', applicationId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    /** By uid alone: public blobs are streamed to callers with no session, hence no application. */
    findByUid(uid: string): Promise<BlobRow | undefined> {
      return db.selectFrom('blobs').selectAll().where('uid', '=', uid).executeTakeFirst();
    },

    async listForUser(
      userId: number,
      page: { offset: number; limit: number },
    ): Promise<{ rows: BlobRow[]; total: number }> {
      const [rows, count] = await Promise.all([
        db
          .selectFrom('blobs')
          .selectAll()
          .where('user_id', '=', userId)
          .orderBy('id')
          .offset(page.offset)
          .limit(page.limit)
          .execute(),
        db
          .selectFrom('blobs')
          .select((eb) => eb.fn.countAll<string>().as('total'))
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(count.total) };
    },

    async uidsForUser(userId: number): Promise<string[]> {
      const rows = await db.selectFrom('blobs').select('uid').where('user_id', '=', userId).execute();
      return rows.map((row) => row.uid);
    },

    /** Of the given uids, those that still have a row. */
    async existingUids(uids: string[]): Promise<Set<string>> {
      if (uids.length === 0) return new Set();
      const rows = await db.selectFrom('blobs').select('uid').where('uid', 'in', uids).execute();
      return new Set(rows.map((row) => row.uid));
    },

    rename(id: number, name: string): Promise<BlobRow> {
      return db
        .updateTable('blobs')
        .set({ name, updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    complete(id: number, size: number): Promise<BlobRow> {
      return db
        .updateTable('blobs')
        .set({ size, blob_status: 'complete', set_completed_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    async delete(id: number): Promise<void> {
      await db.deleteFrom('blobs').where('id', '=', id).execute();
    },
  };
}

export type BlobsRepository = ReturnType<typeof blobsRepository>;
