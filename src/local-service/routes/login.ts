import type { FastifyInstance } from 'fastify';
import { currentAuth } from '../http/authenticate.ts';
import { requestParams } from '../http/request-params.ts';
import type { ServiceDeps } from '../service-deps.ts';
import { loginCredentials } from '../sessions/credentials.ts';
import { identifyUser } from '../sessions/identify-user.ts';
import { serializeUser } from '../users/serialize.ts';

/** Upgrade (bind a user to the current token) and downgrade (back to an application session). */
export async function loginRoutes(app: FastifyInstance, deps: ServiceDeps): Promise<void> {
  app.post('/login', { config: { auth: 'session' } }, async (request) => {
    const auth = currentAuth(request);
    const credentials = loginCredentials(requestParams(request));
    const { user } = await identifyUser(deps, auth.application, credentials, request.ip);
    if (!user) throw new Error('login credentials resolved to no user');
    await deps.sessions.setUser(auth.session.id, user.id);
    return { user: serializeUser(user) };
  });

  app.delete('/login', { config: { auth: 'session' } }, async (request, reply) => {
    await deps.sessions.setUser(currentAuth(request).session.id, null);
    return reply.status(200).send();
  });
}
