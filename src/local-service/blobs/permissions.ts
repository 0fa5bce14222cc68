import type { Auth } from '../http/authenticate.ts';
import { forbidden, notFound, TOKEN_REQUIRED, unauthorized } from '../http/errors.ts';
import type { BlobRow } from '../store/schema.ts';

/**
 * Who may read a blob: anyone when it is public; only its owner when it is private. The
 * real service behaves so for private blobs read with a token: other users of the same
 * application, and application sessions, are refused.
 */
export function assertReadable(blob: BlobRow, auth: Auth | null): void {
  if (auth && auth.application.id !== blob.application_id) throw notFound();
  if (blob.public) return;
  if (!auth) throw unauthorized(TOKEN_REQUIRED);
  if (auth.user?.id !== blob.user_id) throw forbidden('Forbidden. This blob belongs to another user.');
}

/** Writes (rename, complete, delete) are the owner's alone. */
export function assertOwned(blob: BlobRow | undefined, userId: number): BlobRow {
  if (!blob) throw notFound();
  if (blob.user_id !== userId) throw forbidden('Forbidden. This blob belongs to another user.');
  return blob;
}
