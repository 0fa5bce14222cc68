import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from './redis-target.ts';

export type RedisConnection = Redis | Cluster;

/** One connection (or cluster client) to the target, with the given per-node options. */
export function connectRedis(target: RedisTarget, options: RedisOptions = {}): RedisConnection {
  switch (target.kind) {
    case 'single':
      return new Redis(target.url, options);
    case 'cluster':
      return new Cluster(target.nodes, {
        redisOptions: { ...options, username: target.username, password: target.password },
      });
    case 'sentinel':
      return new Redis({
        ...options,
        sentinels: target.sentinels,
        name: target.masterName,
        db: target.db,
        username: target.username,
        password: target.password,
      });
  }
}
