import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceDeps } from '../service-deps.ts';
import type { ApplicationRow, SessionRow, UserRow } from '../store/schema.ts';
import type { Along, Authenticated, Caller } from '../store/sessions.ts';
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
    /**
     * The handler authenticates the request itself, folding it into its own statement
     * (`authenticateInHandler`); the hook leaves it alone.
     */
    authInHandler?: boolean;
    /** Blob streaming accepts `?token=` so that a plain <img src> can carry it. */
    tokenInQuery?: boolean;
  }
  interface FastifyRequest {
    /** Set by the hook; null on routes that authenticate in their handler (`authInHandler`). */
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

/** The request's token; undefined only where the route's requirement lets it be absent. */
function requiredToken(request: FastifyRequest, requirement: AuthRequirement): string | undefined {
  const token = tokenFrom(request);
  if (!token && requirement !== 'optional') throw unauthorized(TOKEN_REQUIRED);
  return token;
}

/**
 * What every route answers for a token: 401 without a live session, the session's expiry in
 * `CB-Token-ExpirationDate`, 403 where the route needs a user and the session has none.
 */
function admitted<F extends { session: { expires_at: Date; user_id: number | null } }>(
  reply: FastifyReply,
  found: F | undefined,
  requirement: AuthRequirement,
): F {
  if (!found) throw unauthorized(SESSION_DOES_NOT_EXIST);
  reply.header('CB-Token-ExpirationDate', expirationHeader(found.session.expires_at));
  if (requirement === 'user' && found.session.user_id === null) throw forbidden();
  return found;
}

/** What the request found for its token, checked against the route's requirement and kept on it. */
function admit(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  found: Authenticated | undefined,
  requirement: AuthRequirement,
): Auth {
  if (found) request.auth = { token, ...found };
  admitted(reply, found, requirement);
  return request.auth as Auth;
}

export function registerAuthentication(app: FastifyInstance, deps: ServiceDeps): void {
  app.decorateRequest('auth', null);
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const requirement = request.routeOptions.config.auth ?? 'session';
    const token = requiredToken(request, requirement);
    if (!token) return;
    // One statement: read the session, its application and its user (the slide and the stamp
    // are written once a second).
    admit(request, reply, token, await deps.sessions.authenticate(token), requirement);
  };
  // A hook on the routes that need it, not on every request: routes that take no token, or
  // authenticate in their handler (the users lookup), and 404s, run no hook at all.
  app.addHook('onRoute', (route) => {
    const { auth = 'session', authInHandler } = route.config ?? {};
    if (auth === 'none' || authInHandler) return;
    const own = route.preHandler === undefined ? [] : [route.preHandler].flat();
    // A new array: fastify's HEAD twin of a GET route keeps the options as they were given.
    route.preHandler = [authenticate, ...own];
  });
}

/**
 * For handlers behind `authInHandler` (with `auth: 'session'` or `'user'`): authenticates
 * as the hook would have, answering the same errors and header, with `along`, a read over the
 * session's application, folded into the same statement. What it finds is the `Caller`, not
 * the whole rows, and `request.auth` stays null. `along` is undefined when it must be read
 * again (see `SessionsRepository.authenticateAlong`), or when there was none.
 */
export async function authenticateInHandler<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ServiceDeps,
  along?: Along<T>,
): Promise<Caller<T>> {
  const requirement = request.routeOptions.config.auth ?? 'session';
  const token = requiredToken(request, requirement);
  if (!token) throw unauthorized(TOKEN_REQUIRED);
  return admitted(reply, await deps.sessions.authenticateAlong(token, along), requirement);
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
