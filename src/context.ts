import { initContextCache } from '@pothos/core';
import type { Logger } from 'pino';
import { createUserLoaders } from './loaders/users.ts';
import type { AppSession } from './upstream/app-session.ts';
import type { UpstreamClient } from './upstream/client.ts';
import { getSession } from './upstream/sessions.ts';
import type { AppCredentials, SessionRecord, UpstreamBlob } from './upstream/types.ts';

/** What the whole process shares: built once in `app.ts`, never per request. */
export interface GatewayDeps {
  client: UpstreamClient;
  app: AppCredentials;
  appSession: AppSession;
  logger: Logger;
  /** How `File.url` is made; the files feature replaces the default with signed URLs. */
  fileUrl(blob: UpstreamBlob): string;
}

/**
 * One per request (and per subscription): the caller's token and everything cached for it.
 * Nothing here outlives the request, so two requests never share a token or a loaded record.
 */
export interface Context {
  readonly deps: GatewayDeps;
  /** The caller's upstream session token, or null. */
  readonly token: string | null;
  /** The caller's session (GET /session once per request); null without a token. */
  currentSession(): Promise<SessionRecord | null>;
  /** Remembers a session the request itself created or changed. */
  setCurrentSession(session: SessionRecord): void;
  /** Per-request user loader for a lookup other than id (that one is the User node's). */
  userLoader: ReturnType<typeof createUserLoaders>;
}

export function createContext(deps: GatewayDeps, token: string | null): Context {
  let session: Promise<SessionRecord | null> | undefined;
  let userLoader: ReturnType<typeof createUserLoaders> | undefined;
  return {
    ...initContextCache(),
    deps,
    token,
    currentSession() {
      session ??= token ? getSession(deps.client, token) : Promise.resolve(null);
      return session;
    },
    setCurrentSession(record) {
      session = Promise.resolve(record);
    },
    userLoader(lookup) {
      userLoader ??= createUserLoaders(deps.client, requireToken(token));
      return userLoader(lookup);
    },
  };
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
