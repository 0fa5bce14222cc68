import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import qs from 'qs';
import { openBlobStorage } from './blobs/storage.ts';
import { registerAuthentication } from './http/authenticate.ts';
import { registerErrorHandling } from './http/error-handler.ts';
import { createServiceLogger, registerTraceContextLog } from './http/logging.ts';
import { createMailer, type SmtpSettings } from './mail/mailer.ts';
import type { ProviderSettings } from './providers/settings.ts';
import { blobUploadRoutes } from './routes/blob-upload.ts';
import { blobRoutes } from './routes/blobs.ts';
import { loginRoutes } from './routes/login.ts';
import { outboxRoutes } from './routes/outbox.ts';
import { passwordResetRoutes } from './routes/password-reset.ts';
import { sessionRoutes } from './routes/session.ts';
import { userRoutes } from './routes/users.ts';
import { userSearchRoutes } from './routes/users-search.ts';
import type { ServiceDeps } from './service-deps.ts';
import { loginAttemptLimiter } from './sessions/login-attempts.ts';
import { type ApplicationSettings, applicationsRepository, type SeedApplication } from './store/applications.ts';
import { openDatabase } from './store/database.ts';
import { migrateToLatest } from './store/migrate.ts';
import { sessionsRepository } from './store/sessions.ts';
import { signatureNoncesRepository } from './store/signature-nonces.ts';
import { usersRepository } from './store/users.ts';

export interface LocalServiceOptions {
  /** Embedded store and blob files live here. */
  dataDir: string;
  /** PostgreSQL instead of the embedded store. */
  databaseUrl?: string;
  /**
   * Base URL used in links the service hands out. Unset, a loopback `Host` is believed and
   * any other gets links on the address the connection came in on.
   */
  publicUrl?: string;
  /** Peers (addresses/CIDRs, proxy-addr's syntax) whose `X-Forwarded-For` is believed. */
  trustedProxies: string[];
  /** `NODE_ENV=production`: development helpers such as `/dev/outbox` are not served. */
  production: boolean;
  sessionTtlSeconds: number;
  guestSessionTtlSeconds: number;
  resetTokenTtlSeconds: number;
  failedLoginLimit: number;
  failedLoginWindowSeconds: number;
  maxBlobBytes: number;
  uploadUrlTtlSeconds: number;
  /** How often expired sessions and guests are deleted. */
  sweepIntervalSeconds: number;
  /** Credentials for the application created on first start. */
  application?: SeedApplication;
  /** Settings applied to that application at every start (unset ones are left alone). */
  applicationSettings?: ApplicationSettings;
  smtp?: SmtpSettings;
  providers: ProviderSettings;
  /** Log level; tests run silent. */
  logLevel?: string;
  /** Where log lines go (stdout by default); tests read them to prove no secret is logged. */
  logDestination?: DestinationStream;
}

export interface LocalService {
  application: { id: number; authKey: string; authSecret: string };
  /** True when this start created the application (first start on an empty store). */
  seeded: boolean;
  deps: ServiceDeps;
  server: FastifyInstance;
  /** Resolves to the base URL, e.g. `http://127.0.0.1:4001`. */
  listen(address: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
}

export async function createLocalService(options: LocalServiceOptions): Promise<LocalService> {
  const { db, pool } = await openDatabase(options);
  await migrateToLatest(db);

  const deps: ServiceDeps = {
    db,
    options,
    applications: applicationsRepository(db),
    sessions: sessionsRepository(db, options),
    signatureNonces: signatureNoncesRepository(db),
    users: usersRepository(db),
    loginAttempts: loginAttemptLimiter(options, pool),
    mailer: createMailer(db, options.smtp),
    blobs: await openBlobStorage(db, options.dataDir),
  };
  const seeded = await deps.applications.ensureSeeded(options.application);
  const application =
    options.applicationSettings && Object.keys(options.applicationSettings).length > 0
      ? await deps.applications.updateSettings(seeded.application.id, options.applicationSettings)
      : seeded.application;

  const server = Fastify({
    loggerInstance: createServiceLogger(options.logLevel ?? 'info', options.logDestination),
    // The SDKs append `.json` to every route.
    rewriteUrl: (request) => (request.url ?? '/').replace(/\.json(?=\?|$)/, ''),
    // Rails-style nested parameters: `id[in][]=1`, `user[login]=x`.
    routerOptions: {
      querystringParser: (query: string) => qs.parse(query, { arrayLimit: 1000, parameterLimit: 5000, depth: 5 }),
    },
    bodyLimit: 1024 * 1024,
    // `request.ip` is the socket's peer, or X-Forwarded-For's client when that peer is trusted.
    trustProxy: options.trustedProxies.length > 0 ? options.trustedProxies : false,
  });
  await server.register(formbody, {
    parser: (body: string) => qs.parse(body, { arrayLimit: 1000, parameterLimit: 5000, depth: 5 }),
  });
  registerErrorHandling(server);
  registerTraceContextLog(server);
  registerAuthentication(server, deps);
  for (const routes of [
    sessionRoutes,
    loginRoutes,
    userRoutes,
    userSearchRoutes,
    passwordResetRoutes,
    outboxRoutes,
    blobRoutes,
    blobUploadRoutes,
  ]) {
    await routes(server, deps);
  }

  // Expired sessions never authenticate anyway; the sweep reclaims rows and guest users.
  const sweep = setInterval(() => {
    void (async () => {
      await deps.users.deleteExpiredGuests();
      await deps.sessions.deleteExpired();
      await deps.signatureNonces.deleteExpired();
      // Expired guests took their blob rows with them (cascade); their files go here.
      await deps.blobs.files.sweepOrphans();
    })().catch((error: unknown) => server.log.error({ err: error }, 'sweep failed'));
  }, options.sweepIntervalSeconds * 1000);
  sweep.unref();

  return {
    application: { id: application.id, authKey: application.auth_key, authSecret: application.auth_secret },
    seeded: seeded.created,
    deps,
    server,
    async listen(address) {
      await server.listen(address);
      const bound = server.server.address();
      const port = typeof bound === 'object' && bound ? bound.port : address.port;
      const host = address.host.includes(':') ? `[${address.host}]` : address.host;
      return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    },
    async close() {
      clearInterval(sweep);
      // server.close() drops idle keep-alive sockets once; a socket that has just finished
      // streaming a download becomes idle a moment later and would hold the close open.
      const lingering = setInterval(() => server.server.closeIdleConnections(), 50);
      try {
        await server.close();
      } finally {
        clearInterval(lingering);
      }
      await db.destroy();
    },
  };
}
