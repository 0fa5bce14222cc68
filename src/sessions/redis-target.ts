/**
 * Where the gateway's Redis is, from one URL (`REDIS_URL`):
 * - `redis://[user:password@]host:port[/db]` (or `rediss://`): one node;
 * - `redis+cluster://[user:password@]host:port,host:port,…`: Redis Cluster, from any of its
 *   nodes (the others are discovered);
 * - `redis+sentinel://[user:password@]host:port,host:port,…/<master name>[/db]`: the master
 *   that these Sentinels name, followed across fail-overs (the password is the master's).
 * Pure parsing: nothing here loads a Redis client.
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: RedisNode[]; username?: string | undefined; password?: string | undefined }
  | {
      kind: 'sentinel';
      sentinels: RedisNode[];
      masterName: string;
      db: number;
      username?: string | undefined;
      password?: string | undefined;
    };

export interface RedisNode {
  host: string;
  port: number;
}

export class RedisTargetError extends Error {
  override name = 'RedisTargetError';
}

const SCHEME = /^([a-z+]+):\/\//i;

export function parseRedisTarget(url: string): RedisTarget {
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'redis' || scheme === 'rediss') {
    try {
      new URL(url);
    } catch {
      throw new RedisTargetError('is not a valid redis:// URL');
    }
    return { kind: 'single', url };
  }
  if (scheme !== 'redis+cluster' && scheme !== 'redis+sentinel') {
    throw new RedisTargetError('must start with redis://, rediss://, redis+cluster:// or redis+sentinel://');
  }
  // Several hosts do not fit WHATWG URL parsing: split by hand.
  const rest = url.slice(scheme.length + 3);
  const at = rest.lastIndexOf('@');
  const credentials = at === -1 ? '' : rest.slice(0, at);
  const [hostList = '', ...path] = rest.slice(at + 1).split('/');
  const nodes = hostList.split(',').map((entry) => parseNode(entry.trim(), scheme === 'redis+cluster' ? 6379 : 26379));
  const [user, password] = credentials ? splitCredentials(credentials) : [undefined, undefined];
  if (scheme === 'redis+cluster') {
    if (path.some(Boolean)) throw new RedisTargetError('redis+cluster:// takes no path (Cluster has only db 0)');
    return { kind: 'cluster', nodes, username: user, password };
  }
  const [masterName, db = '0'] = path;
  if (!masterName) throw new RedisTargetError('redis+sentinel:// needs the master name as its path (…/mymaster)');
  if (!/^\d+$/.test(db)) throw new RedisTargetError('redis+sentinel:// database must be a number (…/mymaster/0)');
  return {
    kind: 'sentinel',
    sentinels: nodes,
    masterName: decodeURIComponent(masterName),
    db: Number(db),
    username: user,
    password,
  };
}

function parseNode(entry: string, defaultPort: number): RedisNode {
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d+))?$/.exec(entry);
  const port = Number(match?.[2] ?? defaultPort);
  if (!match?.[1] || port < 1 || port > 65535) throw new RedisTargetError(`has an invalid host:port "${entry}"`);
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

function splitCredentials(credentials: string): [string | undefined, string | undefined] {
  const colon = credentials.indexOf(':');
  const user = colon === -1 ? credentials : credentials.slice(0, colon);
  const password = colon === -1 ? undefined : credentials.slice(colon + 1);
  return [user ? decodeURIComponent(user) : undefined, password ? decodeURIComponent(password) : undefined];
}

/**
 * On Cluster every key the gateway uses must hash to one slot, since its Lua scripts and
 * BullMQ's touch several keys at once: the prefix becomes a hash tag (`cube-gateway:` →
 * `{cube-gateway}:`) unless it has one already.
 */
export function clusterKeyPrefix(prefix: string): string {
  if (/\{[^}]+\}/.test(prefix)) return prefix;
  const name = prefix.replace(/:+$/, '');
  return `{${name}}:`;
}
