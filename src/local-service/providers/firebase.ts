import type { createRemoteJWKSet, JWTPayload } from 'jose';
import { ProviderVerificationError } from './errors.ts';
import { providerTimeoutMs } from './http.ts';

export interface FirebaseIdentity {
  /** The project the token was issued by; with `uid`, the identity. */
  project: string;
  uid: string;
  phone?: string;
  email?: string;
}

export interface FirebaseOptions {
  /** The Firebase project the client names; the token must be issued for it (`aud`, `iss`). */
  projectId: string;
  /**
   * The application's projects. Every project's tokens are signed by the same Google keys,
   * so without this list a token from anyone's own project would log in as any uid.
   */
  allowedProjectIds: readonly string[];
  kind: 'phone' | 'email';
  /** Google's securetoken JWKS in production. */
  jwksUrl: string;
}

// Small allowance for clock skew between us and Google.
const clockToleranceSeconds = 5;

// jose is loaded with the first Firebase login: most starts never see one.
const loadJose = () => import('jose');

// jose caches keys per set and refetches on an unknown kid; one set per URL keeps that cache.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

async function keySetFor(jwksUrl: string): Promise<ReturnType<typeof createRemoteJWKSet>> {
  let keySet = keySets.get(jwksUrl);
  if (!keySet) {
    let url: URL;
    try {
      url = new URL(jwksUrl);
    } catch (error) {
      throw new ProviderVerificationError('Firebase login is misconfigured', 'misconfigured', {
        cause: error,
      });
    }
    keySet = (await loadJose()).createRemoteJWKSet(url, { timeoutDuration: providerTimeoutMs });
    keySets.set(jwksUrl, keySet);
  }
  return keySet;
}

// jose codes meaning the token itself is bad; any other failure is fetching the keys.
const tokenFaults = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
]);

/**
 * Verifies a Firebase Auth ID token as Firebase documents it: RS256 signed by a key in
 * the JWKS, issuer and audience of the project, exp in the future, iat and auth_time in
 * the past, non-empty sub (the uid), plus the claim the login kind needs.
 */
export async function verifyFirebaseIdToken(idToken: string, options: FirebaseOptions): Promise<FirebaseIdentity> {
  const { projectId, kind } = options;
  if (projectId === '') throw new ProviderVerificationError('Firebase project id is missing');
  if (options.allowedProjectIds.length === 0) {
    throw new ProviderVerificationError('Firebase login is not configured for this application', 'misconfigured');
  }
  if (!options.allowedProjectIds.includes(projectId)) {
    throw new ProviderVerificationError('Firebase project is not allowed for this application');
  }
  if (idToken === '') throw new ProviderVerificationError('Firebase ID token is missing');
  const keySet = await keySetFor(options.jwksUrl);
  const { jwtVerify } = await loadJose();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, keySet, {
      algorithms: ['RS256'],
      issuer: `https://securetoken.google.com/${projectId}`,
      audience: projectId,
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: clockToleranceSeconds,
    }));
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_JWT_EXPIRED') {
      throw new ProviderVerificationError('Firebase ID token has expired', 'rejected', {
        cause: error,
      });
    }
    if (typeof code === 'string' && tokenFaults.has(code)) {
      throw new ProviderVerificationError('Firebase ID token is not valid', 'rejected', {
        cause: error,
      });
    }
    throw new ProviderVerificationError('Firebase keys could not be fetched', 'unavailable', {
      cause: error,
    });
  }
  // jose checks iat only together with maxTokenAge, so the "in the past" rules are ours.
  const latest = Math.floor(Date.now() / 1000) + clockToleranceSeconds;
  const authTime = payload.auth_time;
  if ((payload.iat ?? 0) > latest || (authTime !== undefined && (typeof authTime !== 'number' || authTime > latest))) {
    throw new ProviderVerificationError('Firebase ID token is not valid');
  }
  const uid = payload.sub;
  if (typeof uid !== 'string' || uid === '' || uid.length > 128) {
    throw new ProviderVerificationError('Firebase ID token is not valid');
  }
  // A phone login must come from a phone sign-in, an email login from a password sign-in
  // with a verified address: otherwise anyone could claim an email they never received.
  const signInProvider = signInProviderOf(payload);
  if (kind === 'phone') {
    const phone = stringClaim(payload, 'phone_number');
    if (signInProvider !== 'phone')
      throw new ProviderVerificationError('Firebase ID token is not from a phone sign-in');
    if (!phone) throw new ProviderVerificationError('Firebase ID token has no phone number');
    return { project: projectId, uid, phone };
  }
  const email = stringClaim(payload, 'email');
  if (signInProvider !== 'password') {
    throw new ProviderVerificationError('Firebase ID token is not from an email and password sign-in');
  }
  if (!email) throw new ProviderVerificationError('Firebase ID token has no email');
  if (payload.email_verified !== true) throw new ProviderVerificationError('Firebase email is not verified');
  return { project: projectId, uid, email };
}

/** `firebase.sign_in_provider`: `phone`, `password`, `google.com`, `anonymous`, `custom`, … */
function signInProviderOf(payload: JWTPayload): string | undefined {
  const firebase = payload.firebase;
  if (typeof firebase !== 'object' || firebase === null) return undefined;
  const provider = (firebase as Record<string, unknown>).sign_in_provider;
  return typeof provider === 'string' ? provider : undefined;
}

function stringClaim(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
