import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { clusterKeyPrefix, parseRedisTarget } from '../../src/sessions/redis-target.ts';

// REDIS_URL's three forms, and the one-line errors for the wrong ones.

describe('REDIS_URL', () => {
  it('reads one node, a cluster and Sentinels', () => {
    expect(parseRedisTarget('redis://:pw@127.0.0.1:6380/2')).toEqual({
      kind: 'single',
      url: 'redis://:pw@127.0.0.1:6380/2',
    });
    expect(parseRedisTarget('redis+cluster://app:s%40cret@10.0.0.1:7000,10.0.0.2')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
      ],
      username: 'app',
      password: 's@cret',
    });
    expect(parseRedisTarget('redis+sentinel://:pw@[::1]:26380,sentinel-2/mymaster/3')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '::1', port: 26380 },
        { host: 'sentinel-2', port: 26379 },
      ],
      masterName: 'mymaster',
      db: 3,
      username: undefined,
      password: 'pw',
    });
  });

  it('refuses what it cannot use, with one line naming the setting', () => {
    const key = { SESSION_TOKEN_HASH_KEY: 'k'.repeat(32) };
    for (const [url, message] of [
      ['http://127.0.0.1:6379', 'must start with redis://, rediss://, redis+cluster:// or redis+sentinel://'],
      ['redis+sentinel://127.0.0.1:26379', 'needs the master name'],
      ['redis+sentinel://127.0.0.1:26379/m/x', 'database must be a number'],
      ['redis+cluster://127.0.0.1:70000', 'invalid host:port "127.0.0.1:70000"'],
      ['redis+cluster://127.0.0.1:7000/1', 'takes no path'],
    ] as const) {
      expect(() => loadConfig({ REDIS_URL: url, ...key }), url).toThrow(
        new RegExp(`REDIS_URL: .*${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );
    }
  });

  it('hash-tags the key prefix on Cluster, keeping a tag already there', () => {
    expect(clusterKeyPrefix('cube-gateway:')).toBe('{cube-gateway}:');
    expect(clusterKeyPrefix('prod')).toBe('{prod}:');
    expect(clusterKeyPrefix('{tenant-7}:gw:')).toBe('{tenant-7}:gw:');
  });
});
