import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadBlob } from '../support/blobs.ts';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { restClient } from '../support/rest-client.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

// ConnectyCube's own REST docs as a test: every request example of the auth, users and
// storage pages (data files beside this one, each case naming its page and section) is sent
// as the docs write it, and the answer must have the documented status and the documented
// response's field names and types. The same suite runs on the embedded store and on
// PostgreSQL (both local-service projects of vitest.config.ts include it).

interface ExampleCase {
  source: string;
  request: { method: string; url: string; headers: Record<string, string>; data?: string; forms?: string[] };
  status: number;
  token_of?: string;
  bind?: Record<string, string>;
  differs?: { method?: string; status?: number; absent_fields?: string[]; why: string };
  upload?: { grant: string; bytes: number };
  expect_values?: Record<string, unknown>;
  response?: unknown;
  documented_response_text?: string;
}

interface World {
  application: { id: number; auth_key: string };
  users: ({ login: string; doc_id?: number; password?: string; last_request_at?: string } & Record<string, unknown>)[];
  blobs: {
    owner: string;
    doc_ids: number[];
    doc_uids: string[];
    content_type: string;
    name: string;
    public: boolean;
    bytes: number;
  }[];
}

const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, import.meta.url), 'utf8')) as T;
const world = load<World>('./world.json');
const pages = ['auth', 'users', 'storage'].map((page) => ({
  page,
  cases: load<{ cases: ExampleCase[] }>(`./${page}-examples.json`).cases,
}));
const grammar = load<{ cases: { query: string; valid: boolean; why: string }[] }>('./users-v2-grammar.json').cases;

let local: RunningLocalService;
/** Documented ids and uids → what this service assigned. */
const bindings = new Map<string, string>();
const passwords = new Map<string, string>();

function substitute(text: string): string {
  let result = text;
  for (const [documented, actual] of bindings) {
    result = /^\d+$/.test(documented)
      ? result.replace(new RegExp(`\\b${documented}\\b`, 'g'), actual)
      : result.replaceAll(documented, actual);
  }
  return result;
}

function valueAt(body: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], body);
}

const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/**
 * Where the answer lacks a documented field or has another type. A documented or actual
 * null matches any type: the docs show nullable fields both filled and empty.
 */
function shapeProblems(documented: unknown, actual: unknown, path: string, absent: string[]): string[] {
  if (documented === null || actual === null) return [];
  if (typeOf(documented) !== typeOf(actual)) {
    return [`${path || 'body'}: documented ${typeOf(documented)}, got ${typeOf(actual)}`];
  }
  if (Array.isArray(documented)) {
    const items = actual as unknown[];
    if (documented.length > 0 && items.length === 0) return [`${path}: documented items, got none`];
    return items.flatMap((item, i) => shapeProblems(documented[0], item, `${path}[${i}]`, absent));
  }
  if (typeof documented !== 'object') return [];
  return Object.entries(documented as Record<string, unknown>).flatMap(([key, value]) => {
    const fieldPath = path ? `${path}.${key}` : key;
    if (absent.includes(fieldPath)) return [];
    if (!(key in (actual as Record<string, unknown>))) return [`${fieldPath}: missing`];
    return shapeProblems(value, (actual as Record<string, unknown>)[key], fieldPath, absent);
  });
}

async function tokenOf(login: string): Promise<string> {
  const response = await restClient(local.url).post('/session', {
    json: {
      application_id: world.application.id,
      auth_key: world.application.auth_key,
      user: { login, password: passwords.get(login) ?? PASSWORD },
    },
  });
  if (response.status !== 201) throw new Error(`login of ${login}: ${JSON.stringify(response.body)}`);
  return response.body.session.token;
}

/** The curl command of the docs, sent as written: `-d` on a GET/DELETE is its query string. */
async function send(example: ExampleCase): Promise<{ status: number; text: string; body: unknown }> {
  const { request } = example;
  const method = example.differs?.method ?? request.method;
  const token = example.token_of ? await tokenOf(example.token_of) : undefined;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = value === '<TOKEN>' ? (token ?? '') : value;
  }
  const documented = new URL(request.url);
  let path = substitute(`${documented.pathname}${documented.search}`);
  let body: string | undefined;
  if (request.data !== undefined) {
    const data = substitute(request.data);
    if (method === 'GET' || method === 'DELETE') path += `${path.includes('?') ? '&' : '?'}${data}`;
    else {
      body = data;
      // curl's default for -d.
      headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
    }
  }
  const response = await fetch(`${local.url}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  const body_ = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text;
  return { status: response.status, text, body: body_ };
}

async function upload(example: ExampleCase): Promise<{ status: number; text: string }> {
  const grant = new URL(bindings.get(example.upload?.grant ?? '') ?? '');
  const form = new FormData();
  for (const [name, value] of grant.searchParams) form.append(name, value);
  form.append('file', new Blob([randomBytes(example.upload?.bytes ?? 0)]), 'profile_image.jpg');
  const response = await fetch(`${grant.origin}${grant.pathname}`, { method: 'POST', body: form });
  return { status: response.status, text: await response.text() };
}

beforeAll(async () => {
  local = await startLocalService({
    application: { id: world.application.id, authKey: world.application.auth_key },
  });
  for (const { doc_id, login, password, last_request_at, ...fields } of world.users) {
    const user = await insertUser(local, login, { email: null, ...fields, ...(password && { password }) });
    if (last_request_at) await local.service.deps.users.update(user.id, { last_request_at: new Date(last_request_at) });
    if (password) passwords.set(login, password);
    if (doc_id) bindings.set(String(doc_id), String(user.id));
  }
  for (const blob of world.blobs) {
    const stored = await uploadBlob(
      local.url,
      await tokenOf(blob.owner),
      { name: blob.name, content_type: blob.content_type, public: blob.public },
      new Uint8Array(randomBytes(blob.bytes)),
    );
    for (const id of blob.doc_ids) bindings.set(String(id), String(stored.id));
    for (const uid of blob.doc_uids) bindings.set(uid, stored.uid);
  }
});
afterAll(() => local?.close());

for (const { page, cases } of pages) {
  describe(`server/${page} request examples`, () => {
    for (const example of cases) {
      const expectedStatus = example.differs?.status ?? example.status;
      it(`${example.source}: ${example.differs?.method ?? example.request.method} ${new URL(example.request.url).pathname} → ${expectedStatus}`, async () => {
        if (example.upload) {
          const uploaded = await upload(example);
          expect(uploaded.status).toBe(expectedStatus);
          for (const element of ['Location', 'Bucket', 'Key', 'ETag']) expect(uploaded.text).toContain(`<${element}>`);
          return;
        }
        const answer = await send(example);
        expect(answer.status, answer.text).toBe(expectedStatus);
        if (example.response !== undefined) {
          expect(shapeProblems(example.response, answer.body, '', example.differs?.absent_fields ?? [])).toEqual([]);
        }
        for (const [path, value] of Object.entries(example.expect_values ?? {})) {
          expect(valueAt(answer.body, path), path).toEqual(value);
        }
        for (const [documented, path] of Object.entries(example.bind ?? {})) {
          const value = valueAt(answer.body, path);
          expect(value, `${path} to bind ${documented}`).toBeDefined();
          bindings.set(documented, String(value));
        }
      });
    }
  });
}

describe('server/users.md: the v2 grammar\'s "Examples of valid/invalid query"', () => {
  for (const { query, valid, why } of grammar) {
    it(`${query} is ${valid ? 'valid' : 'invalid'} (${why})`, async () => {
      const token = await tokenOf('gabby');
      const response = await fetch(`${local.url}/users/v2?${substitute(query)}`, { headers: { 'CB-Token': token } });
      const body = await response.json();
      expect(response.status, JSON.stringify(body)).toBe(valid ? 200 : 422);
      if (!valid) expect(body.errors.base.length).toBeGreaterThan(0);
    });
  }
});

describe('server/auth.mdx: session creation with an unknown login, in both modes', () => {
  const unknownLogin = load<{
    request: ExampleCase['request'];
    cases: {
      mode: string;
      setting: boolean;
      status: number;
      response: unknown;
      exact?: boolean;
      expect_values?: Record<string, unknown>;
    }[];
  }>('./auth-unknown-login.json');
  // A service of its own: the example's login must not exist yet.
  let fresh: RunningLocalService;
  beforeAll(async () => {
    fresh = await startLocalService({
      application: { id: world.application.id, authKey: world.application.auth_key },
    });
  });
  afterAll(() => fresh?.close());

  for (const mode of unknownLogin.cases) {
    it(`${mode.mode} → ${mode.status}`, async () => {
      await fresh.service.deps.applications.updateSettings(world.application.id, { sessionCreatesUser: mode.setting });
      const { request } = unknownLogin;
      const response = await fetch(`${fresh.url}${new URL(request.url).pathname}`, {
        method: request.method,
        headers: request.headers,
        body: request.data,
      });
      const body = await response.json();
      expect(response.status, JSON.stringify(body)).toBe(mode.status);
      if (mode.exact) expect(body).toEqual(mode.response);
      else expect(shapeProblems(mode.response, body, '', [])).toEqual([]);
      for (const [path, value] of Object.entries(mode.expect_values ?? {})) {
        expect(valueAt(body, path), path).toEqual(value);
      }
    });
  }
});
