import type { RedisConnection } from './redis-connections.ts';
import type { ObserveOutcome, SessionStore, SessionStoreRules, StepOutcome, StoredSession } from './session-store.ts';

// Each script is one atomic step mirroring `memory-session-store.ts`. The record hash holds
// exp (expiry, epoch ms), warned (the exp EXPIRING was emitted for), ext (last EXTENDED),
// user and sid. Linked keys (the user's set of token keys, session id -> token key) live as
// long as the record. They are named inside the scripts, which Redis Cluster allows only
// within one slot: on Cluster the key prefix is a hash tag (`{cube-gateway}:`), so that every
// key of the gateway lives in the same slot.

// Shared tail: drop the record and its links. ARGV[1] userSetPrefix, ARGV[2] sessionKeyPrefix, ARGV[3] tokenKey.
const UNLINK = `
local function unlink(record, userSetPrefix, sessionKeyPrefix, tokenKey)
  local user = redis.call('HGET', record, 'user')
  if user then redis.call('SREM', userSetPrefix .. user, tokenKey) end
  local sid = redis.call('HGET', record, 'sid')
  if sid then redis.call('DEL', sessionKeyPrefix .. sid) end
  redis.call('DEL', record)
end
`;

// KEYS: record, dead.
// ARGV: exp, now, throttleMs, retainMs, userId or '', sessionId or '', userSetPrefix, sessionKeyPrefix, tokenKey
const OBSERVE = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 'ignored' end
local old = tonumber(redis.call('HGET', KEYS[1], 'exp'))
local exp = tonumber(ARGV[1])
local outcome
if old and exp <= old then
  outcome = 'unchanged'
else
  redis.call('HSET', KEYS[1], 'exp', ARGV[1])
  redis.call('PEXPIREAT', KEYS[1], exp + tonumber(ARGV[4]))
  if not old then
    outcome = 'created'
  else
    local warned = tonumber(redis.call('HGET', KEYS[1], 'warned'))
    local last = tonumber(redis.call('HGET', KEYS[1], 'ext')) or 0
    if warned == old or tonumber(ARGV[2]) - last >= tonumber(ARGV[3]) then
      redis.call('HSET', KEYS[1], 'ext', ARGV[2])
      outcome = 'extended'
    else
      outcome = 'moved'
    end
  end
end
if ARGV[5] ~= '' then
  local previous = redis.call('HGET', KEYS[1], 'user')
  if previous and previous ~= ARGV[5] then redis.call('SREM', ARGV[7] .. previous, ARGV[9]) end
  redis.call('HSET', KEYS[1], 'user', ARGV[5])
end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'sid', ARGV[6]) end
if outcome ~= 'unchanged' or ARGV[5] ~= '' or ARGV[6] ~= '' then
  local ttl = redis.call('PTTL', KEYS[1])
  local user = redis.call('HGET', KEYS[1], 'user')
  if user then
    local userKey = ARGV[7] .. user
    redis.call('SADD', userKey, ARGV[9])
    if redis.call('PTTL', userKey) < ttl then redis.call('PEXPIRE', userKey, ttl) end
  end
  local sid = redis.call('HGET', KEYS[1], 'sid')
  if sid then redis.call('SET', ARGV[8] .. sid, ARGV[9], 'PX', ttl) end
end
return outcome
`;

// KEYS: record. ARGV: userSetPrefix, sessionKeyPrefix, tokenKey, now, leadMs, toleranceMs
const STEP = `${UNLINK}
local exp = tonumber(redis.call('HGET', KEYS[1], 'exp'))
if not exp then return {'gone', 0} end
local dueBy = tonumber(ARGV[4]) + tonumber(ARGV[6])
if exp <= dueBy then
  unlink(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
  return {'expired', exp}
end
if tonumber(redis.call('HGET', KEYS[1], 'warned')) == exp then return {'wait', exp} end
local warnAt = exp - tonumber(ARGV[5])
if warnAt > dueBy then return {'wait', warnAt} end
redis.call('HSET', KEYS[1], 'warned', exp)
return {'expiring', exp}
`;

// KEYS: record, dead. ARGV: userSetPrefix, sessionKeyPrefix, tokenKey, deadMemoryMs (0: do not remember)
const END = `${UNLINK}
local exp = redis.call('HGET', KEYS[1], 'exp')
unlink(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
if tonumber(ARGV[4]) > 0 then redis.call('SET', KEYS[2], '1', 'PX', ARGV[4]) end
return exp
`;

type Script = (...keysThenArgs: (string | number)[]) => Promise<unknown>;

function defineScript(redis: RedisConnection, name: string, numberOfKeys: number, lua: string): Script {
  // defineCommand sends EVALSHA and falls back to EVAL when Redis lost the script.
  redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, Script>)[name];
  if (!command) throw new Error(`Redis script ${name} was not defined`);
  return command.bind(redis);
}

export interface RedisSessionStoreOptions {
  redis: RedisConnection;
  keyPrefix: string;
  rules: SessionStoreRules;
}

export function createRedisSessionStore({ redis, keyPrefix, rules }: RedisSessionStoreOptions): SessionStore {
  const recordKey = (tokenKey: string) => `${keyPrefix}session:${tokenKey}`;
  const deadKey = (tokenKey: string) => `${keyPrefix}session-dead:${tokenKey}`;
  const userSetPrefix = `${keyPrefix}user-sessions:`;
  const sessionKeyPrefix = `${keyPrefix}session-id:`;
  const observeScript = defineScript(redis, 'cubeSessionObserve', 2, OBSERVE);
  const stepScript = defineScript(redis, 'cubeSessionStep', 1, STEP);
  const endScript = defineScript(redis, 'cubeSessionEnd', 2, END);

  return {
    async observe(tokenKey, { expiresAt, now, userId, sessionId }) {
      const outcome = await observeScript(
        recordKey(tokenKey),
        deadKey(tokenKey),
        expiresAt,
        now,
        rules.extendedThrottleMs,
        rules.retainAfterExpiryMs,
        userId ?? '',
        sessionId ?? '',
        userSetPrefix,
        sessionKeyPrefix,
        tokenKey,
      );
      return outcome as ObserveOutcome;
    },

    async get(tokenKey) {
      const [exp, user] = await redis.hmget(recordKey(tokenKey), 'exp', 'user');
      if (exp === null || exp === undefined) return undefined;
      const session: StoredSession = { expiresAt: Number(exp) };
      if (user) session.userId = user;
      return session;
    },

    async step(tokenKey, now): Promise<StepOutcome> {
      const [kind, at] = (await stepScript(
        recordKey(tokenKey),
        userSetPrefix,
        sessionKeyPrefix,
        tokenKey,
        now,
        rules.expiringLeadMs,
        rules.dueToleranceMs,
      )) as [string, number];
      if (kind === 'wait') return { kind, nextAt: at };
      if (kind === 'expiring') return { kind, expiresAt: at, nextAt: at };
      if (kind === 'expired') return { kind, expiresAt: at };
      return { kind: 'gone' };
    },

    async end(tokenKey, { rememberDead }) {
      const exp = (await endScript(
        recordKey(tokenKey),
        deadKey(tokenKey),
        userSetPrefix,
        sessionKeyPrefix,
        tokenKey,
        rememberDead ? rules.deadTokenMemoryMs : 0,
      )) as string | null;
      return exp === null ? undefined : Number(exp);
    },

    async tokenKeysOfUser(userId) {
      return redis.smembers(`${userSetPrefix}${userId}`);
    },

    async tokenKeyOfSession(sessionId) {
      return (await redis.get(`${sessionKeyPrefix}${sessionId}`)) ?? undefined;
    },
  };
}
