import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { sseSubscribe, wsConnect } from '../support/session-clients.ts';
import { userWithToken } from '../support/users.ts';
import { type GatewayOver, gatewayOver } from './gateway-over.ts';
import { freePort, type OwnRedis, redisServerAvailable, reportRedisServerSkip, startOwnRedis } from './redis-server.ts';

const run = promisify(execFile);

// Session events and expiry scheduling on a three-node Redis Cluster the test builds itself
// (`redis-server --cluster-enabled yes`, `redis-cli --cluster create`), with two gateway
// instances configured by `redis+cluster://`: events reach the other instance, EXPIRING and
// EXPIRED fire once, and every key of the gateway sits in one hash slot.

const TTL_SECONDS = 10;
const LEAD_SECONDS = 4;
const PREFIX = 'faults-cluster:';

reportRedisServerSkip('session events on Redis Cluster');

describe.runIf(redisServerAvailable)('session events on a three-node Redis Cluster', () => {
  const nodes: OwnRedis[] = [];
  let local: RunningLocalService;
  const gateways: GatewayOver[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      const clusterPort = await freePort();
      nodes.push(
        await startOwnRedis({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-port',
            String(clusterPort),
          ],
        }),
      );
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const node of nodes) {
      await vi.waitFor(async () => expect(await node.cli('cluster', 'info')).toContain('cluster_state:ok'), {
        timeout: 20_000,
        interval: 200,
      });
    }
    local = await startLocalService({ sessionTtlSeconds: TTL_SECONDS });
  }, 90_000);
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await local?.close();
    for (const node of nodes) await node.destroy();
  });

  it('two instances share events and the schedule; all keys hash to one slot', async () => {
    const env = {
      // Two of the three nodes: the third is discovered.
      REDIS_URL: `redis+cluster://127.0.0.1:${nodes[0]!.port},127.0.0.1:${nodes[1]!.port}`,
      SESSION_TOKEN_HASH_KEY: randomBytes(24).toString('hex'),
      REDIS_KEY_PREFIX: PREFIX,
      SESSION_EXPIRING_LEAD_SECONDS: String(LEAD_SECONDS),
      SESSION_EXTENDED_THROTTLE_SECONDS: '1',
    };
    const [first, second] = [await gatewayOver(local.url, local, env), await gatewayOver(local.url, local, env)];
    gateways.push(first, second);

    const expiring = await userWithToken(local, 'cluster_expiring');
    const loggingOut = await userWithToken(local, 'cluster_logout');
    const ws = wsConnect(first.url, { token: expiring.token });
    const overWs = ws.subscribe();
    await overWs.waitFor('EXTENDED');
    const overSse = sseSubscribe(second.url, expiring.token);
    await overSse.waitFor('EXTENDED');

    // Activity seen by the first instance reaches the subscriber on the second.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await first.gql('{ me { login } }', expiring.token)).data).toEqual({ me: { login: 'cluster_expiring' } });
    await expect.poll(() => overSse.types().length, { timeout: 5_000 }).toBe(2);

    // A logout on the second reaches a subscriber on the first.
    const logoutWs = wsConnect(first.url, { token: loggingOut.token });
    const logoutEvents = logoutWs.subscribe();
    await logoutEvents.waitFor('EXTENDED');
    const logout = await second.gql('mutation { logout { __typename } }', loggingOut.token);
    expect(logout.data).toEqual({ logout: { __typename: 'LogoutSuccess' } });
    await logoutEvents.waitForCompletion();
    expect(logoutEvents.types().filter((type) => type !== 'EXTENDED')).toEqual(['LOGGED_OUT']);

    // Keys: all under the hash-tagged prefix, all on one node (one slot).
    const keysPerNode = await Promise.all(
      nodes.map(async (node) => (await node.cli('--scan', '--pattern', '*')).split('\n').filter(Boolean)),
    );
    const allKeys = keysPerNode.flat();
    expect(allKeys.length).toBeGreaterThan(0);
    for (const key of allKeys) expect(key.startsWith('{faults-cluster}:')).toBe(true);
    expect(keysPerNode.filter((keys) => keys.length > 0)).toHaveLength(1);

    // The schedule: EXPIRING and EXPIRED once each, whichever instance's worker runs it.
    for (const log of [overWs, overSse]) {
      await log.waitForCompletion(TTL_SECONDS * 1_000 + 10_000);
      expect(log.types()).toEqual(['EXTENDED', 'EXTENDED', 'EXPIRING', 'EXPIRED']);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(overSse.types()).toHaveLength(4);
    await logoutWs.dispose();
  }, 120_000);
});
