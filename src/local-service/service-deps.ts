import type { LocalServiceOptions } from './app.ts';
import type { Db } from './store/database.ts';
import type { ApplicationsRepository } from './store/applications.ts';
import type { SessionsRepository } from './store/sessions.ts';
import type { UsersRepository } from './store/users.ts';
import type { LoginAttemptLimiter } from './sessions/login-attempts.ts';
import type { Mailer } from './mail/mailer.ts';

/** Everything a route needs, built once per service instance in app.ts. */
export interface ServiceDeps {
  db: Db;
  options: LocalServiceOptions;
  applications: ApplicationsRepository;
  sessions: SessionsRepository;
  users: UsersRepository;
  loginAttempts: LoginAttemptLimiter;
  mailer: Mailer;
}
