import type { Auth } from '../http/authenticate.ts';
import { forbidden, notFound, TOKEN_REQUIRED, unauthorized } from '../http/errors.ts';
import type { BlobRow } from '../store/schema.ts';

/**
 * Who may read a blob: anyone when it is public; any session of the blob's application
 * (another user's, or an application session) when it is private. Private means "needs a
 * token of this application", not "owner only": ConnectyCube's seed guides upload an
 * avatar with `public: false` and show other users displaying it with their own token
 * (`storage.privateUrl(uid)`), which is what the real service serves.
 */
export function assertReadable(blob: BlobRow, auth: Auth | null): void {
  if (auth && auth.application.id !== blob.application_id) throw notFound();
  if (blob.public) return;
  if (!auth) throw unauthorized(TOKEN_REQUIRED);
}

/** Writes (rename, complete, delete) are the owner's alone. */
export function assertOwned(blob: BlobRow | undefined, userId: number): BlobRow {
  if (!blob) throw notFound();
  if (blob.user_id !== userId) throw forbidden('Forbidden. This blob belongs to another user.');
  return blob;
}
