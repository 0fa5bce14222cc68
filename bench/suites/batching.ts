import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uploadBlob } from '../../test/support/blobs.ts';
import { startCountingProxy } from '../../test/support/counting-proxy.ts';
import { gatewayArgv } from '../lib/gateway-command.ts';
import { globalId, integerIdArgument } from '../lib/gateway-schema.ts';
import { appToken, BENCH_AUTH_KEY, logIn, signUp, startLocalService } from '../lib/local-service.ts';
import { spawnNode } from '../lib/processes.ts';
import type { Settings, Table } from '../lib/table.ts';

/**
 * 3. Batching: upstream calls and wall time for three shapes a frontend sends, against what
 * a naive resolver (one upstream call per object) would make. Calls are counted by a proxy
 * in front of the real local users service.
 */

const PASSWORD = 'bench-password-1';
const USERS = 100;
const AVATARS = 50;

export async function batching(settings: Settings, table: Table): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cube-bench-batch-'));
  const service = await startLocalService({ dataDir });
  const proxy = await startCountingProxy(service.url);
  const gateway = spawnNode(gatewayArgv, {
    NODE_ENV: 'development',
    PORT: '0',
    LOG_LEVEL: 'warn',
    UPSTREAM_URL: proxy.url,
    CUBE_APPLICATION_ID: String(service.applicationId),
    CUBE_AUTH_KEY: BENCH_AUTH_KEY,
    FILE_SOURCE_ORIGINS: `${proxy.url},${service.url}`,
    REDIS_URL: '',
  });
  try {
    const url = `${await gateway.waitFor(/cube-gateway ready at (http\S+?)\s/)}/graphql`;
    const tag = `bench${Date.now()}`;
    const app = await appToken(service);
    await signUp(service, app, { login: `${tag}_owner`, password: PASSWORD });
    const owner = await logIn(service, `${tag}_owner`, PASSWORD);
    const avatars = await Promise.all(
      Array.from({ length: AVATARS }, (_, i) =>
        uploadBlob(service.url, owner, { name: `a${i}.png`, content_type: 'image/png', public: true }),
      ),
    );
    const users: { id: number; login: string; email: string }[] = [];
    for (let i = 0; i < USERS; i++) {
      const fields = { login: `${tag}_${i}`, email: `${tag}_${i}@example.com`, password: PASSWORD, tag_list: tag };
      const avatar = avatars[i]?.uid;
      const { id } = await signUp(service, app, { ...fields, ...(avatar && { avatar }) });
      users.push({ id, login: fields.login, email: fields.email });
    }
    const headers = { authorization: `Bearer ${owner}` };
    const idArg = await integerIdArgument(url, headers, users[0]!.id);
    const byKind = [
      ...users.slice(0, 10).map((u, i) => `i${i}: user(${idArg}: ${u.id}) { login }`),
      ...users.slice(10, 20).map((u, i) => `l${i}: user(login: "${u.login}") { login }`),
      ...users.slice(20, 30).map((u, i) => `e${i}: user(email: "${u.email}") { login }`),
    ];
    const shapes = [
      {
        name: `${USERS} users by id (nodes(ids:))`,
        naive: USERS,
        query: `{ nodes(ids: ${JSON.stringify(users.map((u) => globalId('User', u.id)))}) { ... on User { login } } }`,
      },
      { name: '30 aliased lookups: 10 by id, 10 by login, 10 by email', naive: 30, query: `{ ${byKind.join(' ')} }` },
      {
        name: `a ${AVATARS}-user page with avatars`,
        naive: 1 + AVATARS,
        query: `{ users(filter: { tags: ["${tag}"] }, orderBy: { field: ID, direction: ASC }, first: ${AVATARS}) { nodes { login avatar { url } } } }`,
      },
    ];
    for (const shape of shapes) {
      for (let round = 0; round < Math.max(3, settings.rounds); round++) {
        proxy.calls.length = 0;
        const started = performance.now();
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ query: shape.query }),
        });
        const body = (await res.json()) as { errors?: unknown[] };
        const ms = performance.now() - started;
        if (body.errors) throw new Error(`${shape.name}: ${JSON.stringify(body.errors).slice(0, 500)}`);
        const section = `batching: ${shape.name}`;
        table.add(section, 'upstream calls (naive resolver)', [proxy.calls.length, shape.naive]);
        table.add(section, 'wall time ms', ms);
      }
    }
  } finally {
    await gateway.stop();
    await proxy.close();
    await service.process.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
