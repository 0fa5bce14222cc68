import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';
import { sseSubscribe, wsConnect } from '../support/session-clients.ts';
import { userWithToken } from '../support/users.ts';
import { type GatewayOver, gatewayOver } from './gateway-over.ts';
import { type OwnRedis, redisServerAvailable, reportRedisServerSkip, startOwnRedis } from './redis-server.ts';

// Redis stopped (`shutdown nosave`) and started again under two gateway instances with open
// subscriptions. The test's Redis persists nothing but its append-only file (fsync on every
// write), which is how a deployment keeps BullMQ's jobs across a restart: the EXPIRING and
// EXPIRED scheduled before the restart still fire, once, and pub/sub works again.

// Long enough that a slow Redis restart on a loaded machine cannot outlast the logout token.
const TTL_SECONDS = 25;
const LEAD_SECONDS = 5;

reportRedisServerSkip('Redis restart under open subscriptions');

describe.runIf(redisServerAvailable)('Redis restarted while subscriptions are open', () => {
  let redis: OwnRedis;
  let local: RunningLocalService;
  const gateways: GatewayOver[] = [];

  beforeAll(async () => {
    redis = await startOwnRedis({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    local = await startLocalService({ sessionTtlSeconds: TTL_SECONDS });
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await local?.close();
    await redis?.destroy();
  });

  it('no crash, events flow again once Redis is back, and scheduled expiry events fire once', async () => {
    const env = {
      REDIS_URL: redis.url,
      SESSION_TOKEN_HASH_KEY: randomBytes(24).toString('hex'),
      REDIS_KEY_PREFIX: 'faults-restart:',
      SESSION_EXPIRING_LEAD_SECONDS: String(LEAD_SECONDS),
    };
    const [first, second] = [await gatewayOver(local.url, local, env), await gatewayOver(local.url, local, env)];
    gateways.push(first, second);

    const expiring = await userWithToken(local, 'restart_expiring');
    const loggingOut = await userWithToken(local, 'restart_logout');
    const ws = wsConnect(first.url, { token: expiring.token });
    const expiryOverWs = ws.subscribe();
    await expiryOverWs.waitFor('EXTENDED');
    const expiryOverSse = sseSubscribe(second.url, expiring.token);
    await expiryOverSse.waitFor('EXTENDED');
    const logoutWs = wsConnect(second.url, { token: loggingOut.token });
    const logoutEvents = logoutWs.subscribe();
    await logoutEvents.waitFor('EXTENDED');

    // Each instance's subscriber connection holds a channel per watched session.
    const subscribed = await redis.subscribers('faults-restart:*');
    expect(Object.keys(subscribed).length).toBeGreaterThan(0);

    await redis.stop();
    // Redis is gone: both instances still serve what does not need it, and one that does
    // (session creation feeds the tracker) still answers; nothing crashes.
    for (const gateway of [first, second]) {
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
      const created = await gateway.gql('mutation { createSession { __typename } }');
      expect(created.data).toEqual({ createSession: { __typename: 'CreateSessionSuccess' } });
    }
    await redis.start();
    // The wake-up job scheduled before the restart came back from the append-only file.
    expect(await redis.cli('--scan', '--pattern', 'faults-restart:bull:*')).not.toBe('');

    // Both instances subscribe again by themselves. (Redis keeps no message for a subscriber
    // still reconnecting, so the logout below waits for that, as it would by chance in life.)
    await expect
      .poll(() => redis.subscribers('faults-restart:*'), { timeout: 15_000, interval: 200 })
      .toEqual(subscribed);

    // Pub/sub again: a logout on one instance reaches the subscriber on the other.
    await expect
      .poll(
        async () => {
          const out = await first.gql('mutation { logout { __typename } }', loggingOut.token);
          return JSON.stringify(out.data ?? out.errors);
        },
        { timeout: 15_000, interval: 500 },
      )
      .toContain('LogoutSuccess');
    await logoutEvents.waitForCompletion(15_000, 'the logout subscription');
    // (The logout call's own answer may move the expiry first: EXTENDED.)
    expect(logoutEvents.types().filter((type) => type !== 'EXTENDED')).toEqual(['LOGGED_OUT']);

    // And the schedule: EXPIRING then EXPIRED, once each, on both transports.
    for (const [label, log] of [
      ['the expiry subscription over graphql-ws', expiryOverWs],
      ['the expiry subscription over SSE', expiryOverSse],
    ] as const) {
      await log.waitForCompletion(TTL_SECONDS * 1_000 + 10_000, label);
      expect(log.types()).toEqual(['EXTENDED', 'EXPIRING', 'EXPIRED']);
    }
    expect(await ws.waitForClose()).toMatchObject({ code: 4403 });
    await logoutWs.dispose();
  }, 90_000);
});
