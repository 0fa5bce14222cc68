import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { hashToken } from '../sessions/tokens.ts';
import type { Db } from '../store/database.ts';

export type ResetLinkState = 'valid' | 'used' | 'expired' | 'unknown';

/** Reset tokens are stored only as their SHA-256, like session tokens. */
export function passwordResetsRepository(db: Db) {
  return {
    /** Returns the only copy of the raw token, for the link in the mail. */
    async issue(userId: number, ttlSeconds: number): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      await db
        .insertInto('password_resets')
        .values({
          token_hash: hashToken(token),
          user_id: userId,
          expires_at: sql<Date>`now() + make_interval(secs => ${ttlSeconds})`,
          used_at: null,
        })
        .execute();
      return token;
    },

    async state(token: string): Promise<ResetLinkState> {
      const row = await db
        .selectFrom('password_resets')
        .select(['used_at', sql<boolean>`expires_at <= now()`.as('expired')])
        .where('token_hash', '=', hashToken(token))
        .executeTakeFirst();
      if (!row) return 'unknown';
      if (row.used_at) return 'used';
      return row.expired ? 'expired' : 'valid';
    },

    /**
     * Spends the token and sets the password in one transaction: the claim is a single
     * conditional UPDATE, so two submissions of one link cannot both succeed. Every other
     * open link of the user is spent too, and the user's sessions end (whoever held the
     * old password is logged out). Returns the user's login names; undefined when the token is not (or no longer) valid.
     */
    redeem(token: string, passwordHash: string): Promise<{ login: string | null; email: string | null } | undefined> {
      return db.transaction().execute(async (trx) => {
        const claimed = await trx
          .updateTable('password_resets')
          .set({ used_at: sql<Date>`now()` })
          .where('token_hash', '=', hashToken(token))
          .where('used_at', 'is', null)
          .where('expires_at', '>', sql<Date>`now()`)
          .returning('user_id')
          .executeTakeFirst();
        if (!claimed) return undefined;
        const userId = claimed.user_id;
        const user = await trx
          .updateTable('users')
          .set({ password_hash: passwordHash, updated_at: sql<Date>`now()` })
          .where('id', '=', userId)
          .returning(['login', 'email'])
          .executeTakeFirstOrThrow();
        await trx
          .updateTable('password_resets')
          .set({ used_at: sql<Date>`now()` })
          .where('user_id', '=', userId)
          .where('used_at', 'is', null)
          .execute();
        await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
        return user;
      });
    },
  };
}

export type PasswordResetsRepository = ReturnType<typeof passwordResetsRepository>;
