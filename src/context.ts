import { initContextCache } from '@pothos/core';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { FilesDeps } from './files/files-deps.ts';
import { createUserLoaders } from './loaders/users.ts';
import type { GatewayMetrics } from './observability/metrics.ts';
import type { AttemptLimits } from './security/attempt-limits.ts';
import type { PersonalField } from './security/personal-fields.ts';
import { type ClientAddressOf, UNKNOWN_CLIENT_ADDRESS } from './server/client-address.ts';
import type { SessionCookie } from './server/session-cookie.ts';
import type { SessionCookieIntent } from './server/use-session-cookie.ts';
import type { SessionTracker } from './sessions/session-tracker.ts';
import type { AppSession } from './upstream/app-session.ts';
import type { UpstreamClient } from './upstream/client.ts';
import { getSession } from './upstream/sessions.ts';
import type { AppCredentials, SessionRecord } from './upstream/types.ts';

/** What the whole process shares: built once in `app.ts`, never per request. */
export interface GatewayDeps {
  client: UpstreamClient;
  app: AppCredentials;
  appSession: AppSession;
  logger: Logger;
  /** Uploads, limits and signed file URLs (issue 5). */
  files: FilesDeps;
  /** Session expiry events (issue 4): fed by upstream responses and session changes. */
  sessions: SessionTracker;
  /** The client address of an HTTP or WebSocket upgrade request (TRUSTED_PROXIES aware). */
  clientAddressOf: ClientAddressOf;
  /** Account security (issue 8): attempt limits and which personal fields are public. */
  security: SecurityDeps;
  /** Prometheus metrics of this app instance (issue 11). */
  metrics: GatewayMetrics;
  /** Browser cookie sessions (`SESSION_COOKIE=1`); undefined when off. */
  sessionCookie?: SessionCookie | undefined;
}

export interface SecurityDeps {
  limits: AttemptLimits;
  publicUserFields: ReadonlySet<PersonalField>;
}

/**
 * One per request (and per subscription): the caller's token and everything cached for it.
 * Nothing here outlives the request, so two requests never share a token or a loaded record.
 */
export interface Context {
  readonly deps: GatewayDeps;
  /** The caller's upstream session token, or null. */
  readonly token: string | null;
  /** The caller's address (socket peer, or X-Forwarded-For from a trusted proxy). */
  readonly clientAddress: string;
  /** The caller's session (GET /session once per request); null without a token. */
  currentSession(): Promise<SessionRecord | null>;
  /** Remembers a session the request itself created or changed. */
  setCurrentSession(session: SessionRecord): void;
  /** Tells the session tracker about a whole session record (expiry and identity). */
  trackSession(session: SessionRecord): SessionRecord;
  /** Per-request user loader for a lookup other than id (that one is the User node's). */
  userLoader: ReturnType<typeof createUserLoaders>;
  /** Cookie mode, HTTP only: sets or clears the caller's session cookie with the response. */
  sessionCookie?: SessionCookieIntent;
}

/** How many client addresses keep their view of the dependencies (see `depsFor`). */
const RECENT_CLIENT_ADDRESSES = 1_000;
const viewsOf = new WeakMap<GatewayDeps, LRUCache<string, GatewayDeps>>();

/**
 * The dependencies as one client address sees them: every upstream call made for the caller
 * names the caller (`X-Forwarded-For`). The views of recent addresses are kept, so that the
 * requests and open subscriptions of one address share one (nothing in it is per request).
 */
function depsFor(sharedDeps: GatewayDeps, clientAddress: string): GatewayDeps {
  if (clientAddress === UNKNOWN_CLIENT_ADDRESS) return sharedDeps;
  let views = viewsOf.get(sharedDeps);
  if (!views) {
    views = new LRUCache({ max: RECENT_CLIENT_ADDRESSES });
    viewsOf.set(sharedDeps, views);
  }
  let deps = views.get(clientAddress);
  if (!deps) {
    deps = { ...sharedDeps, client: sharedDeps.client.forClient(clientAddress) };
    views.set(clientAddress, deps);
  }
  return deps;
}

/**
 * What a context loads lazily, kept on the context itself: the methods are shared functions
 * running on it (yoga copies the context's own properties into its own and calls them on
 * that), not closures built per request and per subscription.
 */
const SESSION = Symbol('session');
const USER_LOADER = Symbol('userLoader');

interface ContextState extends Context {
  [SESSION]: Promise<SessionRecord | null> | undefined;
  [USER_LOADER]: ReturnType<typeof createUserLoaders> | undefined;
}

export function createContext(sharedDeps: GatewayDeps, token: string | null, clientAddress: string): Context {
  const context: ContextState = {
    ...initContextCache(),
    deps: depsFor(sharedDeps, clientAddress),
    token,
    clientAddress,
    [SESSION]: undefined,
    [USER_LOADER]: undefined,
    currentSession,
    setCurrentSession,
    trackSession: trackOwnSession,
    userLoader,
  };
  return context;
}

function currentSession(this: ContextState): Promise<SessionRecord | null> {
  const { deps, token } = this;
  this[SESSION] ??= token
    ? getSession(deps.client, token).then((record) => trackSession(deps, record))
    : Promise.resolve(null);
  return this[SESSION];
}

function setCurrentSession(this: ContextState, record: SessionRecord): void {
  this[SESSION] = Promise.resolve(trackSession(this.deps, record));
}

function trackOwnSession(this: ContextState, record: SessionRecord): SessionRecord {
  return trackSession(this.deps, record);
}

function userLoader(this: ContextState, lookup: Parameters<Context['userLoader']>[0]) {
  const deps = this.deps;
  this[USER_LOADER] ??= createUserLoaders(deps.client, requireToken(this.token), (lookup, size) =>
    deps.metrics.loaderBatch(`User.${lookup}`, size),
  );
  return this[USER_LOADER](lookup);
}

/**
 * `CB-Token-ExpirationDate` has whole seconds and the upstream truncates, so the real expiry
 * lies in [T, T+1s): announcing T itself would report EXPIRED before the upstream expires it.
 */
export const EXPIRATION_HEADER_RESOLUTION_MS = 999;

export function withHeaderResolution(expiresAt: Date): Date {
  return new Date(expiresAt.getTime() + EXPIRATION_HEADER_RESOLUTION_MS);
}

/** Observes a session record with its identity; a tracker failure never fails the request. */
export function trackSession(deps: GatewayDeps, record: SessionRecord): SessionRecord {
  if (record.expiresAt) {
    const identity = { userId: record.user_id ?? undefined, sessionId: record.id };
    void deps.sessions
      .observe(record.token, withHeaderResolution(record.expiresAt), identity)
      .catch((err: unknown) => deps.logger.warn({ err }, 'session tracker'));
  }
  return record;
}

function requireToken(token: string | null): string {
  // Scope checks keep token-less callers away from loaders; this is the backstop.
  if (!token) throw new Error('A loader was used without a caller token');
  return token;
}

/** The token of an `Authorization: Bearer <token>` value; null when absent or blank. */
function bearer(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return /^Bearer\s+(.*)$/i.exec(value.trim())?.[1]?.trim() || null;
}

/** `Authorization: Bearer <token>`, else `CB-Token: <token>`; blank means none. */
export function tokenFromHeaders(headers: Headers): string | null {
  return bearer(headers.get('authorization')) ?? (headers.get('cb-token')?.trim() || null);
}

/** graphql-ws `connectionParams`: `authorization: "Bearer <token>"` or `token`. */
export function tokenFromConnectionParams(params: Readonly<Record<string, unknown>> | undefined): string | null {
  if (!params) return null;
  const token = typeof params.token === 'string' ? params.token.trim() : '';
  return bearer(params.authorization ?? params.Authorization) ?? (token || null);
}

/**
 * A request's or subscribe message's own token: `extensions.authorization` ("Bearer <token>").
 * It wins over the headers and the connection's `connectionParams`, so that an operation
 * never runs with a token another operation (or an earlier login) left on the connection.
 */
export function tokenFromExtensions(extensions: unknown): string | null {
  if (!extensions || typeof extensions !== 'object') return null;
  return bearer((extensions as Record<string, unknown>).authorization);
}
