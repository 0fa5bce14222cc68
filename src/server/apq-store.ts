import { type APQStore, createInMemoryAPQStore } from '@graphql-yoga/plugin-apq';
import type { Redis } from 'ioredis';

/** How long a registered query stays known without being used again. */
export const APQ_TTL_SECONDS = 24 * 60 * 60;

export interface ApqStore {
  store: APQStore;
  close(): Promise<void>;
}

/**
 * Where automatic persisted queries (hash → query text) live: in this process, or in Redis
 * when `REDIS_URL` is set so that every instance knows a hash one of them learned. ioredis is
 * loaded and connected on first use only.
 */
export function createApqStore(options: { redisUrl?: string | undefined; keyPrefix?: string | undefined }): ApqStore {
  const { redisUrl } = options;
  if (!redisUrl) return { store: createInMemoryAPQStore({ ttl: APQ_TTL_SECONDS * 1000 }), close: async () => {} };
  const prefix = `${options.keyPrefix ?? ''}apq:`;
  let client: Promise<Redis> | undefined;
  const redis = () => {
    client ??= import('ioredis').then(({ Redis }) => new Redis(redisUrl, { lazyConnect: false }));
    return client;
  };
  return {
    store: {
      get: async (hash) => (await redis()).get(prefix + hash),
      set: async (hash, query) => (await redis()).set(prefix + hash, query, 'EX', APQ_TTL_SECONDS),
    },
    async close() {
      if (client) await (await client).quit();
    },
  };
}
