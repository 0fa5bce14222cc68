import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { currentAuth } from '../http/authenticate.ts';
import { serviceBaseUrl } from '../http/base-url.ts';
import { tooManyRequests, unprocessable } from '../http/errors.ts';
import { requestParams, stringParam } from '../http/request-params.ts';
import type { ServiceDeps } from '../service-deps.ts';
import { passwordResetsRepository, type ResetLinkState } from '../users/password-resets.ts';
import { hashPassword } from '../users/passwords.ts';
import { PASSWORD_MIN, passwordSchema } from '../users/profile-input.ts';
import { RESET_PAGE_HEADERS, resetDonePage, resetFormPage, resetLinkErrorPage } from '../users/reset-pages.ts';

// A few requests per address and quarter hour: enough for a lost mail, too few to flood an inbox.
const RESET_REQUESTS_PER_EMAIL = 3;
const RESET_REQUEST_WINDOW_SECONDS = 900;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

const LINK_ERRORS: Record<Exclude<ResetLinkState, 'valid'>, { status: number; message: string }> = {
  unknown: { status: 404, message: 'This password reset link is not valid.' },
  used: { status: 410, message: 'This password reset link has already been used. Ask for a new one.' },
  expired: { status: 410, message: 'This password reset link has expired. Ask for a new one.' },
};

function resetMail(link: string, ttlSeconds: number) {
  const minutes = Math.max(1, Math.round(ttlSeconds / 60));
  return {
    subject: 'Reset your password',
    text: [
      'Someone asked to reset the password of your account.',
      '',
      `Open this link within ${minutes} minute${minutes === 1 ? '' : 's'} to choose a new one (it works once):`,
      link,
      '',
      'If it was not you, ignore this message: your password stays as it is.',
    ].join('\n'),
  };
}

export async function passwordResetRoutes(app: FastifyInstance, deps: ServiceDeps): Promise<void> {
  const resets = passwordResetsRepository(deps.db);
  // Per process; it only has to slow down one caller mailing one address over and over.
  const requestsPerEmail = new RateLimiterMemory({
    points: RESET_REQUESTS_PER_EMAIL,
    duration: RESET_REQUEST_WINDOW_SECONDS,
    keyPrefix: 'password-reset',
  });

  /**
   * The same empty 200 whether or not the address is known, so no one learns which are.
   * The link's origin is the configured public URL, else the request's own: a deployment
   * reachable by others must set LOCAL_SERVICE_PUBLIC_URL, or a forged Host header could
   * point the mailed link elsewhere.
   */
  async function requestReset(request: FastifyRequest, reply: FastifyReply) {
    const { application } = currentAuth(request);
    const email = stringParam(requestParams(request), 'email')?.trim();
    if (!email) throw unprocessable({ email: ['is required'] });
    try {
      await requestsPerEmail.consume(email.toLowerCase());
    } catch (error) {
      if (error instanceof RateLimiterRes) throw tooManyRequests();
      throw error;
    }

    const user = await deps.users.findByLoginOrEmail(application.id, 'email', email);
    if (user?.email && !user.is_guest) {
      const ttl = deps.options.resetTokenTtlSeconds;
      const token = await resets.issue(user.id, ttl);
      const base = serviceBaseUrl(request, deps.options);
      const delivery = deps.mailer.send({ to: user.email, ...resetMail(`${base}/users/password/reset/${token}`, ttl) });
      if (deps.options.smtp) {
        // SMTP is slow: waiting for it would make known addresses answer measurably later.
        delivery.catch((error: unknown) => request.log.error({ err: error }, 'password reset mail failed'));
      } else {
        await delivery;
      }
    }
    return reply.status(200).send();
  }

  app.get('/users/password/reset', { config: { auth: 'session' } }, requestReset);
  app.post('/users/password/reset', { config: { auth: 'session' } }, requestReset);

  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.status(status).headers(RESET_PAGE_HEADERS).send(body);

  /** The link's state, answering with the error page unless it is usable. */
  async function usableLink(token: string, reply: FastifyReply): Promise<boolean> {
    const state = TOKEN_SHAPE.test(token) ? await resets.state(token) : 'unknown';
    if (state === 'valid') return true;
    html(reply, LINK_ERRORS[state].status, resetLinkErrorPage(LINK_ERRORS[state].message));
    return false;
  }

  app.get<{ Params: { token: string } }>(
    '/users/password/reset/:token',
    { config: { auth: 'none' } },
    async (request, reply) => {
      if (!(await usableLink(request.params.token, reply))) return reply;
      return html(reply, 200, resetFormPage({ minLength: PASSWORD_MIN }));
    },
  );

  app.post<{ Params: { token: string } }>(
    '/users/password/reset/:token',
    { config: { auth: 'none' } },
    async (request, reply) => {
      const { token } = request.params;
      if (!(await usableLink(token, reply))) return reply;
      const params = requestParams(request);
      const password = stringParam(params, 'password') ?? '';
      const confirmation = stringParam(params, 'password_confirmation');
      const checked = passwordSchema.safeParse(password);
      const errors = checked.success ? [] : checked.error.issues.map((issue) => `Password ${issue.message}.`);
      // Browsers send the confirmation; API clients posting only `password` need not.
      if (checked.success && confirmation !== undefined && confirmation !== password) {
        errors.push('The two passwords do not match.');
      }
      if (errors.length > 0) return html(reply, 422, resetFormPage({ minLength: PASSWORD_MIN, errors }));

      const user = await resets.redeem(token, await hashPassword(password));
      // Another submission of the same link won the race.
      if (!user) return html(reply, 410, resetLinkErrorPage(LINK_ERRORS.used.message));
      // The owner proved control of the mailbox: their own failed guesses no longer lock them out.
      for (const identity of [user.login, user.email]) {
        if (identity) await deps.loginAttempts.recordSuccess(identity, request.ip);
      }
      return html(reply, 200, resetDonePage());
    },
  );
}
