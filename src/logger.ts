import { type Logger, pino } from 'pino';

/** The gateway's logger. Tokens, auth keys and secrets are redacted wherever they appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'cube-gateway' },
    redact: {
      paths: [
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'headers["cb-token"]',
        '*.headers.authorization',
        '*.headers["cb-token"]',
        'authKey',
        'authSecret',
        '*.authKey',
        '*.authSecret',
        'password',
        '*.password',
      ],
      censor: '[redacted]',
    },
  });
}
