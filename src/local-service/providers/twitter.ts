import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { ProviderVerificationError } from './errors.ts';
import { errorForStatus, getProviderJson, providerEndpoint } from './http.ts';
import { oauth1AuthorizationHeader } from './oauth1.ts';

export interface TwitterIdentity {
  id: string;
  name?: string;
  screenName?: string;
}

export interface TwitterOptions {
  /** API base, e.g. https://api.twitter.com. */
  apiUrl: string;
  /** The application's credentials; optional so settings can be passed as they are. */
  consumerKey?: string;
  consumerSecret?: string;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

const credentials = z.object({
  // id_str is exact; the numeric id can exceed 2^53.
  id_str: z.string().min(1).optional(),
  id: z.union([z.number(), z.string().min(1)]).optional(),
  name: z.string().nullish(),
  screen_name: z.string().nullish(),
});

/** Calls verify_credentials signed as the user (OAuth 1.0a, HMAC-SHA1). */
export async function verifyTwitterToken(
  token: string,
  secret: string,
  options: TwitterOptions,
): Promise<TwitterIdentity> {
  const { consumerKey, consumerSecret } = options;
  if (!consumerKey || !consumerSecret) {
    throw new ProviderVerificationError('Twitter login is not configured', 'misconfigured');
  }
  if (token === '' || secret === '') {
    throw new ProviderVerificationError('Twitter token and secret are required');
  }
  const url = providerEndpoint(options.apiUrl, '1.1/account/verify_credentials.json', 'Twitter');
  url.searchParams.set('skip_status', 'true');
  const authorization = oauth1AuthorizationHeader({
    method: 'GET',
    url,
    consumerKey,
    consumerSecret,
    token,
    tokenSecret: secret,
  });
  const reply = await getProviderJson(url, {
    provider: 'Twitter',
    headers: { authorization },
    timeoutMs: options.timeoutMs,
    dispatcher: options.dispatcher,
  });
  if (reply.statusCode !== 200) {
    throw errorForStatus(reply.statusCode, 'Twitter', 'Twitter token is not valid');
  }
  const parsed = credentials.safeParse(reply.body);
  const id = parsed.success ? (parsed.data.id_str ?? parsed.data.id) : undefined;
  if (!parsed.success || id === undefined) {
    throw new ProviderVerificationError('Twitter returned no user id', 'unavailable');
  }
  const { name, screen_name: screenName } = parsed.data;
  return {
    id: String(id),
    ...(name ? { name } : {}),
    ...(screenName ? { screenName } : {}),
  };
}
