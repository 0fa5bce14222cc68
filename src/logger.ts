import { type DestinationStream, type Logger, pino } from 'pino';
import { SECRET_FIELDS } from './observability/redaction.ts';
import { currentRequestScope } from './observability/request-scope.ts';

/**
 * The gateway's logger. Every secret field name (tokens, passwords, auth keys, cookies) is
 * redacted at the top level and one level down, and every line written while a request is
 * served carries that request's `requestId` (and `traceId` when tracing is on).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const secretPaths = [...SECRET_FIELDS].flatMap((field) => [field, `*.${field}`]);
  return pino(
    {
      level,
      base: { service: 'cube-gateway' },
      mixin() {
        const scope = currentRequestScope();
        if (!scope) return {};
        return scope.traceId ? { requestId: scope.requestId, traceId: scope.traceId } : { requestId: scope.requestId };
      },
      redact: {
        paths: [
          ...secretPaths,
          'headers["cb-token"]',
          'headers["set-cookie"]',
          '*.headers.authorization',
          '*.headers.cookie',
          '*.headers["cb-token"]',
          '*.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
