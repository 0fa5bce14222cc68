import { createHmac } from 'node:crypto';
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
  /** The application's own Facebook app: only tokens issued for it log in. */
  app: { id: string; secret: string };
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

const debugToken = z.object({
  data: z.object({
    app_id: z.union([z.string(), z.number()]).transform(String).optional(),
    is_valid: z.boolean(),
    user_id: z.union([z.string(), z.number()]).transform(String).optional(),
  }),
});

const graphMe = z.object({
  id: z.string().min(1),
  name: z.string().nullish(),
  email: z.string().nullish(),
});

/** `appsecret_proof`: HMAC-SHA256 of the access token keyed by the app secret, in hex. */
export function appSecretProof(accessToken: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

/**
 * A Facebook user token logs in only when the Graph API's `debug_token`, asked with the
 * app's own access token, says it is valid and was issued for this app: a token from any
 * other app (which that app's owner holds for every user of theirs) is refused. The profile
 * is then read with the token and its `appsecret_proof`.
 */
export async function verifyFacebookToken(accessToken: string, options: FacebookOptions): Promise<FacebookIdentity> {
  if (accessToken === '') throw new ProviderVerificationError('Facebook access token is missing');
  const call = { provider: 'Facebook', timeoutMs: options.timeoutMs, dispatcher: options.dispatcher };
  const { id: appId, secret: appSecret } = options.app;

  const appToken = `${appId}|${appSecret}`;
  const debugUrl = providerEndpoint(options.graphUrl, 'debug_token', 'Facebook');
  debugUrl.searchParams.set('input_token', accessToken);
  debugUrl.searchParams.set('access_token', appToken);
  debugUrl.searchParams.set('appsecret_proof', appSecretProof(appToken, appSecret));
  const debug = await getProviderJson(debugUrl, call);
  if (debug.statusCode !== 200) {
    throw errorForStatus(debug.statusCode, 'Facebook', 'Facebook access token is not valid');
  }
  const token = debugToken.safeParse(debug.body);
  if (!token.success) throw new ProviderVerificationError('Facebook sent an unreadable token check', 'unavailable');
  const { is_valid: isValid, app_id: issuedFor, user_id: userId } = token.data.data;
  if (!isValid || !userId) throw new ProviderVerificationError('Facebook access token is not valid');
  if (issuedFor !== appId) throw new ProviderVerificationError('Facebook access token was issued for another app');

  const meUrl = providerEndpoint(options.graphUrl, 'me', 'Facebook');
  meUrl.searchParams.set('fields', 'id,name,email');
  meUrl.searchParams.set('access_token', accessToken);
  meUrl.searchParams.set('appsecret_proof', appSecretProof(accessToken, appSecret));
  const reply = await getProviderJson(meUrl, call);
  if (reply.statusCode !== 200) {
    throw errorForStatus(reply.statusCode, 'Facebook', 'Facebook access token is not valid');
  }
  const me = graphMe.safeParse(reply.body);
  if (!me.success) throw new ProviderVerificationError('Facebook returned no user id', 'unavailable');
  const { id, name, email } = me.data;
  if (id !== userId) throw new ProviderVerificationError('Facebook access token is not valid');
  return { id, ...(name ? { name } : {}), ...(email ? { email } : {}) };
}
