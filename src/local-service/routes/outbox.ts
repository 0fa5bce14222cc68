import type { FastifyInstance } from 'fastify';
import type { ServiceDeps } from '../service-deps.ts';
import { isoSeconds } from '../time-format.ts';

// 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 addresses on a dual-stack socket.
const isLoopback = (ip: string) => ip === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
// The newest mails are the ones a developer is waiting for.
const OUTBOX_PAGE = 100;

/**
 * `GET /dev/outbox`: without SMTP, mail (password reset links) is kept in the store; this
 * lets a developer on the same machine read it. It answers loopback callers only, as if it
 * did not exist for anyone else, and never in production (`NODE_ENV=production`). Behind a
 * reverse proxy on the same host that is not in LOCAL_SERVICE_TRUSTED_PROXIES every caller
 * looks local: such a setup must configure SMTP.
 */
export async function outboxRoutes(app: FastifyInstance, deps: ServiceDeps): Promise<void> {
  if (deps.options.smtp || deps.options.production) return;
  app.get('/dev/outbox', { config: { auth: 'none' } }, async (request, reply) => {
    if (!isLoopback(request.ip)) return reply.callNotFound();
    const mails = await deps.db.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(OUTBOX_PAGE).execute();
    return {
      items: mails.map((mail) => ({
        id: mail.id,
        to: mail.to_address,
        subject: mail.subject,
        text: mail.text,
        created_at: isoSeconds(mail.created_at),
      })),
    };
  });
}
