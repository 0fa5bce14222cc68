import qs from 'qs';

export interface RestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RestRequest {
  token?: string;
  /** Sent as a JSON body. */
  json?: unknown;
  /** Sent as an `application/x-www-form-urlencoded` body, Rails-style nesting. */
  form?: Record<string, unknown>;
  /** Appended as a Rails-style query string (`id[in][]=1`). */
  query?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** A thin REST client for the local service's wire format, as an SDK would speak it. */
export function restClient(baseUrl: string) {
  async function call<T = any>(method: string, path: string, options: RestRequest = {}): Promise<RestResponse<T>> {
    const search = options.query ? `?${qs.stringify(options.query, { arrayFormat: 'brackets' })}` : '';
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['CB-Token'] = options.token;
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = qs.stringify(options.form);
    }
    const response = await fetch(`${baseUrl}${path}${search}`, { method, headers, body, redirect: 'manual' });
    const text = await response.text();
    let parsed: unknown = text;
    if (text && response.headers.get('content-type')?.includes('json')) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T };
  }
  return {
    call,
    get: <T = any>(path: string, options?: RestRequest) => call<T>('GET', path, options),
    post: <T = any>(path: string, options?: RestRequest) => call<T>('POST', path, options),
    put: <T = any>(path: string, options?: RestRequest) => call<T>('PUT', path, options),
    delete: <T = any>(path: string, options?: RestRequest) => call<T>('DELETE', path, options),
  };
}

export type RestClient = ReturnType<typeof restClient>;

/** Session helpers shared by the local-service tests. */
export function sessionsFor(api: RestClient, application: { id: number; authKey: string }) {
  const credentials = { application_id: application.id, auth_key: application.authKey };
  return {
    async applicationToken(): Promise<string> {
      const response = await api.post('/session', { json: credentials });
      if (response.status !== 201) throw new Error(`app session failed: ${JSON.stringify(response.body)}`);
      return response.body.session.token;
    },
    async signUp(user: Record<string, unknown>): Promise<any> {
      const token = await this.applicationToken();
      const response = await api.post('/users', { token, json: { user } });
      if (response.status !== 201) throw new Error(`sign-up failed: ${JSON.stringify(response.body)}`);
      return response.body.user;
    },
    async userToken(login: string, password: string): Promise<string> {
      const response = await api.post('/session', { json: { ...credentials, user: { login, password } } });
      if (response.status !== 201) throw new Error(`login failed: ${JSON.stringify(response.body)}`);
      return response.body.session.token;
    },
  };
}
