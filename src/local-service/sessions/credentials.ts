import { unprocessable } from '../http/errors.ts';
import { objectParam, type Params, stringParam } from '../http/request-params.ts';

/** What a caller offers to prove who they are, parsed from `POST /session` or `POST /login`. */
export type Credentials =
  | { kind: 'none' }
  | { kind: 'guest'; fullName: string | undefined }
  | { kind: 'password'; field: 'login' | 'email'; value: string; password: string }
  | { kind: 'facebook'; token: string }
  | { kind: 'twitter'; token: string; secret: string }
  | {
      kind: 'firebase';
      provider: 'firebase_phone' | 'firebase_email';
      firebaseKind: 'phone' | 'email';
      projectId: string;
      idToken: string;
    };

const PROVIDERS = ['facebook', 'twitter', 'firebase_phone', 'firebase_email'] as const;

const isProvider = (name: string): name is (typeof PROVIDERS)[number] =>
  (PROVIDERS as readonly string[]).includes(name);

function required(params: Params | undefined, name: string, field: string): string {
  const value = params && stringParam(params, name);
  if (!value) throw unprocessable({ [field]: ['is required'] });
  return value;
}

function providerCredentials(params: Params): Credentials | undefined {
  const provider = stringParam(params, 'provider');
  if (provider === undefined) return undefined;
  if (!isProvider(provider)) throw unprocessable({ provider: [`must be one of ${PROVIDERS.join(', ')}`] });
  if (provider === 'facebook' || provider === 'twitter') {
    const keys = objectParam(params, 'keys');
    const token = required(keys, 'token', 'keys[token]');
    if (provider === 'facebook') return { kind: 'facebook', token };
    return { kind: 'twitter', token, secret: required(keys, 'secret', 'keys[secret]') };
  }
  const firebase = objectParam(params, provider);
  return {
    kind: 'firebase',
    provider,
    firebaseKind: provider === 'firebase_phone' ? 'phone' : 'email',
    projectId: required(firebase, 'project_id', `${provider}[project_id]`),
    idToken: required(firebase, 'access_token', `${provider}[access_token]`),
  };
}

function passwordCredentials(source: Params): Credentials | undefined {
  const login = stringParam(source, 'login');
  const email = stringParam(source, 'email');
  if (login === undefined && email === undefined) return undefined;
  const password = stringParam(source, 'password');
  if (!password) throw unprocessable({ password: ['is required'] });
  return login !== undefined
    ? { kind: 'password', field: 'login', value: login, password }
    : { kind: 'password', field: 'email', value: email ?? '', password };
}

/** `POST /session`: user fields sit under `user`, provider fields at the top level. */
export function sessionCredentials(params: Params): Credentials {
  const provider = providerCredentials(params);
  if (provider) return provider;
  const user = objectParam(params, 'user');
  if (!user) return { kind: 'none' };
  const guest = stringParam(user, 'guest');
  if (guest === '1' || guest === 'true') return { kind: 'guest', fullName: stringParam(user, 'full_name') };
  return passwordCredentials(user) ?? { kind: 'none' };
}

/** `POST /login`: the same fields at the top level (some SDKs still nest them in `user`). */
export function loginCredentials(params: Params): Credentials {
  const provider = providerCredentials(params);
  if (provider) return provider;
  const credentials = passwordCredentials(params) ?? passwordCredentials(objectParam(params, 'user') ?? {});
  if (!credentials) throw unprocessable({ base: ['login or email and password are required'] });
  return credentials;
}
