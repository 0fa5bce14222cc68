import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentUser } from '../http/authenticate.ts';
import { type ErrorFields, forbidden, notFound, TOKEN_REQUIRED, unauthorized, unprocessable } from '../http/errors.ts';
import { objectParam, requestParams } from '../http/request-params.ts';
import type { ServiceDeps } from '../service-deps.ts';
import type { ApplicationRow, UserRow } from '../store/schema.ts';
import { addTakenIdentityErrors, takenIdentityFromError } from '../users/identity-checks.ts';
import { hashPassword, verifyPassword } from '../users/passwords.ts';
import { addFieldError, type ParsedProfile, parseProfile } from '../users/profile-input.ts';
import { serializeUser } from '../users/serialize.ts';

const NOT_YOURS = 'You can change only your own account';
const LOGIN_OR_EMAIL_REQUIRED = 'login or email is required';
const BLANK = "can't be blank";

function hasErrors(errors: ErrorFields): boolean {
  return Object.keys(errors).length > 0;
}

/** Runs a write, turning a unique-index race into the same 422 the checks give. */
async function withUniqueIdentities<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const taken = takenIdentityFromError(error);
    if (taken) throw unprocessable(taken);
    throw error;
  }
}

export async function userRoutes(app: FastifyInstance, deps: ServiceDeps): Promise<void> {
  /** Sign-up takes any token, or instead of one the application's auth key in `CB-AuthKey`. */
  async function signUpApplication(request: FastifyRequest): Promise<ApplicationRow> {
    if (request.auth) return request.auth.application;
    const authKey = request.headers['cb-authkey'];
    if (typeof authKey !== 'string' || !authKey) throw unauthorized(TOKEN_REQUIRED);
    const application = await deps.applications.findByAuthKey(authKey);
    if (!application) throw unauthorized('Unknown application or auth key');
    return application;
  }

  /** The user named in the path must exist in the caller's application and be the caller. */
  async function ownAccount(request: FastifyRequest, find: (applicationId: number) => Promise<UserRow | undefined>) {
    const { auth, user } = currentUser(request);
    const target = await find(auth.application.id);
    if (!target) throw notFound();
    if (target.id !== user.id) throw forbidden(NOT_YOURS);
    return { auth, user };
  }

  const byPathId = (id: string) => (applicationId: number) =>
    /^\d{1,10}$/.test(id) && Number(id) <= 2_147_483_647
      ? deps.users.findById(applicationId, Number(id))
      : Promise.resolve(undefined);

  /** A password change must name the current one; guessing it is rate limited like logins. */
  async function checkOldPassword(request: FastifyRequest, user: UserRow, parsed: ParsedProfile, errors: ErrorFields) {
    // Users created by a provider have no password yet and may set a first one.
    if (parsed.password === undefined || errors.password || !user.password_hash) return;
    if (!parsed.oldPassword) {
      errors.old_password = [BLANK];
      return;
    }
    const attempts = `user:${user.id}`;
    await deps.loginAttempts.assertAllowed(attempts, request.ip);
    if (await verifyPassword(parsed.oldPassword, user.password_hash)) {
      await deps.loginAttempts.recordSuccess(attempts, request.ip);
    } else {
      await deps.loginAttempts.recordFailure(attempts, request.ip);
      errors.old_password = ['is incorrect'];
    }
  }

  app.post('/users', { config: { auth: 'optional' } }, async (request, reply) => {
    const application = await signUpApplication(request);
    const parsed = parseProfile(objectParam(requestParams(request), 'user') ?? {});
    const { changes, errors } = parsed;
    if (!changes.login && !changes.email && !errors.login && !errors.email) {
      addFieldError(errors, 'base', LOGIN_OR_EMAIL_REQUIRED);
    }
    if (parsed.password === undefined && !errors.password) errors.password = [BLANK];
    await addTakenIdentityErrors(deps.users, application.id, changes, errors);
    if (hasErrors(errors) || parsed.password === undefined) throw unprocessable(errors);

    const passwordHash = await hashPassword(parsed.password);
    const user = await withUniqueIdentities(() =>
      deps.users.insert({ ...changes, application_id: application.id, password_hash: passwordHash }),
    );
    return reply.status(201).send({ user: serializeUser(user) });
  });

  app.put<{ Params: { id: string } }>('/users/:id', { config: { auth: 'user' } }, async (request) => {
    const { auth, user } = await ownAccount(request, byPathId(request.params.id));
    const parsed = parseProfile(objectParam(requestParams(request), 'user') ?? {});
    const { changes, errors } = parsed;
    const touchesIdentity = 'login' in changes || 'email' in changes;
    const login = 'login' in changes ? changes.login : user.login;
    const email = 'email' in changes ? changes.email : user.email;
    if (touchesIdentity && !login && !email && !errors.login && !errors.email) {
      addFieldError(errors, 'base', LOGIN_OR_EMAIL_REQUIRED);
    }
    await checkOldPassword(request, user, parsed, errors);
    await addTakenIdentityErrors(deps.users, auth.application.id, changes, errors, user.id);
    if (hasErrors(errors)) throw unprocessable(errors);

    const passwordHash = parsed.password === undefined ? undefined : await hashPassword(parsed.password);
    const updated = await withUniqueIdentities(() =>
      deps.users.update(user.id, { ...changes, ...(passwordHash && { password_hash: passwordHash }) }),
    );
    return { user: serializeUser(updated) };
  });

  // Sessions, blob rows and reset tokens go with the user (ON DELETE CASCADE); blob files
  // are found through those rows, so they go first.
  const deleteOwnAccount = async (user: UserRow) => {
    await deps.blobs.files.removeForUser(user.id);
    await deps.users.delete(user.id);
  };

  app.delete<{ Params: { id: string } }>('/users/:id', { config: { auth: 'user' } }, async (request, reply) => {
    const { user } = await ownAccount(request, byPathId(request.params.id));
    await deleteOwnAccount(user);
    return reply.status(200).send();
  });

  app.delete<{ Params: { id: string } }>(
    '/users/external/:id',
    { config: { auth: 'user' } },
    async (request, reply) => {
      const { user } = await ownAccount(request, (applicationId) =>
        deps.users.findByExternal(applicationId, request.params.id),
      );
      await deleteOwnAccount(user);
      return reply.status(200).send();
    },
  );
}
