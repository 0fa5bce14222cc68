import type { BlobRow } from '../store/schema.ts';
import { isoSeconds } from '../time-format.ts';

export interface BlobObjectAccess {
  /** The real service numbers its access grants; here a grant is not stored, so it takes the blob's id. */
  id: number;
  blob_id: number;
  expires: string | null;
  object_access_type: 'Write' | 'Read';
  params: string;
  download_url?: string;
  /** The storage page's example response spells the key so; sent alongside `download_url`. */
  dowload_url?: string;
}

export function serializeBlob(blob: BlobRow, access?: BlobObjectAccess) {
  return {
    id: blob.id,
    uid: blob.uid,
    content_type: blob.content_type,
    name: blob.name,
    size: blob.size,
    public: blob.public,
    created_at: isoSeconds(blob.created_at),
    updated_at: isoSeconds(blob.updated_at),
    blob_status: blob.blob_status,
    set_completed_at: isoSeconds(blob.set_completed_at),
    ...(access && { blob_object_access: access }),
  };
}

export function objectAccess(
  blob: BlobRow,
  type: BlobObjectAccess['object_access_type'],
  url: string,
  expiresAt: Date | null,
): BlobObjectAccess {
  return {
    id: blob.id,
    blob_id: blob.id,
    expires: isoSeconds(expiresAt),
    object_access_type: type,
    params: url,
    // `download_url` is what the SDKs read (the JS SDK's types); the docs' example response
    // of `/object?download_url=1` spells it `dowload_url`. Both are sent so either works.
    ...(type === 'Read' && { download_url: url, dowload_url: url }),
  };
}
