import { sql } from 'kysely';
import type { Db } from './database.ts';

/** The nonce+timestamp pairs of signed session requests, each kept until it could no longer be accepted. */
export function signatureNoncesRepository(db: Db) {
  return {
    /**
     * Records a pair; false when it was already recorded (a replay). One insert decides, so
     * two instances racing on the same pair cannot both accept it.
     */
    async claim(applicationId: number, nonce: number, timestamp: number, expiresAt: Date): Promise<boolean> {
      const inserted = await db
        .insertInto('signature_nonces')
        .values({ application_id: applicationId, nonce, timestamp, expires_at: expiresAt })
        .onConflict((conflict) => conflict.doNothing())
        .returning('nonce')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async deleteExpired(): Promise<void> {
      await db.deleteFrom('signature_nonces').where('expires_at', '<=', sql<Date>`now()`).execute();
    },
  };
}

export type SignatureNoncesRepository = ReturnType<typeof signatureNoncesRepository>;
