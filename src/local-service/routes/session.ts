import type { FastifyInstance } from 'fastify';
import { currentAuth, currentUser } from '../http/authenticate.ts';
import { notFound, unauthorized, unprocessable } from '../http/errors.ts';
import { requestParams, stringParam } from '../http/request-params.ts';
import type { ServiceDeps } from '../service-deps.ts';
import { sessionCredentials } from '../sessions/credentials.ts';
import { identifyUser } from '../sessions/identify-user.ts';
import { serializeSession } from '../sessions/serialize.ts';
import { nonceParam, verifySignedRequest } from '../sessions/signed-request.ts';
import type { ApplicationRow } from '../store/schema.ts';
import { expirationHeader } from '../time-format.ts';

async function authenticateApplication(deps: ServiceDeps, params: Record<string, unknown>): Promise<ApplicationRow> {
  const applicationId = stringParam(params, 'application_id');
  const authKey = stringParam(params, 'auth_key');
  if (!applicationId || !authKey) {
    throw unprocessable({
      ...(!applicationId && { application_id: ['is required'] }),
      ...(!authKey && { auth_key: ['is required'] }),
    });
  }
  const application = await deps.applications.findByAuthKey(authKey);
  if (!application || String(application.id) !== applicationId) throw unauthorized('Unknown application or auth key');

  const signature = stringParam(params, 'signature');
  if (signature !== undefined) await verifySignedRequest(deps, application, params, signature);
  return application;
}

export async function sessionRoutes(app: FastifyInstance, deps: ServiceDeps): Promise<void> {
  app.post('/session', { config: { auth: 'none' } }, async (request, reply) => {
    const params = requestParams(request);
    const application = await authenticateApplication(deps, params);
    const credentials = sessionCredentials(params);
    const { user, guest } = await identifyUser(deps, application, credentials, request.ip);
    const nonce = nonceParam(params);
    const { session, token } = await deps.sessions.create({
      applicationId: application.id,
      userId: user?.id ?? null,
      guest,
      ...(nonce !== undefined && { nonce }),
    });
    reply.header('CB-Token-ExpirationDate', expirationHeader(session.expires_at));
    return reply.status(201).send({ session: serializeSession(session, token, user) });
  });

  app.get('/session', { config: { auth: 'session' } }, async (request) => {
    const { session, token, user } = currentAuth(request);
    return { session: serializeSession(session, token, user) };
  });

  app.delete('/session', { config: { auth: 'session' } }, async (request, reply) => {
    await deps.sessions.deleteById(currentAuth(request).session.id);
    return reply.status(200).send();
  });

  app.delete('/session/list', { config: { auth: 'user' } }, async (request, reply) => {
    const { auth, user } = currentUser(request);
    await deps.sessions.deleteUserSessionsExcept(user.id, auth.session.id);
    return reply.status(200).send();
  });

  app.delete<{ Params: { id: string } }>('/session/:id', { config: { auth: 'user' } }, async (request, reply) => {
    const { user } = currentUser(request);
    const target = /^\d+$/.test(request.params.id)
      ? await deps.sessions.findById(Number(request.params.id))
      : undefined;
    // Another user's session is indistinguishable from a missing one.
    if (!target || target.user_id !== user.id) throw notFound();
    await deps.sessions.deleteById(target.id);
    return reply.status(200).send();
  });
}
