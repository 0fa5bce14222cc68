import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceDeps } from '../service-deps.ts';
import type { ApplicationRow, SessionRow, UserRow } from '../store/schema.ts';
import { expirationHeader } from '../time-format.ts';
import { forbidden, SESSION_DOES_NOT_EXIST, TOKEN_REQUIRED, unauthorized } from './errors.ts';

/**
 * What a route needs from the caller:
 * - `none`: nothing; a token, if sent, is ignored (session creation, upload form posts);
 * - `optional`: a token is used when present and must then be valid;
 * - `session`: any live session (application sessions read);
 * - `user`: a session bound to a user (writes).
 */
export type AuthRequirement = 'none' | 'optional' | 'session' | 'user';

export interface Auth {
  token: string;
  session: SessionRow;
  application: ApplicationRow;
  user: UserRow | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRequirement;
    /** Blob streaming accepts `?token=` so that a plain <img src> can carry it. */
    tokenInQuery?: boolean;
  }
  interface FastifyRequest {
    auth: Auth | null;
  }
}

function tokenFrom(request: FastifyRequest): string | undefined {
  const header = request.headers['cb-token'];
  if (typeof header === 'string' && header) return header;
  if (request.routeOptions.config.tokenInQuery) {
    const token = (request.query as Record<string, unknown> | undefined)?.token;
    if (typeof token === 'string' && token) return token;
  }
  return undefined;
}

export function registerAuthentication(app: FastifyInstance, deps: ServiceDeps): void {
  app.decorateRequest('auth', null);
  app.addHook('preHandler', async (request, reply) => {
    const requirement = request.routeOptions.config.auth ?? 'session';
    if (requirement === 'none' || request.is404) return;
    const token = tokenFrom(request);
    if (!token) {
      if (requirement === 'optional') return;
      throw unauthorized(TOKEN_REQUIRED);
    }
    // One statement: slide the session, read its application, stamp the user's last request.
    const found = await deps.sessions.authenticate(token);
    if (!found) throw unauthorized(SESSION_DOES_NOT_EXIST);
    const { session, application, user } = found;
    request.auth = { token, session, application, user };
    reply.header('CB-Token-ExpirationDate', expirationHeader(session.expires_at));
    if (requirement === 'user' && !user) throw forbidden();
  });
}

/** For handlers behind `auth: 'user'`: the hook already guaranteed both. */
export function currentUser(request: FastifyRequest): { auth: Auth; user: UserRow } {
  const auth = request.auth;
  if (!auth?.user) throw forbidden();
  return { auth, user: auth.user };
}

/** For handlers behind `auth: 'session'` or `'user'`. */
export function currentAuth(request: FastifyRequest): Auth {
  if (!request.auth) throw unauthorized(TOKEN_REQUIRED);
  return request.auth;
}
