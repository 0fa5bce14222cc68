import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { ProviderVerificationError } from './errors.ts';
import { errorForStatus, getProviderJson, providerEndpoint } from './http.ts';

export interface FacebookIdentity {
  id: string;
  name?: string;
  email?: string;
}

export interface FacebookOptions {
  /** Graph API base, e.g. https://graph.facebook.com (a version path may follow). */
  graphUrl: string;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

const graphMe = z.object({
  id: z.string().min(1),
  name: z.string().nullish(),
  email: z.string().nullish(),
});

/** Asks the Graph API who owns the access token; the token is valid if it names a user. */
export async function verifyFacebookToken(accessToken: string, options: FacebookOptions): Promise<FacebookIdentity> {
  if (accessToken === '') throw new ProviderVerificationError('Facebook access token is missing');
  const url = providerEndpoint(options.graphUrl, 'me', 'Facebook');
  url.searchParams.set('fields', 'id,name,email');
  url.searchParams.set('access_token', accessToken);
  const reply = await getProviderJson(url, {
    provider: 'Facebook',
    timeoutMs: options.timeoutMs,
    dispatcher: options.dispatcher,
  });
  if (reply.statusCode !== 200) {
    throw errorForStatus(reply.statusCode, 'Facebook', 'Facebook access token is not valid');
  }
  const me = graphMe.safeParse(reply.body);
  if (!me.success) throw new ProviderVerificationError('Facebook returned no user id', 'unavailable');
  const { id, name, email } = me.data;
  return { id, ...(name ? { name } : {}), ...(email ? { email } : {}) };
}
