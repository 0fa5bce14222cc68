import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The gateway's Prometheus metrics, in a registry of their own (one per app: tests build
 * several in one process). Labels are operation names, route templates, statuses and fixed
 * words only: never a token, login, email, id or raw path.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** One GraphQL operation ended (`seconds` undefined when it never ran: parse or validation failed). */
  operation(name: string | undefined, type: string, outcome: OperationOutcome, seconds?: number): void;
  /** One call to the users/auth REST API; `status` is the HTTP status or `error` (no answer). */
  upstreamCall(method: string, route: string, status: number | 'error', seconds: number): void;
  /** One DataLoader batch of `size` keys. */
  loaderBatch(loader: string, size: number): void;
  webSocketOpened(): void;
  webSocketClosed(): void;
  subscriptionStarted(): void;
  subscriptionEnded(): void;
  sseStreamOpened(): void;
  sseStreamClosed(): void;
  /** A rate limiter refused `operation` (a mutation name or `websocket`, never a caller). */
  rateLimited(operation: string): void;
  /** A circuit breaker changed state. */
  circuitState(circuit: string, state: CircuitState): void;
}

export type OperationOutcome = 'success' | 'error' | 'invalid';
export type CircuitState = 'closed' | 'half_open' | 'open';

const CIRCUIT_STATE_VALUE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

/** Distinct operation names kept as labels; later names count as `other` (clients choose names). */
export const MAX_OPERATION_NAMES = 200;

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100];

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const operationLabels = ['operation_name', 'operation_type', 'outcome'] as const;
  const operations = new Counter({
    name: 'gateway_graphql_operations_total',
    help: 'GraphQL operations by operation name, type (query, mutation, subscription) and outcome (success, error, invalid).',
    labelNames: operationLabels,
    registers: [registry],
  });
  const operationSeconds = new Histogram({
    name: 'gateway_graphql_operation_duration_seconds',
    help: 'Time to execute a GraphQL operation (to the first result for a subscription).',
    labelNames: operationLabels,
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const upstreamLabels = ['method', 'route', 'status'] as const;
  const upstreamCalls = new Counter({
    name: 'gateway_upstream_requests_total',
    help: 'Calls to the users/auth REST API by method, route template and status (error: no answer).',
    labelNames: upstreamLabels,
    registers: [registry],
  });
  const upstreamSeconds = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Latency of calls to the users/auth REST API, to the whole body.',
    labelNames: upstreamLabels,
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const batches = new Histogram({
    name: 'gateway_dataloader_batch_size',
    help: 'Keys per DataLoader batch, by loader.',
    labelNames: ['loader'],
    buckets: BATCH_BUCKETS,
    registers: [registry],
  });
  const webSockets = new Gauge({
    name: 'gateway_websocket_connections',
    help: 'Open, accepted graphql-ws connections.',
    registers: [registry],
  });
  const subscriptions = new Gauge({
    name: 'gateway_subscriptions',
    help: 'Running GraphQL subscriptions (WebSocket and SSE).',
    registers: [registry],
  });
  const sseStreams = new Gauge({
    name: 'gateway_sse_streams',
    help: 'Open Server-Sent Events responses.',
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'gateway_rate_limited_total',
    help: 'Requests refused by a rate limit, by operation.',
    labelNames: ['operation'],
    registers: [registry],
  });
  const circuit = new Gauge({
    name: 'gateway_circuit_breaker_state',
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open.',
    labelNames: ['circuit'],
    registers: [registry],
  });

  const names = new Set<string>();
  const nameLabel = (name: string | undefined) => {
    if (!name) return '(anonymous)';
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES) return 'other';
    names.add(name);
    return name;
  };

  return {
    registry,
    operation(name, type, outcome, seconds) {
      const labels = { operation_name: nameLabel(name), operation_type: type, outcome };
      operations.inc(labels);
      if (seconds !== undefined) operationSeconds.observe(labels, seconds);
    },
    upstreamCall(method, route, status, seconds) {
      const labels = { method, route, status: String(status) };
      upstreamCalls.inc(labels);
      upstreamSeconds.observe(labels, seconds);
    },
    loaderBatch: (loader, size) => batches.observe({ loader }, size),
    webSocketOpened: () => webSockets.inc(),
    webSocketClosed: () => webSockets.dec(),
    subscriptionStarted: () => subscriptions.inc(),
    subscriptionEnded: () => subscriptions.dec(),
    sseStreamOpened: () => sseStreams.inc(),
    sseStreamClosed: () => sseStreams.dec(),
    rateLimited: (operation) => rateLimited.inc({ operation }),
    circuitState: (name, state) => circuit.set({ circuit: name }, CIRCUIT_STATE_VALUE[state]),
  };
}
