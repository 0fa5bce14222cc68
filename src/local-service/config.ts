import { z } from 'zod';
import { isTrustedProxyList, TRUSTED_PROXIES_MESSAGE } from '../protocol/trusted-proxies.ts';
import type { LocalServiceOptions } from './app.ts';
import { defaultProviderSettings, type ProviderSettings } from './providers/settings.ts';

/** Options with every default filled in; tests spread overrides over these. */
export function localServiceDefaults(): LocalServiceOptions {
  return {
    dataDir: '.data',
    sessionTtlSeconds: 7200,
    guestSessionTtlSeconds: 86_400,
    resetTokenTtlSeconds: 3600,
    failedLoginLimit: 5,
    failedLoginWindowSeconds: 900,
    maxBlobBytes: 100 * 1024 * 1024,
    uploadUrlTtlSeconds: 3600,
    sweepIntervalSeconds: 60,
    trustedProxies: [],
    production: false,
    providers: { ...defaultProviderSettings },
  };
}

const optionalString = z
  .string()
  .trim()
  .transform((value) => value || undefined)
  .optional();
const positiveInt = z.coerce.number().int().positive();
const booleanSetting = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1')
  .optional();
/** `a, b, c`: trimmed, empty items dropped; unset (or empty) is undefined. */
const commaList = optionalString.transform((value) =>
  value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);
const trustedProxies = commaList.refine(isTrustedProxyList, { message: TRUSTED_PROXIES_MESSAGE });
// Google Cloud project ids: 6-30 lowercase letters, digits and hyphens, starting with a letter.
const firebaseProjectIds = commaList.refine(
  (list) => (list ?? []).every((id) => /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(id)),
  {
    message: 'must be a comma list of Firebase project ids (e.g. my-app-1234)',
  },
);
/** A setting that no longer exists: naming it is an error that says what replaced it. */
const retired = (message: string) =>
  z
    .string()
    .optional()
    .refine((value) => value === undefined, { message: `retired: ${message}` });

/** A CIdP template such as `{"token": "#{login}"}`. */
const jsonTemplate = z
  .string()
  .transform((text, ctx) => {
    try {
      return z.record(z.string(), z.string()).parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of strings, e.g. {"token": "#{login}"}' });
      return z.NEVER;
    }
  })
  .optional();

const envSchema = z
  .object({
    LOCAL_SERVICE_PORT: z.coerce.number().int().min(0).max(65_535).default(4001),
    LOCAL_SERVICE_HOST: z.string().default('127.0.0.1'),
    LOCAL_SERVICE_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    LOCAL_SERVICE_TRUSTED_PROXIES: trustedProxies,
    NODE_ENV: optionalString,
    // The same setting as the gateway's; `npm start` runs this service at `warn` whatever it says.
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.string().min(1).default('.data'),
    DATABASE_URL: optionalString.pipe(
      z
        .url({
          protocol: /^postgres(ql)?$/,
          error: 'must be a PostgreSQL URL such as postgres://user:password@host:5432/database',
        })
        .optional(),
    ),
    SESSION_TTL_SECONDS: positiveInt.default(7200),
    GUEST_SESSION_TTL_SECONDS: positiveInt.default(86_400),
    LOCAL_APP_ID: positiveInt.optional(),
    LOCAL_AUTH_KEY: optionalString,
    LOCAL_AUTH_SECRET: optionalString,
    LOCAL_APP_USERS_LIST_ALLOWED: booleanSetting,
    LOCAL_APP_SESSION_CREATES_USER: booleanSetting,
    LOCAL_APP_SESSIONS_WITHOUT_USER_ALLOWED: retired(
      'ConnectyCube has no such setting; LOCAL_APP_SESSION_CREATES_USER is "Session creation without an existing user entity"',
    ),
    LOCAL_APP_FIREBASE_PROJECT_IDS: firebaseProjectIds,
    LOCAL_APP_FACEBOOK_APP_ID: optionalString.pipe(
      z
        .string()
        .regex(/^\d{1,32}$/, 'must be the numeric Facebook app id')
        .optional(),
    ),
    LOCAL_APP_FACEBOOK_APP_SECRET: optionalString.pipe(
      z
        .string()
        .regex(/^[0-9a-f]{32}$/i, 'must be the 32 hex digit Facebook app secret')
        .optional(),
    ),
    LOCAL_APP_CIDP_URL: z.url().optional(),
    LOCAL_APP_CIDP_REQUEST_PARAMS: jsonTemplate,
    LOCAL_APP_CIDP_RESPONSE_PARAMS: jsonTemplate,
    SMTP_URL: optionalString,
    MAIL_FROM: z.string().default('cube-gateway <no-reply@localhost>'),
    FACEBOOK_GRAPH_URL: z.url().optional(),
    TWITTER_API_URL: z.url().optional(),
    TWITTER_CONSUMER_KEY: optionalString,
    TWITTER_CONSUMER_SECRET: optionalString,
    FIREBASE_JWKS_URL: z.url().optional(),
  })
  .refine((e) => (e.LOCAL_APP_FACEBOOK_APP_ID === undefined) === (e.LOCAL_APP_FACEBOOK_APP_SECRET === undefined), {
    path: ['LOCAL_APP_FACEBOOK_APP_SECRET'],
    message: 'LOCAL_APP_FACEBOOK_APP_ID and LOCAL_APP_FACEBOOK_APP_SECRET are set together',
  });

/** Every environment variable the local service reads (compose.yaml and .env.example are checked against it). */
export const localServiceSettingNames: readonly string[] = Object.keys(envSchema.shape);

export interface LocalServiceConfig extends LocalServiceOptions {
  port: number;
  host: string;
}

/** Settings that cannot be used: one line per setting, naming it. */
export class LocalServiceConfigError extends Error {
  override name = 'LocalServiceConfigError';
}

/** The local service's only reader of the environment; validated once at start-up. */
export function loadLocalServiceConfig(env: NodeJS.ProcessEnv = process.env): LocalServiceConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `Invalid local service settings: ${issue.path.join('.')}: ${issue.message}`,
    );
    throw new LocalServiceConfigError(problems.join('\n'));
  }
  const e = parsed.data;
  const defaults = localServiceDefaults();
  const providers: ProviderSettings = {
    ...defaults.providers,
    ...(e.FACEBOOK_GRAPH_URL && { facebookGraphUrl: e.FACEBOOK_GRAPH_URL }),
    ...(e.TWITTER_API_URL && { twitterApiUrl: e.TWITTER_API_URL }),
    ...(e.TWITTER_CONSUMER_KEY && { twitterConsumerKey: e.TWITTER_CONSUMER_KEY }),
    ...(e.TWITTER_CONSUMER_SECRET && { twitterConsumerSecret: e.TWITTER_CONSUMER_SECRET }),
    ...(e.FIREBASE_JWKS_URL && { firebaseJwksUrl: e.FIREBASE_JWKS_URL }),
  };
  return {
    ...defaults,
    port: e.LOCAL_SERVICE_PORT,
    host: e.LOCAL_SERVICE_HOST,
    publicUrl: e.LOCAL_SERVICE_PUBLIC_URL,
    trustedProxies: e.LOCAL_SERVICE_TRUSTED_PROXIES ?? [],
    production: e.NODE_ENV === 'production',
    logLevel: e.LOG_LEVEL,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    guestSessionTtlSeconds: e.GUEST_SESSION_TTL_SECONDS,
    application: { id: e.LOCAL_APP_ID, authKey: e.LOCAL_AUTH_KEY, authSecret: e.LOCAL_AUTH_SECRET },
    applicationSettings: {
      ...(e.LOCAL_APP_USERS_LIST_ALLOWED !== undefined && { usersListAllowed: e.LOCAL_APP_USERS_LIST_ALLOWED }),
      ...(e.LOCAL_APP_SESSION_CREATES_USER !== undefined && { sessionCreatesUser: e.LOCAL_APP_SESSION_CREATES_USER }),
      ...(e.LOCAL_APP_FIREBASE_PROJECT_IDS && { firebaseProjectIds: e.LOCAL_APP_FIREBASE_PROJECT_IDS }),
      ...(e.LOCAL_APP_FACEBOOK_APP_ID &&
        e.LOCAL_APP_FACEBOOK_APP_SECRET && {
          facebookApp: { id: e.LOCAL_APP_FACEBOOK_APP_ID, secret: e.LOCAL_APP_FACEBOOK_APP_SECRET },
        }),
      ...(e.LOCAL_APP_CIDP_URL && {
        cidp: {
          url: e.LOCAL_APP_CIDP_URL,
          requestParams: e.LOCAL_APP_CIDP_REQUEST_PARAMS ?? { token: '#{login}' },
          responseParams: e.LOCAL_APP_CIDP_RESPONSE_PARAMS ?? { uid: '#{user.id}' },
        },
      }),
    },
    smtp: e.SMTP_URL ? { url: e.SMTP_URL, from: e.MAIL_FROM } : undefined,
    providers,
  };
}
