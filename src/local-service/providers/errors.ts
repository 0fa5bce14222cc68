/**
 * Why a provider check failed: the provider said no, we could not get a usable answer,
 * or our own settings are wrong. Routes answer 401 for all three; the reason is for logs.
 */
export type ProviderFailure = 'rejected' | 'unavailable' | 'misconfigured';

/** Thrown by every provider check. The message is safe to send to clients (no tokens). */
export class ProviderVerificationError extends Error {
  override readonly name = 'ProviderVerificationError';
  readonly failure: ProviderFailure;

  constructor(message: string, failure: ProviderFailure = 'rejected', options?: ErrorOptions) {
    super(message, options);
    this.failure = failure;
  }
}
