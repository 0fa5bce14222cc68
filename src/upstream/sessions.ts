import { signed } from '../protocol/session-signature.ts';
import type { UpstreamClient } from './client.ts';
import type { AppCredentials, SessionRecord, UpstreamSession, UpstreamUser } from './types.ts';

/** `/session` and `/login`: creating, reading and ending sessions. */

export type SessionCredentials =
  | { user: { login: string; password: string } | { email: string; password: string } }
  | { user: { guest: '1'; full_name: string } }
  | { provider: 'facebook' | 'twitter'; keys: { token: string; secret?: string | undefined } }
  | { provider: 'firebase_phone'; firebase_phone: { project_id: string; access_token: string } }
  | { provider: 'firebase_email'; firebase_email: { project_id: string; access_token: string } };

/** POST /session: an application session, or a user session with credentials. */
export async function createSession(
  client: UpstreamClient,
  app: AppCredentials,
  credentials?: SessionCredentials,
): Promise<SessionRecord> {
  const params: Record<string, unknown> = {
    application_id: app.applicationId,
    auth_key: app.authKey,
    ...credentials,
  };
  const res = await client.request<{ session: UpstreamSession }>({
    method: 'POST',
    path: '/session',
    json: app.authSecret ? signed(params, app.authSecret) : params,
    context: { credentials: true },
  });
  return { ...res.body.session, expiresAt: res.expiresAt };
}

/** GET /session: the session behind a token. */
export async function getSession(client: UpstreamClient, token: string): Promise<SessionRecord> {
  const res = await client.request<{ session: UpstreamSession }>({
    method: 'GET',
    path: '/session',
    token,
    context: { resource: 'Session' },
  });
  return { ...res.body.session, expiresAt: res.expiresAt };
}

/** DELETE /session (current) or DELETE /session/{id} (another of the user's). */
export async function destroySession(client: UpstreamClient, token: string, id?: number): Promise<void> {
  await client.request({
    method: 'DELETE',
    path: id === undefined ? '/session' : `/session/${id}`,
    token,
    context: { resource: 'Session' },
  });
}

/** DELETE /session/list: every session of the user except the current one. */
export async function destroyOtherSessions(client: UpstreamClient, token: string): Promise<void> {
  await client.request({ method: 'DELETE', path: '/session/list', token });
}

/** DELETE /login: unbinds the user; the token is an application session again. */
export async function downgradeSession(client: UpstreamClient, token: string): Promise<void> {
  await client.request({ method: 'DELETE', path: '/login', token });
}

/** POST /login: binds a user to the token's session (CIdP and password logins). */
export async function upgradeSession(
  client: UpstreamClient,
  token: string,
  credentials: Record<string, unknown>,
): Promise<UpstreamUser> {
  const res = await client.request<{ user: UpstreamUser }>({
    method: 'POST',
    path: '/login',
    token,
    json: credentials,
    context: { credentials: true },
  });
  return res.body.user;
}
