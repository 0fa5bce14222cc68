import type { Dispatcher } from 'undici';
import { ProviderVerificationError } from './errors.ts';
import { errorForStatus, getProviderJson, providerEndpoint } from './http.ts';

/** A template as the application stores it: a JSON object, or its JSON text. */
export type IdentityTemplate = string | Readonly<Record<string, unknown>>;

export interface CustomIdentityOptions {
  /** The application's external verification URL. */
  url: string;
  /** Query parameters to send, e.g. `{"token": "#{login}"}`. */
  requestParams: IdentityTemplate;
  /** Where the reply holds the identity, e.g. `{"uid": "#{user.id}"}`. */
  responseParams: IdentityTemplate;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

export interface CustomIdentity {
  uid: string;
  /** The response template's other keys that resolved, e.g. `login`, `email`. */
  attributes: Record<string, string>;
}

const provider = 'Custom identity provider';
const placeholder = /#\{([^}]*)\}/g;
const wholePlaceholder = /^#\{([^}]+)\}$/;

/** Sends the login to the application's identity provider and reads the uid it answers. */
export async function verifyCustomIdentity(login: string, options: CustomIdentityOptions): Promise<CustomIdentity> {
  if (login === '') throw new ProviderVerificationError(`${provider}: login is missing`);
  const requestParams = parseTemplate(options.requestParams);
  const responseParams = parseTemplate(options.responseParams);
  if (typeof responseParams.uid !== 'string') throw misconfigured();

  const url = providerEndpoint(options.url, '', provider);
  const values: Record<string, string> = { login };
  for (const [name, template] of Object.entries(requestParams)) {
    url.searchParams.append(name, fill(template, values));
  }
  const reply = await getProviderJson(url, {
    provider,
    timeoutMs: options.timeoutMs,
    dispatcher: options.dispatcher,
  });
  if (reply.statusCode < 200 || reply.statusCode > 299) {
    throw errorForStatus(reply.statusCode, provider, `${provider} refused the login`);
  }
  const uid = resolve(reply.body, responseParams.uid);
  if (uid === undefined) {
    throw new ProviderVerificationError(`${provider} returned no user id`, 'unavailable');
  }
  const attributes: Record<string, string> = {};
  for (const [name, template] of Object.entries(responseParams)) {
    if (name === 'uid' || typeof template !== 'string') continue;
    const value = resolve(reply.body, template);
    if (value !== undefined) attributes[name] = value;
  }
  return { uid, attributes };
}

function misconfigured(cause?: unknown): ProviderVerificationError {
  return new ProviderVerificationError(`${provider} is misconfigured`, 'misconfigured', { cause });
}

function parseTemplate(template: IdentityTemplate): Readonly<Record<string, unknown>> {
  let value: unknown = template;
  if (typeof template === 'string') {
    try {
      value = JSON.parse(template);
    } catch (error) {
      throw misconfigured(error);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw misconfigured();
  return value as Readonly<Record<string, unknown>>;
}

/** Replaces `#{name}` with the named value; an unknown name is a settings mistake. */
function fill(template: unknown, values: Record<string, string>): string {
  if (typeof template !== 'string' && typeof template !== 'number') throw misconfigured();
  return String(template).replace(placeholder, (_, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) throw misconfigured();
    return value;
  });
}

/** Follows `#{a.b.c}` through the reply; only a non-empty string or a finite number counts. */
function resolve(reply: unknown, template: string): string | undefined {
  const path = wholePlaceholder.exec(template)?.[1];
  if (path === undefined) throw misconfigured();
  let node: unknown = reply;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node === 'string' && node !== '') return node;
  if (typeof node === 'number' && Number.isFinite(node)) return String(node);
  return undefined;
}
