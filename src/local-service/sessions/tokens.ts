import { hash, randomBytes } from 'node:crypto';

/** 40 hex characters, the shape of ConnectyCube's tokens. */
export function newSessionToken(): string {
  return randomBytes(20).toString('hex');
}

/** Tokens are stored only as their SHA-256: the store never holds a usable token. */
export function hashToken(token: string): string {
  // The one-shot form: no Hash object per request.
  return hash('sha256', token, 'hex');
}
