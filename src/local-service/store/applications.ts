import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './database.ts';
import type { ApplicationRow } from './schema.ts';

export interface SeedApplication {
  id?: number;
  authKey?: string;
  authSecret?: string;
}

/** Per-application settings (the real service keeps these in its admin panel). */
export type ApplicationSettings = Partial<{
  usersListAllowed: boolean;
  /** "Session creation without an existing user entity": an unknown login + password creates that user. */
  sessionCreatesUser: boolean;
  /** Firebase projects whose ID tokens may log in; empty refuses Firebase login. */
  firebaseProjectIds: string[];
  /** The Facebook app whose tokens may log in; null refuses Facebook login. */
  facebookApp: { id: string; secret: string } | null;
  cidp: { url: string; requestParams: Record<string, string>; responseParams: Record<string, string> } | null;
}>;

export function applicationsRepository(db: Db) {
  return {
    findById(id: number): Promise<ApplicationRow | undefined> {
      return db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
    },

    findByAuthKey(authKey: string): Promise<ApplicationRow | undefined> {
      return db.selectFrom('applications').selectAll().where('auth_key', '=', authKey).executeTakeFirst();
    },

    /**
     * On first start with an empty store one application is created, with credentials from
     * the environment when given; later starts reuse whatever exists.
     */
    async ensureSeeded(seed: SeedApplication = {}): Promise<{ application: ApplicationRow; created: boolean }> {
      const existing = seed.id
        ? await this.findById(seed.id)
        : await db.selectFrom('applications').selectAll().orderBy('id').limit(1).executeTakeFirst();
      if (existing) return { application: existing, created: false };
      const application = await db
        .insertInto('applications')
        .values({
          ...(seed.id !== undefined && { id: seed.id }),
          auth_key: seed.authKey ?? randomBytes(12).toString('base64url'),
          auth_secret: seed.authSecret ?? randomBytes(12).toString('base64url'),
          cidp_url: null,
          cidp_request_params: null,
          cidp_response_params: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (seed.id !== undefined) {
        // An explicit id bypassed the sequence; move it past the id so later inserts don't collide.
        await sql`SELECT setval(pg_get_serial_sequence('applications', 'id'), (SELECT max(id) FROM applications))`.execute(
          db,
        );
      }
      return { application, created: true };
    },

    async updateSettings(id: number, settings: ApplicationSettings): Promise<ApplicationRow> {
      return db
        .updateTable('applications')
        .set({
          ...(settings.usersListAllowed !== undefined && { users_list_allowed: settings.usersListAllowed }),
          ...(settings.sessionCreatesUser !== undefined && { session_creates_user: settings.sessionCreatesUser }),
          ...(settings.firebaseProjectIds !== undefined && { firebase_project_ids: settings.firebaseProjectIds }),
          ...(settings.facebookApp !== undefined && {
            facebook_app_id: settings.facebookApp?.id ?? null,
            facebook_app_secret: settings.facebookApp?.secret ?? null,
          }),
          ...(settings.cidp !== undefined && {
            cidp_url: settings.cidp?.url ?? null,
            cidp_request_params: settings.cidp ? JSON.stringify(settings.cidp.requestParams) : null,
            cidp_response_params: settings.cidp ? JSON.stringify(settings.cidp.responseParams) : null,
          }),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
  };
}

export type ApplicationsRepository = ReturnType<typeof applicationsRepository>;
