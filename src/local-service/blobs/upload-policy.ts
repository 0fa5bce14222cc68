import { hmac, hmacMatches } from './hmac.ts';

/** Where upload forms are posted; not a uid (uids are hex), so it cannot shadow a blob. */
export const BLOB_UPLOAD_PATH = '/blobs/upload';

/**
 * The upload URL imitates an S3 presigned POST, because that is what the SDKs expect: its
 * query string holds the form fields the client must send back with the file. `policy` is
 * base64 JSON naming the expiry, the exact value of every other field and the size limit;
 * `signature` is an HMAC of `policy` under the service's key. Changing any field breaks
 * either the signature or the match against the policy.
 */
export interface UploadGrant {
  uid: string;
  contentType: string;
  public: boolean;
  expiresAt: Date;
  maxBytes: number;
}

interface Policy {
  expiration: string;
  conditions: Array<Record<string, string> | ['content-length-range', number, number]>;
}

export type UploadCheck =
  | { ok: true; uid: string; contentType: string; maxBytes: number }
  | { ok: false; reason: string };

const SIGNED_FIELDS = ['policy', 'signature'];

/** The form fields, in the order the client should send them (S3 ignores fields after the file). */
export function uploadFormFields(grant: UploadGrant, key: Buffer): Record<string, string> {
  const fields: Record<string, string> = {
    'Content-Type': grant.contentType,
    Expires: grant.expiresAt.toUTCString(),
    acl: grant.public ? 'public-read' : 'private',
    key: grant.uid,
    success_action_status: '201',
  };
  const policy: Policy = {
    expiration: grant.expiresAt.toISOString(),
    conditions: [
      ...Object.entries(fields).map(([name, value]) => ({ [name]: value })),
      ['content-length-range', 0, grant.maxBytes],
    ],
  };
  const encoded = Buffer.from(JSON.stringify(policy)).toString('base64');
  return { ...fields, policy: encoded, signature: hmac(key, encoded) };
}

/**
 * `%20` rather than `+` for spaces: the SDKs split the query by hand and run
 * decodeURIComponent on each value, which leaves a `+` as it is.
 */
export function uploadUrl(endpoint: string, fields: Record<string, string>): string {
  const query = Object.entries(fields)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
  return `${endpoint}?${query}`;
}

export function verifyUploadForm(fields: Record<string, string>, key: Buffer, now: Date): UploadCheck {
  const { policy: encoded, signature } = fields;
  if (!encoded || !signature) return { ok: false, reason: 'Upload form is not signed' };
  if (!hmacMatches(key, encoded, signature)) return { ok: false, reason: 'Upload form signature does not match' };
  const policy = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Policy;
  if (!(Date.parse(policy.expiration) > now.getTime())) return { ok: false, reason: 'Upload URL has expired' };

  const expected: Record<string, string> = {};
  let maxBytes = 0;
  for (const condition of policy.conditions) {
    if (Array.isArray(condition)) maxBytes = condition[2];
    else Object.assign(expected, condition);
  }
  for (const [name, value] of Object.entries(expected)) {
    if (fields[name] !== value) return { ok: false, reason: `Upload form field ${name} does not match the policy` };
  }
  // As S3 does: a field the policy does not name is refused rather than ignored.
  const extra = Object.keys(fields).find((name) => !(name in expected) && !SIGNED_FIELDS.includes(name));
  if (extra !== undefined) return { ok: false, reason: `Upload form field ${extra} is not allowed by the policy` };
  return { ok: true, uid: expected.key ?? '', contentType: expected['Content-Type'] ?? '', maxBytes };
}
