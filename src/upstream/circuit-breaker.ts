import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  IsolatedCircuitError,
} from 'cockatiel';

/** Consecutive failed upstream calls that open the circuit. */
export const DEFAULT_BREAKER_THRESHOLD = 5;
/** How long the circuit stays open before one trial call is let through. */
export const DEFAULT_BREAKER_HALF_OPEN_AFTER_MS = 10_000;

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit; 0 turns the breaker off. */
  threshold: number;
  halfOpenAfterMs: number;
}

const stateNames: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * The circuit breaker in front of the users/auth API (cockatiel). Only failures of the
 * upstream itself count: what `counts` says (transport errors, timeouts, 5xx, unreadable
 * answers), never a 4xx reply, which is the upstream working. While open, calls fail at once
 * (the client answers UPSTREAM_UNAVAILABLE) instead of waiting for timeouts; after `halfOpenAfterMs` one call
 * is let through, and its outcome closes or reopens the circuit.
 */
export class UpstreamBreaker {
  readonly #policy: ReturnType<typeof circuitBreaker> | undefined;

  constructor(options: BreakerOptions, counts: (error: Error) => boolean) {
    if (options.threshold <= 0) return;
    this.#policy = circuitBreaker(handleWhen(counts), {
      breaker: new ConsecutiveBreaker(options.threshold),
      halfOpenAfter: options.halfOpenAfterMs,
    });
  }

  /** What metrics and `/readyz` read. */
  get state(): BreakerState {
    return this.#policy ? stateNames[this.#policy.state] : 'closed';
  }

  /** Called on every transition; returns a function that stops listening. */
  onStateChange(listener: (state: BreakerState) => void): () => void {
    if (!this.#policy) return () => {};
    const subscription = this.#policy.onStateChange((state) => listener(stateNames[state]));
    return () => subscription.dispose();
  }

  /** Runs `call`, or throws what `refused` makes (without calling) while the circuit is open. */
  async execute<T>(call: () => Promise<T>, refused: () => Error): Promise<T> {
    if (!this.#policy) return call();
    try {
      return await this.#policy.execute(call);
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) throw refused();
      throw error;
    }
  }
}
