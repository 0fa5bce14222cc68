import { stringify } from 'qs';
import { type Dispatcher, interceptors, Pool } from 'undici';
import type { UpstreamConfig } from '../config.ts';
import { UpstreamUnavailableError } from '../errors.ts';
import { withUpstreamSlot } from '../limits/operation-scope.ts';
import { routeTemplate } from '../observability/route-template.ts';
import { type UpstreamErrorContext, upstreamError } from './errors.ts';

/**
 * The one HTTP client the gateway has for the users/auth REST API: a keep-alive pool built
 * once per process and injected everywhere, with explicit timeouts (undici's 300 s defaults
 * are far too long for a gateway) and retries with backoff for idempotent reads only.
 * Every response body is read or dumped. Tokens only ever travel in headers.
 */

export type Query = Record<string, unknown>;

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** The session token to send as `CB-Token`. */
  token?: string | undefined;
  /** Sign-up only: the application's auth key instead of a token. */
  authKey?: string | undefined;
  /** Rails-style query string (`id[in][]=1`). */
  query?: Query | undefined;
  json?: unknown;
  /** What a 401/404 means for this call; see `upstreamError`. */
  context?: UpstreamErrorContext;
}

export interface UpstreamResponse<T> {
  status: number;
  body: T;
  /** From `CB-Token-ExpirationDate`: when the token sent now expires. */
  expiresAt: Date | null;
}

/** Observers of token activity (the session tracker of issue 4 hangs off these). */
export interface UpstreamObserver {
  /** A response to a call made with `token` announced its new expiry. */
  tokenExtended?(token: string, expiresAt: Date): void;
  /** The upstream answered 401 `Required session does not exist` for `token`. */
  tokenGone?(token: string): void;
  /**
   * A call ended: its route template (`/users/:id`, never the raw path), the HTTP status or
   * `error` when no answer came, and the time to the whole body.
   */
  called?(call: { method: string; route: string; status: number | 'error'; seconds: number }): void;
  /**
   * A call failed as UPSTREAM_UNAVAILABLE. `detail` (`status 431`, `timeout`) is for logs
   * only: clients get the contract's code and message, never upstream detail.
   */
  unavailable?(detail: string, cause?: unknown): void;
}

const retryableStatus = [502, 503, 504];

/** What every view of one client shares: the pool and the observers. */
interface SharedTransport {
  pool: Pool;
  dispatcher: Dispatcher;
  observers: UpstreamObserver[];
}

export class UpstreamClient {
  readonly baseUrl: string;
  readonly #config: UpstreamConfig;
  readonly #prefix: string;
  readonly #shared: SharedTransport;
  /** Sent as `X-Forwarded-For` on every call of this view (see `forClient`). */
  readonly #clientAddress: string | undefined;

  constructor(config: UpstreamConfig, view?: { shared: SharedTransport; clientAddress: string }) {
    const url = new URL(config.url);
    this.baseUrl = config.url;
    this.#config = config;
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#clientAddress = view?.clientAddress;
    if (view) {
      this.#shared = view.shared;
      return;
    }
    const pool = new Pool(url.origin, {
      connections: config.connections,
      connectTimeout: config.connectTimeoutMs,
      headersTimeout: config.headersTimeoutMs,
      bodyTimeout: config.bodyTimeoutMs,
      keepAliveTimeout: 10_000,
    });
    const dispatcher = pool.compose(
      interceptors.retry({
        maxRetries: config.retries,
        minTimeout: 100,
        maxTimeout: 1_000,
        timeoutFactor: 2,
        methods: ['GET', 'HEAD'],
        statusCodes: retryableStatus,
        throwOnError: false,
      }),
    );
    this.#shared = { pool, dispatcher, observers: [] };
  }

  /**
   * A view of this client, on the same pool, that tells the upstream whose call it makes:
   * every request carries `X-Forwarded-For: <clientAddress>`, so the upstream's per-address
   * limits count the gateway's callers, not the gateway.
   */
  forClient(clientAddress: string): UpstreamClient {
    return new UpstreamClient(this.#config, { shared: this.#shared, clientAddress });
  }

  observe(observer: UpstreamObserver): void {
    this.#shared.observers.push(observer);
  }

  /** Sends a request; any status of 400 or more is thrown as a contract error. */
  async request<T = unknown>(req: UpstreamRequest): Promise<UpstreamResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.token) headers['cb-token'] = req.token;
    if (req.authKey) headers['cb-authkey'] = req.authKey;
    if (this.#clientAddress) headers['x-forwarded-for'] = this.#clientAddress;
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    }
    const qs = req.query
      ? stringify(req.query, { arrayFormat: 'brackets', encodeValuesOnly: true, skipNulls: true })
      : '';
    const path = `${this.#prefix}${req.path}${qs ? `?${qs}` : ''}`;

    // From the moment the call leaves the operation's queue: the latency of the upstream itself.
    let started = performance.now();
    const called = (status: number | 'error') => {
      const call = {
        method: req.method,
        route: routeTemplate(req.path),
        status,
        seconds: (performance.now() - started) / 1000,
      };
      for (const o of this.#shared.observers) o.called?.(call);
    };
    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      // Within the operation's share of upstream concurrency (UPSTREAM_CONCURRENCY_PER_OPERATION).
      [res, text] = await withUpstreamSlot(async () => {
        started = performance.now();
        const response = await this.#shared.dispatcher.request({ method: req.method, path, headers, body });
        return [response, await response.body.text().catch(() => '')] as const;
      });
    } catch (err) {
      called('error');
      // Told apart by code, never by instanceof; the message (which may name the upstream
      // host) stays in the cause for the logs and never reaches a client.
      throw this.unavailable(transportReason(err), err);
    }

    called(res.statusCode);
    const parsed = parseJson(text);
    const expiresAt = parseExpiration(res.headers['cb-token-expirationdate']);

    if (req.token && expiresAt) {
      for (const o of this.#shared.observers) o.tokenExtended?.(req.token, expiresAt);
    }
    if (res.statusCode >= 400) {
      const error = upstreamError(res.statusCode, parsed, {
        ...req.context,
        sentToken: !!req.token,
        retryAfterSeconds: parseRetryAfter(res.headers['retry-after']),
      });
      if (error.code === 'UPSTREAM_UNAVAILABLE') throw this.unavailable(`status ${res.statusCode}`);
      if (req.token && error.code === 'SESSION_EXPIRED') {
        for (const o of this.#shared.observers) o.tokenGone?.(req.token);
      }
      throw error;
    }
    return { status: res.statusCode, body: parsed as T, expiresAt };
  }

  /** An UPSTREAM_UNAVAILABLE error for a client; `detail` goes to the observers (the logs) only. */
  unavailable(detail: string, cause?: unknown): UpstreamUnavailableError {
    for (const o of this.#shared.observers) o.unavailable?.(detail, cause);
    const error = new UpstreamUnavailableError();
    if (cause !== undefined) error.cause = cause;
    return error;
  }

  /** Closes the shared pool (call it on the client `app.ts` built, not on a view). */
  async close(): Promise<void> {
    await this.#shared.pool.close();
  }
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** `CB-Token-ExpirationDate: 2026-11-22 05:38:02 UTC` */
export function parseExpiration(header: string | string[] | undefined): Date | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?\s*(?:UTC|Z)?$/.exec(value.trim());
  if (!m) return null;
  const date = new Date(`${m[1]}T${m[2]}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `Retry-After: 120` (seconds); the HTTP-date form is not used by the users API. */
function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function transportReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timeout';
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unreachable';
    default:
      return 'connection';
  }
}
