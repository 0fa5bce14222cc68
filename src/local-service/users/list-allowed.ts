import { forbidden } from '../http/errors.ts';
import type { ApplicationRow } from '../store/schema.ts';

/** The application setting `users_list_allowed` switches every users list (v2 and v1) off. */
export function assertUsersListAllowed(application: Pick<ApplicationRow, 'users_list_allowed'>): void {
  if (!application.users_list_allowed) throw forbidden('Users list is not allowed for this application');
}
