import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether this machine can start Redis servers of its own (the fault tests never touch 6379). */
export const redisServerAvailable =
  spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;

/** One line per skipped suite, saying why. */
export function reportRedisServerSkip(suite: string): void {
  if (!redisServerAvailable) console.log(`SKIPPED ${suite}: redis-server/redis-cli are not installed`);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPing(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await run('redis-cli', ['-p', String(port), 'ping']).then(
      ({ stdout }) => stdout.trim(),
      () => '',
    );
    if (answer === 'PONG') return;
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer PING`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface OwnRedis {
  port: number;
  url: string;
  dir: string;
  /** `redis-cli shutdown nosave`, as an operator would; resolves once the process is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
  cli(...args: string[]): Promise<string>;
  /** Subscriber count of each channel matching the pattern (`PUBSUB CHANNELS` + `NUMSUB`). */
  subscribers(pattern: string): Promise<Record<string, number>>;
  /** Stops it for good and removes its directory. */
  destroy(): Promise<void>;
}

/**
 * A redis-server of the test's own on a spare port, persisting nothing but (with
 * `appendonly`) its append-only file, which is what survives `shutdown nosave`.
 */
export async function startOwnRedis(options: { args?: string[]; port?: number } = {}): Promise<OwnRedis> {
  const port = options.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'cube-redis-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start() {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, ...(options.args ?? [])],
      { stdio: 'ignore' },
    );
    const current = child;
    exited = new Promise((resolve) => current.once('exit', () => resolve()));
    await waitForPing(port);
  }

  async function cli(...args: string[]): Promise<string> {
    return (await run('redis-cli', ['-p', String(port), ...args])).stdout.trim();
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    start,
    async stop() {
      await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => {});
      await exited;
    },
    cli,
    async subscribers(pattern) {
      const channels = (await cli('pubsub', 'channels', pattern)).split('\n').filter(Boolean);
      if (channels.length === 0) return {};
      const counts = (await cli('pubsub', 'numsub', ...channels)).split('\n');
      return Object.fromEntries(channels.map((channel, i) => [channel, Number(counts[2 * i + 1])]));
    },
    async destroy() {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
