import type { LocalServiceOptions } from './app.ts';
import type { BlobStorage } from './blobs/storage.ts';
import type { Mailer } from './mail/mailer.ts';
import type { LoginAttemptLimiter } from './sessions/login-attempts.ts';
import type { ApplicationsRepository } from './store/applications.ts';
import type { Db } from './store/database.ts';
import type { SessionsRepository } from './store/sessions.ts';
import type { SignatureNoncesRepository } from './store/signature-nonces.ts';
import type { UsersRepository } from './store/users.ts';

/** Everything a route needs, built once per service instance in app.ts. */
export interface ServiceDeps {
  db: Db;
  options: LocalServiceOptions;
  applications: ApplicationsRepository;
  sessions: SessionsRepository;
  signatureNonces: SignatureNoncesRepository;
  users: UsersRepository;
  loginAttempts: LoginAttemptLimiter;
  mailer: Mailer;
  blobs: BlobStorage;
}
