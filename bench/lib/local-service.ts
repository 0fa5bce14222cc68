import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type Spawned, spawnNode } from './processes.ts';

/** The real local users service as a benchmark process, and a user logged in to it. */

export const BENCH_AUTH_KEY = 'bench-auth-key';
const main = fileURLToPath(new URL('../../src/local-service/main.ts', import.meta.url));

export interface BenchLocalService {
  url: string;
  applicationId: number;
  process: Spawned;
}

export async function startLocalService(store: { dataDir: string; databaseUrl?: string }): Promise<BenchLocalService> {
  const proc = spawnNode([main], {
    LOCAL_SERVICE_PORT: '0',
    DATA_DIR: store.dataDir,
    DATABASE_URL: store.databaseUrl ?? '',
    LOCAL_AUTH_KEY: BENCH_AUTH_KEY,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  });
  const url = await proc.waitFor(/ready at (http\S+)/, 60_000);
  const applicationId = Number(await proc.waitFor(/application (\d+)/));
  return { url, applicationId, process: proc };
}

async function post(url: string, body: unknown, token?: string): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { 'cb-token': token }) },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** An application token, for sign-ups. */
export async function appToken(service: BenchLocalService): Promise<string> {
  const credentials = { application_id: service.applicationId, auth_key: BENCH_AUTH_KEY };
  return (await post(`${service.url}/session`, credentials)).session.token;
}

/** Signs up `user` (fields as the REST API names them) with an application token. */
export async function signUp(
  service: BenchLocalService,
  token: string,
  user: Record<string, unknown>,
): Promise<{ id: number }> {
  return (await post(`${service.url}/users`, { user }, token)).user;
}

/** A user session for a login and password. */
export async function logIn(service: BenchLocalService, login: string, password: string): Promise<string> {
  const credentials = { application_id: service.applicationId, auth_key: BENCH_AUTH_KEY };
  return (await post(`${service.url}/session`, { ...credentials, user: { login, password } })).session.token;
}

/** A throwaway PostgreSQL database when DATABASE_URL (or the machine's default) answers. */
export async function benchDatabase(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const admin = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const name = `cube_bench_${randomBytes(4).toString('hex')}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 2_000 });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  try {
    await run(`CREATE DATABASE ${name}`);
  } catch {
    return null;
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
