import { existsSync } from 'node:fs';
import { z } from 'zod';

/**
 * The gateway's settings. This is the only module that reads `process.env`; everything else
 * receives a validated `GatewayConfig`. The local users service keeps its own settings in
 * `src/local-service/config.ts`.
 */

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const port = z.coerce.number().int().min(0).max(65535);
const millis = z.coerce.number().int().positive();

const envSchema = z.object({
  PORT: port.default(4000),
  HOST: optionalString,
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  UPSTREAM_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  CUBE_APPLICATION_ID: optionalString.pipe(
    z
      .string()
      .regex(/^[1-9]\d*$/, 'must be a positive integer')
      .transform(Number)
      .optional(),
  ),
  CUBE_AUTH_KEY: optionalString,
  CUBE_AUTH_SECRET: optionalString,
  REDIS_URL: optionalString,
  SESSION_EXPIRING_LEAD_SECONDS: z.coerce.number().int().min(0).default(300),
  UPSTREAM_CONNECTIONS: z.coerce.number().int().positive().default(64),
  UPSTREAM_CONNECT_TIMEOUT_MS: millis.default(5_000),
  UPSTREAM_HEADERS_TIMEOUT_MS: millis.default(15_000),
  UPSTREAM_BODY_TIMEOUT_MS: millis.default(30_000),
  UPSTREAM_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface UpstreamConfig {
  /** Base URL of the users/auth REST API, without a trailing slash. */
  url: string;
  applicationId: number;
  authKey: string;
  /** When set, sessions are created with the HMAC-SHA1 signature. */
  authSecret?: string | undefined;
  connections: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Retries for idempotent reads (GET/HEAD) only. */
  retries: number;
}

export interface GatewayConfig {
  port: number;
  host: string;
  env: 'development' | 'production' | 'test';
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /**
   * Unset means "start the local users service in-process"; `main.ts` then fills in
   * `upstream` from that service before building the app.
   */
  upstream: UpstreamConfig | undefined;
  upstreamDefaults: Omit<UpstreamConfig, 'url' | 'applicationId' | 'authKey' | 'authSecret'>;
  redisUrl: string | undefined;
  sessionExpiringLeadSeconds: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A container gets 0.0.0.0 by default so that its published port works; elsewhere loopback. */
function insideContainer(): boolean {
  return existsSync('/.dockerenv') || existsSync('/run/.containerenv');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid gateway settings:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const upstreamDefaults = {
    connections: e.UPSTREAM_CONNECTIONS,
    connectTimeoutMs: e.UPSTREAM_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: e.UPSTREAM_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: e.UPSTREAM_BODY_TIMEOUT_MS,
    retries: e.UPSTREAM_RETRIES,
  };
  let upstream: UpstreamConfig | undefined;
  if (e.UPSTREAM_URL) {
    if (e.CUBE_APPLICATION_ID === undefined || !e.CUBE_AUTH_KEY) {
      throw new ConfigError(
        'Invalid gateway settings: UPSTREAM_URL needs CUBE_APPLICATION_ID and CUBE_AUTH_KEY (CUBE_AUTH_SECRET is optional).',
      );
    }
    upstream = {
      url: e.UPSTREAM_URL.replace(/\/+$/, ''),
      applicationId: e.CUBE_APPLICATION_ID,
      authKey: e.CUBE_AUTH_KEY,
      authSecret: e.CUBE_AUTH_SECRET,
      ...upstreamDefaults,
    };
  }
  return {
    port: e.PORT,
    host: e.HOST ?? (insideContainer() ? '0.0.0.0' : '127.0.0.1'),
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    upstream,
    upstreamDefaults,
    redisUrl: e.REDIS_URL,
    sessionExpiringLeadSeconds: e.SESSION_EXPIRING_LEAD_SECONDS,
  };
}
