import type { UpstreamClient } from './client.ts';
import { createSession } from './sessions.ts';
import type { AppCredentials } from './types.ts';

/**
 * The gateway's own application session, for the few public calls where the upstream wants
 * a token and the caller has none (password reset, readiness, signed file downloads).
 * Created on first use, renewed before it expires (and at once when the upstream no longer
 * knows it), and never handed to a caller: it lives only inside this object.
 */
export class AppSession {
  readonly #client: UpstreamClient;
  readonly #app: AppCredentials;
  readonly #renewBeforeMs: number;
  #token: string | undefined;
  #expiresAt: Date | null = null;
  /** Renewal margin: the setting, or a tenth of the lifetime when that is shorter. */
  #marginMs = 0;
  #creating: Promise<string> | undefined;

  constructor(client: UpstreamClient, app: AppCredentials, options: { renewBeforeMs?: number } = {}) {
    this.#client = client;
    this.#app = app;
    this.#renewBeforeMs = options.renewBeforeMs ?? 5 * 60_000;
    client.observe({
      tokenExtended: (token, expiresAt) => {
        if (token === this.#token) this.#expiresAt = expiresAt;
      },
      tokenGone: (token) => {
        if (token === this.#token) this.#token = undefined;
      },
    });
  }

  /** Runs `call` with the application token, renewing it once if the upstream lost it. */
  async use<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.#current();
    try {
      return await call(token);
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SESSION_EXPIRED') throw err;
      if (this.#token === token) this.#token = undefined;
      return call(await this.#current());
    }
  }

  #current(): Promise<string> {
    const fresh =
      this.#token !== undefined &&
      (this.#expiresAt === null || this.#expiresAt.getTime() - Date.now() > this.#marginMs);
    if (fresh && this.#token) return Promise.resolve(this.#token);
    this.#creating ??= createSession(this.#client, this.#app)
      .then((session) => {
        this.#token = session.token;
        this.#expiresAt = session.expiresAt;
        const lifetime = session.expiresAt ? session.expiresAt.getTime() - Date.now() : Number.POSITIVE_INFINITY;
        this.#marginMs = Math.min(this.#renewBeforeMs, lifetime / 10);
        return session.token;
      })
      .finally(() => {
        this.#creating = undefined;
      });
    return this.#creating;
  }
}
