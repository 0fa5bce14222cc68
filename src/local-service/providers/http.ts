import { type Dispatcher, request } from 'undici';
import { ProviderVerificationError } from './errors.ts';

/** A login waits on the provider, so the provider gets little time. */
export const providerTimeoutMs = 5_000;
// Provider replies are a few hundred bytes; anything far larger is not one.
const maxReplyBytes = 1_048_576;

export interface ProviderCallOptions {
  /** Provider name for messages, e.g. 'Facebook'. */
  provider: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

export interface ProviderReply {
  statusCode: number;
  /** Parsed JSON for 2xx replies; undefined otherwise (the body is discarded). */
  body: unknown;
}

/** `path` under `base`, keeping base's own path (e.g. a Graph API version); '' is base itself. */
export function providerEndpoint(base: string, path: string, provider: string): URL {
  try {
    const url = path === '' ? new URL(base) : new URL(path, base.endsWith('/') ? base : `${base}/`);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(url.protocol);
    return url;
  } catch (error) {
    throw new ProviderVerificationError(`${provider} login is misconfigured`, 'misconfigured', {
      cause: error,
    });
  }
}

/** The error for a non-2xx reply: rate limits and server errors are not the token's fault. */
export function errorForStatus(
  statusCode: number,
  provider: string,
  rejectedMessage: string,
): ProviderVerificationError {
  return statusCode === 429 || statusCode >= 500
    ? new ProviderVerificationError(`${provider} is unavailable`, 'unavailable')
    : new ProviderVerificationError(rejectedMessage, 'rejected');
}

/** GET a provider endpoint; the URL may hold a token, so it never goes into a message. */
export async function getProviderJson(url: URL, options: ProviderCallOptions): Promise<ProviderReply> {
  const timeoutMs = options.timeoutMs ?? providerTimeoutMs;
  const unreachable = (cause: unknown) =>
    new ProviderVerificationError(`${options.provider} could not be reached`, 'unavailable', {
      cause,
    });
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json', ...options.headers },
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
  } catch (error) {
    throw unreachable(error);
  }
  const { statusCode, body } = response;
  if (statusCode < 200 || statusCode > 299) {
    await body.dump().catch(() => {});
    return { statusCode, body: undefined };
  }
  let text: string;
  try {
    text = await readLimited(body);
  } catch (error) {
    throw unreachable(error);
  }
  try {
    return { statusCode, body: JSON.parse(text) };
  } catch {
    throw new ProviderVerificationError(`${options.provider} sent a reply that is not JSON`, 'unavailable');
  }
}

async function readLimited(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += buffer.length;
    if (size > maxReplyBytes) {
      body.destroy();
      throw new RangeError('provider reply too large');
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
