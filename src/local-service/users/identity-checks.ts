import type { ErrorFields } from '../http/errors.ts';
import type { UsersRepository } from '../store/users.ts';
import { UNIQUE_IDENTITIES, type UniqueIdentity } from '../store/users.ts';
import { addFieldError, type ProfileChanges } from './profile-input.ts';

const TAKEN = 'has already been taken';

/** Adds "has already been taken" for each unique identity another user holds. */
export async function addTakenIdentityErrors(
  users: UsersRepository,
  applicationId: number,
  changes: ProfileChanges,
  errors: ErrorFields,
  exceptUserId?: number,
): Promise<void> {
  // A field that is already invalid is not looked up: one message per problem.
  const candidate = Object.fromEntries(UNIQUE_IDENTITIES.filter((field) => !errors[field]).map((f) => [f, changes[f]]));
  for (const field of await users.takenIdentities(applicationId, candidate, exceptUserId)) {
    addFieldError(errors, field, TAKEN);
  }
}

/**
 * A concurrent write can win the race between the check above and the insert; the unique
 * index then refuses it, and this names the field the same way (`users_login_unique`).
 */
export function takenIdentityFromError(error: unknown): ErrorFields | undefined {
  const { code, constraint } = (error ?? {}) as { code?: string; constraint?: string };
  if (code !== '23505' || !constraint) return undefined;
  const field = /^users_(.+)_unique$/.exec(constraint)?.[1];
  return field && (UNIQUE_IDENTITIES as readonly string[]).includes(field)
    ? { [field as UniqueIdentity]: [TAKEN] }
    : undefined;
}
