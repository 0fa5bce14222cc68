import { randomBytes } from 'node:crypto';

/** Blob uids: 32 lowercase hex characters, unguessable, and safe as file names. */
const UID_PATTERN = /^[0-9a-f]{32}$/;

export function newBlobUid(): string {
  return randomBytes(16).toString('hex');
}

export function isBlobUid(value: string): boolean {
  return UID_PATTERN.test(value);
}
