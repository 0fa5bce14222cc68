import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * The gateway's logger. Tokens, auth keys and secrets are redacted wherever they appear.
 * Lines go to stdout, or to `destination` (tests read them to prove no secret is logged).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
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
    },
    destination,
  );
}
