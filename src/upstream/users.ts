import type { Query, UpstreamClient } from './client.ts';
import type { UpstreamUser, UsersPage } from './types.ts';

/** `/users`: search, sign-up, profile, deletion and password reset. */

/** Largest page `/users/v2` serves, and so the largest batch a loader sends. */
export const USERS_PAGE_MAX = 100;

/** GET /users/v2 with the query grammar of the upstream (filters, sort, offset/limit). */
export async function searchUsers(client: UpstreamClient, token: string, query: Query): Promise<UsersPage> {
  const res = await client.request<UsersPage>({ method: 'GET', path: '/users/v2', token, query });
  return res.body;
}

/** The writable profile fields, as the upstream names them. */
export interface UserParams {
  login?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
  old_password?: string | undefined;
  full_name?: string | null | undefined;
  phone?: string | null | undefined;
  website?: string | null | undefined;
  tag_list?: string[] | undefined;
  custom_data?: string | null | undefined;
  /** A blob uid; null removes the avatar. */
  avatar?: string | null | undefined;
  timezone?: number | null | undefined;
}

/** POST /users with the application's auth key: sign-up. */
export async function signUp(client: UpstreamClient, authKey: string, user: UserParams): Promise<UpstreamUser> {
  const res = await client.request<{ user: UpstreamUser }>({
    method: 'POST',
    path: '/users',
    authKey,
    json: { user },
  });
  return res.body.user;
}

/** PUT /users/{id}: the caller's own profile. */
export async function updateUser(
  client: UpstreamClient,
  token: string,
  id: number,
  user: UserParams,
): Promise<UpstreamUser> {
  const res = await client.request<{ user: UpstreamUser }>({
    method: 'PUT',
    path: `/users/${id}`,
    token,
    json: { user },
    context: { resource: 'User' },
  });
  return res.body.user;
}

/** DELETE /users/{id}: the caller's own account; its sessions die with it. */
export async function deleteUser(client: UpstreamClient, token: string, id: number): Promise<void> {
  await client.request({ method: 'DELETE', path: `/users/${id}`, token, context: { resource: 'User' } });
}

/** POST /users/password/reset: the same answer whether or not the email is known. */
export async function requestPasswordReset(client: UpstreamClient, token: string, email: string): Promise<void> {
  await client.request({ method: 'POST', path: '/users/password/reset', token, json: { email } });
}
