import { existsSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_UPLOAD_TIMEOUT_MS } from './files/blobs-upstream.ts';
import { DEFAULT_FILE_URL_TTL_SECONDS, MIN_SIGNING_SECRET_BYTES } from './files/signed-file-url.ts';
import {
  DEFAULT_ALLOWED_CONTENT_TYPES,
  DEFAULT_AVATAR_CONTENT_TYPES,
  DEFAULT_MAX_UPLOAD_BYTES,
} from './files/upload-limits.ts';
import { DEFAULT_LIMITS } from './limits/defaults.ts';
import { isTrustedProxyList, TRUSTED_PROXIES_MESSAGE } from './protocol/trusted-proxies.ts';
import {
  type LimitsConfig as AttemptLimitsConfig,
  defaultLimits,
  limitedOperations,
  limitSettingName,
  parseLimitRule,
} from './security/limit-rules.ts';
import { type PersonalField, personalFields } from './security/personal-fields.ts';
import { DEFAULT_WARM_UP_REQUESTS } from './server/warm-up.ts';
import { DEFAULT_EXTENDED_THROTTLE_SECONDS } from './sessions/create-session-tracker.ts';
import { parseRedisTarget } from './sessions/redis-target.ts';
import { MIN_TOKEN_HASH_KEY_LENGTH } from './sessions/token-key.ts';
import { DEFAULT_BREAKER_HALF_OPEN_AFTER_MS, DEFAULT_BREAKER_THRESHOLD } from './upstream/circuit-breaker.ts';

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
/** `a, b,c` → `['a', 'b', 'c']`; unset or blank → undefined (the default applies). */
const commaList = optionalString.transform((v) =>
  v
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/** `<points>/<seconds>` or `off`, per attempt-limit setting (`src/security/limit-rules.ts`). */
const limitRule = optionalString.transform((value, ctx) => {
  if (value === undefined) return undefined;
  const rule = parseLimitRule(value);
  if (rule === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be <points>/<seconds> (e.g. 10/900) or off' });
    return z.NEVER;
  }
  return rule;
});
const limitDefaults = defaultLimits();
const limitSettings = Object.fromEntries(
  limitedOperations.flatMap((operation) =>
    (['perAddress', 'perIdentity'] as const)
      .filter((scope) => limitDefaults[operation][scope] !== null)
      .map((scope) => [limitSettingName(operation, scope), limitRule]),
  ),
);
const count = z.coerce.number().int().positive();
/** `1`/`true` or `0`/`false`; unset or blank → undefined (the default applies). */
const flag = optionalString.pipe(
  z
    .enum(['1', 'true', '0', 'false'], { message: 'must be 1, true, 0 or false' })
    .transform((v) => v === '1' || v === 'true')
    .optional(),
);

const envSchema = z.object({
  ...limitSettings,
  PUBLIC_USER_FIELDS: commaList.pipe(
    z.array(z.enum(personalFields, { error: `each entry must be one of ${personalFields.join(', ')}` })).optional(),
  ),
  PORT: port.default(4000),
  HOST: optionalString,
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  UPSTREAM_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  LOCAL_SERVICE_EMBEDDED: flag,
  PUBLIC_FILES_VIA_GATEWAY: flag,
  CUBE_APPLICATION_ID: optionalString.pipe(
    z
      .string()
      .regex(/^[1-9]\d*$/, 'must be a positive integer')
      .transform(Number)
      .optional(),
  ),
  CUBE_AUTH_KEY: optionalString,
  CUBE_AUTH_SECRET: optionalString,
  REDIS_URL: optionalString.superRefine((url, ctx) => {
    if (!url) return;
    try {
      parseRedisTarget(url);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }),
  SESSION_EXPIRING_LEAD_SECONDS: z.coerce.number().int().min(0).default(300),
  SESSION_EXTENDED_THROTTLE_SECONDS: z.coerce.number().min(0).default(DEFAULT_EXTENDED_THROTTLE_SECONDS),
  SESSION_TOKEN_HASH_KEY: optionalString,
  REDIS_KEY_PREFIX: optionalString,
  PERSISTED_OPERATIONS: z.enum(['apq', 'only'], { error: 'must be apq or only' }).default('apq'),
  PERSISTED_OPERATIONS_MANIFEST: optionalString,
  UPSTREAM_CONNECTIONS: z.coerce.number().int().positive().default(64),
  UPSTREAM_CONNECT_TIMEOUT_MS: millis.default(5_000),
  UPSTREAM_HEADERS_TIMEOUT_MS: millis.default(15_000),
  UPSTREAM_BODY_TIMEOUT_MS: millis.default(30_000),
  UPSTREAM_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  UPSTREAM_BREAKER_THRESHOLD: z.coerce.number().int().min(0).default(DEFAULT_BREAKER_THRESHOLD),
  UPSTREAM_BREAKER_HALF_OPEN_MS: millis.default(DEFAULT_BREAKER_HALF_OPEN_AFTER_MS),
  SHUTDOWN_GRACE_MS: millis.default(25_000),
  WARM_UP_REQUESTS: z.coerce.number().int().min(0).max(10_000).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_UPLOAD_BYTES),
  UPLOAD_ALLOWED_TYPES: commaList,
  AVATAR_ALLOWED_TYPES: commaList,
  FILE_URL_SIGNING_KEY: optionalString.pipe(
    z.string().min(MIN_SIGNING_SECRET_BYTES, `must be at least ${MIN_SIGNING_SECRET_BYTES} characters`).optional(),
  ),
  FILE_URL_TTL_SECONDS: z.coerce.number().int().positive().default(DEFAULT_FILE_URL_TTL_SECONDS),
  PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  FILE_SOURCE_ORIGINS: commaList.pipe(z.array(z.url({ protocol: /^https?$/ })).optional()),
  UPLOAD_TIMEOUT_MS: millis.default(DEFAULT_UPLOAD_TIMEOUT_MS),
  MAX_QUERY_DEPTH: count.default(DEFAULT_LIMITS.maxDepth),
  MAX_ALIASES: count.default(DEFAULT_LIMITS.maxAliases),
  MAX_TOKENS: count.default(DEFAULT_LIMITS.maxTokens),
  MAX_DIRECTIVES: count.default(DEFAULT_LIMITS.maxDirectives),
  MAX_QUERY_COST: count.default(DEFAULT_LIMITS.maxCost),
  MAX_VARIABLE_DEPTH: count.default(DEFAULT_LIMITS.maxVariableDepth),
  MAX_REQUEST_BYTES: count.default(DEFAULT_LIMITS.maxRequestBytes),
  WS_MAX_PAYLOAD_BYTES: count.default(DEFAULT_LIMITS.wsMaxPayloadBytes),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: count.default(DEFAULT_LIMITS.maxSubscriptionsPerConnection),
  MAX_SSE_STREAMS_PER_ADDRESS: count.default(DEFAULT_LIMITS.maxSseStreamsPerAddress),
  UPSTREAM_CONCURRENCY_PER_OPERATION: count.default(DEFAULT_LIMITS.upstreamConcurrencyPerOperation),
  GRAPHQL_INTROSPECTION: flag,
  GRAPHIQL: flag,
  CORS_ORIGINS: commaList.pipe(
    z
      .array(
        z
          .url({ protocol: /^https?$/, message: 'must be origins like https://app.example.com' })
          .refine((v) => new URL(v).origin === v.replace(/\/+$/, ''), {
            message: 'must be origins (scheme://host[:port], no path)',
          }),
      )
      .optional(),
  ),
  TRUSTED_PROXIES: commaList.refine(isTrustedProxyList, { message: TRUSTED_PROXIES_MESSAGE }),
  METRICS_PORT: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ message: 'must be a port number (0-65535)' })
      .int()
      .min(0)
      .max(65535)
      .optional(),
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  OTEL_SERVICE_NAME: optionalString,
  SESSION_COOKIE: flag,
  SESSION_COOKIE_NAME: optionalString.pipe(
    z
      .string()
      .regex(/^[!#$%&'*+.^`|~\w-]+$/, 'must be a cookie name (letters, digits, - and _ are safe)')
      .optional(),
  ),
  SESSION_COOKIE_DOMAIN: optionalString.pipe(
    z
      .string()
      .regex(/^\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i, 'must be a domain name')
      .optional(),
  ),
  SESSION_COOKIE_EXPOSE_TOKEN: flag,
});

/** Every environment variable the gateway reads (compose.yaml and .env.example are checked against it). */
export const gatewaySettingNames: readonly string[] = Object.keys(envSchema.shape);

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
  /** Consecutive failed calls that open the circuit breaker (0: no breaker); default 5. */
  breakerThreshold?: number | undefined;
  /** How long the circuit stays open before a trial call; default 10 s. */
  breakerHalfOpenAfterMs?: number | undefined;
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
  /** How long in-flight requests, uploads and sockets get to finish after SIGTERM/SIGINT. */
  shutdownGraceMs: number;
  /** Requests the instance sends itself before `/readyz` says ready (src/server/warm-up.ts); 0 for none. */
  warmUpRequests: number;
  sessionExpiringLeadSeconds: number;
  sessionExtendedThrottleSeconds: number;
  /** Shared by all instances on one Redis; tokens are stored there only as this key's HMAC. */
  sessionTokenHashKey: string | undefined;
  redisKeyPrefix: string | undefined;
  /**
   * `apq`: any operation, plus automatic persisted queries. `only`: trusted documents, the
   * operations of the manifest (`npm run codegen`) and nothing else.
   */
  persistedOperations: { mode: 'apq' } | { mode: 'only'; manifest: string };
  files: FilesConfig;
  /**
   * Peers (addresses or CIDRs, proxy-addr's syntax) whose `X-Forwarded-For` is believed for
   * the client address; none by default.
   */
  trustedProxies: readonly string[];
  security: SecurityConfig;
  /** Operation, request and fan-out limits (issue 9). */
  limits: LimitsConfig;
  /** Introspection queries; off by default with NODE_ENV=production (GRAPHQL_INTROSPECTION). */
  introspection: boolean;
  /** GraphiQL on GET /graphql; off by default with NODE_ENV=production (GRAPHIQL). */
  graphiql: boolean;
  /** Origins allowed to call the gateway from a browser, with credentials (CORS_ORIGINS); none by default. */
  corsOrigins: readonly string[];
  /** Metrics, traces and request logs (issue 11). */
  observability: ObservabilityConfig;
  /** Browser cookie sessions (issue 11); undefined when `SESSION_COOKIE` is off. */
  sessionCookie: SessionCookieConfig | undefined;
}

export interface ObservabilityConfig {
  /** `/metrics` on this port instead of the public one; undefined keeps it on the public port. */
  metricsPort: number | undefined;
  /** OTLP/HTTP traces go here; undefined means tracing is off and no OpenTelemetry module loads. */
  tracesEndpoint: string | undefined;
  serviceName: string;
}

export interface SessionCookieConfig {
  name: string;
  domain: string | undefined;
  /** Session.token answers the token too (otherwise an empty string). */
  exposeToken: boolean;
  /** Production always sets `Secure`; elsewhere it is left off for plain-HTTP loopback requests. */
  production: boolean;
}

/** Account security (issue 8). */
export interface SecurityConfig {
  /** Attempt limits per operation (`RATE_LIMIT_*`). */
  limits: AttemptLimitsConfig;
  /** Personal `User` fields anyone who can read the user may see (`PUBLIC_USER_FIELDS`). */
  publicUserFields: readonly PersonalField[];
}

/** What one request, operation, socket or client address may cost (issue 9). */
export interface LimitsConfig {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
  /** How deeply the variables of one operation may nest. */
  maxVariableDepth: number;
  /** JSON and GET requests; multipart uploads keep their own limit. */
  maxRequestBytes: number;
  wsMaxPayloadBytes: number;
  maxSubscriptionsPerConnection: number;
  maxSseStreamsPerAddress: number;
  /** Upstream calls one operation may have in flight at once; the rest queue. */
  upstreamConcurrencyPerOperation: number;
  /** Field suggestions ("Did you mean …?") in validation errors; off in production. */
  fieldSuggestions: boolean;
}

/** Uploads and file URLs (issue 5). */
export interface FilesConfig {
  maxUploadBytes: number;
  /** For `uploadFile`; entries may be `type/*`. */
  allowedContentTypes: readonly string[];
  /** For avatars, checked against the bytes. */
  avatarContentTypes: readonly string[];
  /** Signs private file URLs; unset outside production means a random key per process. */
  urlSigningKey: string | undefined;
  urlTtlSeconds: number;
  /** The origin browsers reach the gateway at; unset means the address it listens on. */
  publicUrl: string | undefined;
  /** Hosts private file bytes may be streamed from; unset means the upstream's origin. */
  sourceOrigins: readonly string[] | undefined;
  /**
   * Public files (and avatars) are handed out as `<gateway>/files/public/<uid>` and streamed
   * from the upstream, instead of as the upstream's own URL: on by default with the embedded
   * local users service, whose loopback port a browser cannot reach.
   */
  publicViaGateway: boolean;
  uploadTimeoutMs: number;
}

export const DEFAULT_SESSION_COOKIE_NAME = 'cube_session';

/** The standard OTLP rule: the traces endpoint as given, else `<endpoint>/v1/traces`. */
function tracesEndpoint(traces: string | undefined, base: string | undefined): string | undefined {
  if (traces) return traces;
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
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
    breakerThreshold: e.UPSTREAM_BREAKER_THRESHOLD,
    breakerHalfOpenAfterMs: e.UPSTREAM_BREAKER_HALF_OPEN_MS,
  };
  if (e.NODE_ENV === 'production' && !e.FILE_URL_SIGNING_KEY) {
    throw new ConfigError(
      `Invalid gateway settings: NODE_ENV=production needs FILE_URL_SIGNING_KEY (${MIN_SIGNING_SECRET_BYTES}+ characters, the same on every instance).`,
    );
  }
  if (e.NODE_ENV === 'production' && !e.UPSTREAM_URL && !e.LOCAL_SERVICE_EMBEDDED) {
    throw new ConfigError(
      'Invalid gateway settings: NODE_ENV=production needs UPSTREAM_URL (set LOCAL_SERVICE_EMBEDDED=1 to run the embedded local users service on purpose).',
    );
  }
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
  if (e.PERSISTED_OPERATIONS === 'only' && !e.PERSISTED_OPERATIONS_MANIFEST) {
    throw new ConfigError(
      'Invalid gateway settings: PERSISTED_OPERATIONS=only needs PERSISTED_OPERATIONS_MANIFEST (the persisted-documents.json of npm run codegen).',
    );
  }
  if (e.REDIS_URL && (e.SESSION_TOKEN_HASH_KEY?.length ?? 0) < MIN_TOKEN_HASH_KEY_LENGTH) {
    throw new ConfigError(
      `Invalid gateway settings: REDIS_URL needs SESSION_TOKEN_HASH_KEY (${MIN_TOKEN_HASH_KEY_LENGTH}+ characters, the same on every instance).`,
    );
  }
  return {
    port: e.PORT,
    host: e.HOST ?? (insideContainer() ? '0.0.0.0' : '127.0.0.1'),
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    upstream,
    upstreamDefaults,
    redisUrl: e.REDIS_URL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    // Production instances take traffic the moment they are ready; elsewhere a start is not worth slowing.
    warmUpRequests: e.WARM_UP_REQUESTS ?? (e.NODE_ENV === 'production' ? DEFAULT_WARM_UP_REQUESTS : 0),
    sessionExpiringLeadSeconds: e.SESSION_EXPIRING_LEAD_SECONDS,
    sessionExtendedThrottleSeconds: e.SESSION_EXTENDED_THROTTLE_SECONDS,
    sessionTokenHashKey: e.SESSION_TOKEN_HASH_KEY,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    persistedOperations:
      e.PERSISTED_OPERATIONS === 'only'
        ? { mode: 'only', manifest: e.PERSISTED_OPERATIONS_MANIFEST as string }
        : { mode: 'apq' },
    files: {
      maxUploadBytes: e.UPLOAD_MAX_BYTES,
      allowedContentTypes: e.UPLOAD_ALLOWED_TYPES ?? DEFAULT_ALLOWED_CONTENT_TYPES,
      avatarContentTypes: e.AVATAR_ALLOWED_TYPES ?? DEFAULT_AVATAR_CONTENT_TYPES,
      urlSigningKey: e.FILE_URL_SIGNING_KEY,
      urlTtlSeconds: e.FILE_URL_TTL_SECONDS,
      publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
      sourceOrigins: e.FILE_SOURCE_ORIGINS?.map((origin) => new URL(origin).origin),
      uploadTimeoutMs: e.UPLOAD_TIMEOUT_MS,
      publicViaGateway: e.PUBLIC_FILES_VIA_GATEWAY ?? !e.UPSTREAM_URL,
    },
    trustedProxies: e.TRUSTED_PROXIES ?? [],
    security: {
      limits: readLimits(e as unknown as Record<string, unknown>),
      publicUserFields: e.PUBLIC_USER_FIELDS ?? [],
    },
    limits: {
      maxDepth: e.MAX_QUERY_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxTokens: e.MAX_TOKENS,
      maxDirectives: e.MAX_DIRECTIVES,
      maxCost: e.MAX_QUERY_COST,
      maxVariableDepth: e.MAX_VARIABLE_DEPTH,
      maxRequestBytes: e.MAX_REQUEST_BYTES,
      wsMaxPayloadBytes: e.WS_MAX_PAYLOAD_BYTES,
      maxSubscriptionsPerConnection: e.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxSseStreamsPerAddress: e.MAX_SSE_STREAMS_PER_ADDRESS,
      upstreamConcurrencyPerOperation: e.UPSTREAM_CONCURRENCY_PER_OPERATION,
      fieldSuggestions: e.NODE_ENV !== 'production',
    },
    introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
    graphiql: e.GRAPHIQL ?? e.NODE_ENV !== 'production',
    corsOrigins: (e.CORS_ORIGINS ?? []).map((origin) => new URL(origin).origin),
    observability: {
      metricsPort: e.METRICS_PORT,
      tracesEndpoint: tracesEndpoint(e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, e.OTEL_EXPORTER_OTLP_ENDPOINT),
      serviceName: e.OTEL_SERVICE_NAME ?? 'cube-gateway',
    },
    sessionCookie: e.SESSION_COOKIE
      ? {
          name: e.SESSION_COOKIE_NAME ?? DEFAULT_SESSION_COOKIE_NAME,
          domain: e.SESSION_COOKIE_DOMAIN,
          exposeToken: e.SESSION_COOKIE_EXPOSE_TOKEN ?? false,
          production: e.NODE_ENV === 'production',
        }
      : undefined,
  };
}

/** The attempt limits: each `RATE_LIMIT_*` setting given replaces its default. */
function readLimits(parsed: Record<string, unknown>): AttemptLimitsConfig {
  const limits = defaultLimits();
  for (const operation of limitedOperations) {
    for (const scope of ['perAddress', 'perIdentity'] as const) {
      const value = parsed[limitSettingName(operation, scope)];
      if (value !== undefined) limits[operation][scope] = value as AttemptLimitsConfig[typeof operation][typeof scope];
    }
  }
  return limits;
}
