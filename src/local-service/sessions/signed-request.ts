import { signatureMatches } from '../../protocol/session-signature.ts';
import { unprocessable } from '../http/errors.ts';
import { type Params, stringParam } from '../http/request-params.ts';
import type { ServiceDeps } from '../service-deps.ts';
import type { ApplicationRow } from '../store/schema.ts';

/**
 * How far a signed request's timestamp may be from the service's clock: 10 minutes either
 * way. Decided by ConnectyCube's iOS SDK (connectycube-ios-sdk-releases,
 * CYBSessionDetails.h: the timestamp "shouldn't be differ from time provided by NTP more
 * than 10 minutes"); the REST docs' auth page says nothing of it.
 */
export const SIGNATURE_CLOCK_SKEW_SECONDS = 600;

/**
 * The nonce is an unsigned 32-bit number: the Flutter SDK draws it with
 * `Random.secure().nextInt(1 << 32)`, the JS SDK's older releases below 2^31. The session
 * echoes it back exactly.
 */
export const MAX_NONCE = 2 ** 32;

/** A `nonce` parameter that can be echoed back: a whole number from 0 to 2^32; otherwise undefined. */
export function nonceParam(params: Params): number | undefined {
  const raw = stringParam(params, 'nonce')?.trim();
  if (raw === undefined || !/^\d{1,10}$/.test(raw)) return undefined;
  const nonce = Number(raw);
  return nonce <= MAX_NONCE ? nonce : undefined;
}

/**
 * A signed `POST /session` (`signature` present): the timestamp must be within the window,
 * the HMAC must verify, and the nonce+timestamp pair must not have been used before (the
 * iOS SDK's header: "Requests with the same timestamp and same value for nonce parameter
 * can not be send twice"). Pairs are kept in the store until they leave the window, so the
 * refusal holds across instances sharing a PostgreSQL database. Unsigned requests are
 * identified by `auth_key` alone, as upstream-api.md describes.
 */
export async function verifySignedRequest(
  deps: ServiceDeps,
  application: ApplicationRow,
  params: Params,
  signature: string,
): Promise<void> {
  const rawTimestamp = stringParam(params, 'timestamp')?.trim() ?? '';
  const timestamp = /^\d{1,12}$/.test(rawTimestamp) ? Number(rawTimestamp) : Number.NaN;
  if (!Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > SIGNATURE_CLOCK_SKEW_SECONDS) {
    throw unprocessable({ timestamp: ['is too far from the current time'] });
  }
  const nonce = nonceParam(params);
  if (nonce === undefined) throw unprocessable({ nonce: [`must be a whole number from 0 to ${MAX_NONCE}`] });
  if (!signatureMatches(params, application.auth_secret, signature)) {
    throw unprocessable({ signature: ['is invalid'] });
  }
  const expiresAt = new Date((timestamp + SIGNATURE_CLOCK_SKEW_SECONDS) * 1000);
  if (!(await deps.signatureNonces.claim(application.id, nonce, timestamp, expiresAt))) {
    throw unprocessable({ nonce: ['has already been used with this timestamp'] });
  }
}
