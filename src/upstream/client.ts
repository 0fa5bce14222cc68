import { stringify } from 'qs';
import { type Dispatcher, interceptors, Pool } from 'undici';
import type { UpstreamConfig } from '../config.ts';
import { UpstreamUnavailableError } from '../errors.ts';
import { withUpstreamSlot } from '../limits/operation-scope.ts';
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
   * A call failed as UPSTREAM_UNAVAILABLE. `detail` (`status 431`, `timeout`) is for logs
   * only: clients get the contract's code and message, never upstream detail.
   */
  unavailable?(detail: string, cause?: unknown): void;
}

const retryableStatus = [502, 503, 504];

export class UpstreamClient {
  readonly baseUrl: string;
  readonly #prefix: string;
  readonly #pool: Pool;
  readonly #dispatcher: Dispatcher;
  readonly #observers: UpstreamObserver[] = [];

  constructor(config: UpstreamConfig) {
    const url = new URL(config.url);
    this.baseUrl = config.url;
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#pool = new Pool(url.origin, {
      connections: config.connections,
      connectTimeout: config.connectTimeoutMs,
      headersTimeout: config.headersTimeoutMs,
      bodyTimeout: config.bodyTimeoutMs,
      keepAliveTimeout: 10_000,
    });
    this.#dispatcher = this.#pool.compose(
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
  }

  observe(observer: UpstreamObserver): void {
    this.#observers.push(observer);
  }

  /** Sends a request; any status of 400 or more is thrown as a contract error. */
  async request<T = unknown>(req: UpstreamRequest): Promise<UpstreamResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.token) headers['cb-token'] = req.token;
    if (req.authKey) headers['cb-authkey'] = req.authKey;
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    }
    const qs = req.query
      ? stringify(req.query, { arrayFormat: 'brackets', encodeValuesOnly: true, skipNulls: true })
      : '';
    const path = `${this.#prefix}${req.path}${qs ? `?${qs}` : ''}`;

    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      // Within the operation's share of upstream concurrency (UPSTREAM_CONCURRENCY_PER_OPERATION).
      [res, text] = await withUpstreamSlot(async () => {
        const response = await this.#dispatcher.request({ method: req.method, path, headers, body });
        return [response, await response.body.text().catch(() => '')] as const;
      });
    } catch (err) {
      // Told apart by code, never by instanceof; the message (which may name the upstream
      // host) stays in the cause for the logs and never reaches a client.
      throw this.unavailable(transportReason(err), err);
    }

    const parsed = parseJson(text);
    const expiresAt = parseExpiration(res.headers['cb-token-expirationdate']);

    if (req.token && expiresAt) {
      for (const o of this.#observers) o.tokenExtended?.(req.token, expiresAt);
    }
    if (res.statusCode >= 400) {
      const error = upstreamError(res.statusCode, parsed, { ...req.context, sentToken: !!req.token });
      if (error.code === 'UPSTREAM_UNAVAILABLE') throw this.unavailable(`status ${res.statusCode}`);
      if (req.token && error.code === 'SESSION_EXPIRED') {
        for (const o of this.#observers) o.tokenGone?.(req.token);
      }
      throw error;
    }
    return { status: res.statusCode, body: parsed as T, expiresAt };
  }

  /** An UPSTREAM_UNAVAILABLE error for a client; `detail` goes to the observers (the logs) only. */
  unavailable(detail: string, cause?: unknown): UpstreamUnavailableError {
    for (const o of this.#observers) o.unavailable?.(detail, cause);
    const error = new UpstreamUnavailableError();
    if (cause !== undefined) error.cause = cause;
    return error;
  }

  async close(): Promise<void> {
    await this.#pool.close();
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
