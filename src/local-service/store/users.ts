import { sql } from 'kysely';
import type { Db } from './database.ts';
import type { NewUser, UserRow, UserUpdate } from './schema.ts';

/** Identities a user can be found by when logging in through a provider. */
export type ProviderIdentity =
  | { kind: 'facebook_id'; value: string }
  | { kind: 'twitter_id'; value: string }
  | { kind: 'external_id'; value: string };

/** A Firebase user is a uid within one project. */
export interface FirebaseIdentity {
  project: string;
  uid: string;
}

/** Identities a unique index guards; sign-up and update report each as "has already been taken". */
export const UNIQUE_IDENTITIES = ['login', 'email', 'external_id', 'facebook_id', 'twitter_id'] as const;
export type UniqueIdentity = (typeof UNIQUE_IDENTITIES)[number];

export function usersRepository(db: Db) {
  return {
    findById(applicationId: number, id: number): Promise<UserRow | undefined> {
      return db
        .selectFrom('users')
        .selectAll()
        .where('application_id', '=', applicationId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    /** Login and email are case-insensitive, as their unique indexes are. */
    findByLoginOrEmail(applicationId: number, field: 'login' | 'email', value: string): Promise<UserRow | undefined> {
      return db
        .selectFrom('users')
        .selectAll()
        .where('application_id', '=', applicationId)
        .where(sql`lower(${sql.ref(field)})`, '=', value.toLowerCase())
        .executeTakeFirst();
    },

    findByIdentity(applicationId: number, identity: ProviderIdentity): Promise<UserRow | undefined> {
      return db
        .selectFrom('users')
        .selectAll()
        .where('application_id', '=', applicationId)
        .where(identity.kind, '=', identity.value)
        .executeTakeFirst();
    },

    /**
     * The user of a Firebase (project, uid). A row stored before projects were recorded
     * (project null) still matches its uid; the caller claims it for the project.
     */
    findByFirebaseIdentity(applicationId: number, identity: FirebaseIdentity): Promise<UserRow | undefined> {
      return (
        db
          .selectFrom('users')
          .selectAll()
          .where('application_id', '=', applicationId)
          .where('firebase_uid', '=', identity.uid)
          .where(({ or, eb }) =>
            or([eb('firebase_project', '=', identity.project), eb('firebase_project', 'is', null)]),
          )
          // The row of this very project wins over a legacy one.
          .orderBy(sql`firebase_project IS NULL`)
          .executeTakeFirst()
      );
    },

    /** `/users/external/{id}`: the string `external_id`, else the deprecated numeric `external_user_id`. */
    async findByExternal(applicationId: number, value: string): Promise<UserRow | undefined> {
      const byExternalId = await this.findByIdentity(applicationId, { kind: 'external_id', value });
      if (byExternalId || !/^\d{1,9}$/.test(value)) return byExternalId;
      return db
        .selectFrom('users')
        .selectAll()
        .where('application_id', '=', applicationId)
        .where('external_user_id', '=', Number(value))
        .orderBy('id')
        .executeTakeFirst();
    },

    /** Which of the given unique identities another user of the application already holds. */
    async takenIdentities(
      applicationId: number,
      candidate: Partial<Record<UniqueIdentity, string | null>>,
      exceptUserId?: number,
    ): Promise<UniqueIdentity[]> {
      const wanted = UNIQUE_IDENTITIES.filter((field) => typeof candidate[field] === 'string');
      if (wanted.length === 0) return [];
      const caseless = (field: UniqueIdentity) => field === 'login' || field === 'email';
      const holders = await db
        .selectFrom('users')
        .select(wanted)
        .where('application_id', '=', applicationId)
        .$if(exceptUserId !== undefined, (query) => query.where('id', '!=', exceptUserId ?? 0))
        .where(({ or, eb }) =>
          or(
            wanted.map((field) => {
              const value = candidate[field] as string;
              return caseless(field)
                ? eb(sql`lower(${sql.ref(field)})`, '=', value.toLowerCase())
                : eb(field, '=', value);
            }),
          ),
        )
        .execute();
      return wanted.filter((field) => {
        const value = candidate[field] as string;
        return holders.some((row) => {
          const held = (row as Record<string, string | null>)[field];
          return caseless(field) ? held?.toLowerCase() === value.toLowerCase() : held === value;
        });
      });
    },

    insert(user: NewUser): Promise<UserRow> {
      return db.insertInto('users').values(user).returningAll().executeTakeFirstOrThrow();
    },

    /** Undefined when a unique identity (login, email, provider id) is already taken. */
    insertIfAbsent(user: NewUser): Promise<UserRow | undefined> {
      return db
        .insertInto('users')
        .values(user)
        .onConflict((conflict) => conflict.doNothing())
        .returningAll()
        .executeTakeFirst();
    },

    update(id: number, changes: UserUpdate): Promise<UserRow> {
      return db
        .updateTable('users')
        .set({ ...changes, updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /** Sessions, blobs and reset tokens go with the user (ON DELETE CASCADE). */
    async delete(id: number): Promise<void> {
      await db.deleteFrom('users').where('id', '=', id).execute();
    },

    /** Guests live as long as their fixed-length session; afterwards they are deleted. */
    async deleteExpiredGuests(): Promise<number> {
      const result = await db
        .deleteFrom('users')
        .where('is_guest', '=', true)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('sessions')
                .select('sessions.id')
                .whereRef('sessions.user_id', '=', 'users.id')
                .where('sessions.expires_at', '>', sql<Date>`now()`),
            ),
          ),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type UsersRepository = ReturnType<typeof usersRepository>;
