import { randomBytes } from 'node:crypto';
import { unauthorized, unprocessable } from '../http/errors.ts';
import { verifyCustomIdentity } from '../providers/custom-identity.ts';
import { ProviderVerificationError } from '../providers/errors.ts';
import { verifyFacebookToken } from '../providers/facebook.ts';
import { verifyFirebaseIdToken } from '../providers/firebase.ts';
import { verifyTwitterToken } from '../providers/twitter.ts';
import type { ServiceDeps } from '../service-deps.ts';
import type { ApplicationRow, NewUser, UserRow } from '../store/schema.ts';
import type { FirebaseIdentity, ProviderIdentity } from '../store/users.ts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../users/passwords.ts';
import { GUEST_LOGIN_PREFIX, parseProfile } from '../users/profile-input.ts';
import type { Credentials } from './credentials.ts';

export interface IdentifiedUser {
  user: UserRow | null;
  guest: boolean;
}

/** A provider's email for a new user; one another account already owns is left off rather than failing the login. */
async function unclaimedEmail(
  deps: ServiceDeps,
  application: ApplicationRow,
  email: string | null | undefined,
): Promise<string | null> {
  return email && !(await deps.users.findByLoginOrEmail(application.id, 'email', email)) ? email : null;
}

/** Finds the user a provider vouches for, creating it on first login. */
async function findOrCreate(
  deps: ServiceDeps,
  application: ApplicationRow,
  identity: ProviderIdentity,
  profile: Omit<NewUser, 'application_id'>,
): Promise<UserRow> {
  const existing = await deps.users.findByIdentity(application.id, identity);
  if (existing) return existing;
  const created = await deps.users.insertIfAbsent({
    ...profile,
    email: await unclaimedEmail(deps, application, profile.email),
    application_id: application.id,
    [identity.kind]: identity.value,
  });
  // A concurrent first login may have won the insert; either way the user now exists.
  return created ?? (await deps.users.findByIdentity(application.id, identity)) ?? Promise.reject(unauthorized());
}

/** The user of a Firebase (project, uid), created on first login; a legacy row is claimed for the project. */
async function findOrCreateFirebaseUser(
  deps: ServiceDeps,
  application: ApplicationRow,
  identity: FirebaseIdentity,
  profile: Pick<NewUser, 'phone' | 'email'>,
): Promise<UserRow> {
  const existing = await deps.users.findByFirebaseIdentity(application.id, identity);
  if (existing?.firebase_project === null)
    return deps.users.update(existing.id, { firebase_project: identity.project });
  if (existing) return existing;
  const created = await deps.users.insertIfAbsent({
    ...profile,
    email: await unclaimedEmail(deps, application, profile.email),
    application_id: application.id,
    firebase_project: identity.project,
    firebase_uid: identity.uid,
  });
  return (
    created ?? (await deps.users.findByFirebaseIdentity(application.id, identity)) ?? Promise.reject(unauthorized())
  );
}

async function passwordLogin(
  deps: ServiceDeps,
  application: ApplicationRow,
  credentials: Extract<Credentials, { kind: 'password' }>,
  address: string,
): Promise<UserRow> {
  await deps.loginAttempts.assertAllowed(credentials.value, address);
  const user = await deps.users.findByLoginOrEmail(application.id, credentials.field, credentials.value);
  if (!user && application.session_creates_user) return createOnTheFly(deps, application, credentials);
  // Guests and provider-created users have no password and can never log in by one. Without
  // a password to check, a dummy hash is: unknown logins take as long as known ones.
  const verified =
    user && !user.is_guest && user.password_hash
      ? await verifyPassword(credentials.password, user.password_hash)
      : await verifyAgainstDummy(credentials.password);
  if (!user || !verified) {
    await deps.loginAttempts.recordFailure(credentials.value, address);
    throw unauthorized();
  }
  await deps.loginAttempts.recordSuccess(credentials.value, address);
  return user;
}

/**
 * ConnectyCube's "Session creation without an existing user entity" (its default; Deny is
 * recommended and is this service's default): an unknown login or email with a password
 * creates that user, checked as sign-up checks it.
 */
async function createOnTheFly(
  deps: ServiceDeps,
  application: ApplicationRow,
  credentials: Extract<Credentials, { kind: 'password' }>,
): Promise<UserRow> {
  const { changes, password, errors } = parseProfile({
    [credentials.field]: credentials.value,
    password: credentials.password,
  });
  if (Object.keys(errors).length > 0 || password === undefined) throw unprocessable(errors);
  const created = await deps.users.insertIfAbsent({
    application_id: application.id,
    [credentials.field]: changes[credentials.field],
    password_hash: await hashPassword(password),
  });
  // A concurrent request created it first: its password is not known to match this one.
  if (!created) throw unauthorized();
  return created;
}

async function customIdentityLogin(
  deps: ServiceDeps,
  application: ApplicationRow,
  externalToken: string,
  address: string,
): Promise<UserRow> {
  await deps.loginAttempts.assertAllowed(externalToken, address);
  try {
    const { uid } = await verifyCustomIdentity(externalToken, {
      url: application.cidp_url ?? '',
      requestParams: application.cidp_request_params ?? {},
      responseParams: application.cidp_response_params ?? {},
    });
    return await findOrCreate(deps, application, { kind: 'external_id', value: uid }, {});
  } catch (error) {
    if (error instanceof ProviderVerificationError) await deps.loginAttempts.recordFailure(externalToken, address);
    throw error;
  }
}

export async function identifyUser(
  deps: ServiceDeps,
  application: ApplicationRow,
  credentials: Credentials,
  address: string,
): Promise<IdentifiedUser> {
  const { providers } = deps.options;
  try {
    switch (credentials.kind) {
      case 'none':
        return { user: null, guest: false };
      case 'guest': {
        // The auth page's example: `guest_login_` + 36 upper-case hex characters, `phone: ""`.
        const user = await deps.users.insert({
          application_id: application.id,
          login: `${GUEST_LOGIN_PREFIX}${randomBytes(18).toString('hex').toUpperCase()}`,
          full_name: credentials.fullName ?? null,
          phone: '',
          is_guest: true,
        });
        return { user, guest: true };
      }
      case 'password':
        // With a custom identity provider configured, `login` carries the provider's token.
        if (application.cidp_url && credentials.field === 'login') {
          return { user: await customIdentityLogin(deps, application, credentials.value, address), guest: false };
        }
        return { user: await passwordLogin(deps, application, credentials, address), guest: false };
      case 'facebook': {
        const { facebook_app_id: appId, facebook_app_secret: appSecret } = application;
        if (!appId || !appSecret) {
          throw unprocessable({ provider: ['facebook is not configured for this application'] });
        }
        const profile = await verifyFacebookToken(credentials.token, {
          graphUrl: providers.facebookGraphUrl,
          app: { id: appId, secret: appSecret },
        });
        const user = await findOrCreate(
          deps,
          application,
          { kind: 'facebook_id', value: profile.id },
          { full_name: profile.name ?? null, email: profile.email ?? null },
        );
        return { user, guest: false };
      }
      case 'twitter': {
        const { twitterConsumerKey, twitterConsumerSecret } = providers;
        if (!twitterConsumerKey || !twitterConsumerSecret) {
          throw unprocessable({ provider: ['twitter is not configured for this service'] });
        }
        const profile = await verifyTwitterToken(credentials.token, credentials.secret, {
          apiUrl: providers.twitterApiUrl,
          consumerKey: twitterConsumerKey,
          consumerSecret: twitterConsumerSecret,
        });
        const user = await findOrCreate(
          deps,
          application,
          { kind: 'twitter_id', value: profile.id },
          { full_name: profile.name ?? null },
        );
        return { user, guest: false };
      }
      case 'firebase': {
        if (application.firebase_project_ids.length === 0) {
          throw unprocessable({ provider: [`${credentials.provider} is not configured for this application`] });
        }
        const identity = await verifyFirebaseIdToken(credentials.idToken, {
          projectId: credentials.projectId,
          allowedProjectIds: application.firebase_project_ids,
          kind: credentials.firebaseKind,
          jwksUrl: providers.firebaseJwksUrl,
        });
        const user = await findOrCreateFirebaseUser(
          deps,
          application,
          { project: identity.project, uid: identity.uid },
          { phone: identity.phone ?? null, email: identity.email ?? null },
        );
        return { user, guest: false };
      }
    }
  } catch (error) {
    if (error instanceof ProviderVerificationError) throw unauthorized(error.message);
    throw error;
  }
}
