import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { redisUrl, sharedHashKey } from './support.ts';

const nodeBinary = join(process.cwd(), 'node_modules', '.bin', 'node');
const fixture = join(import.meta.dirname, 'fixtures', 'tracker-process.ts');

export type ProcessCommand =
  | { op: 'observe'; token: string; expiresAt: number; userId?: number; sessionId?: number }
  | { op: 'destroyedSession'; sessionId: number }
  | { op: 'expired' | 'loggedOut' | 'destroyed'; token: string }
  | { op: 'destroyOthers'; token: string; userId: number }
  | { op: 'ping' };

/** A session tracker in a separate Node process: a second gateway instance that can be killed. */
export async function startTrackerProcess(options: {
  keyPrefix: string;
  leadSeconds: number;
  throttleSeconds: number;
}) {
  const child: ChildProcess = spawn(nodeBinary, [fixture], {
    env: {
      ...process.env,
      REDIS_URL: redisUrl,
      TRACKER_KEY_PREFIX: options.keyPrefix,
      TRACKER_HASH_KEY: sharedHashKey,
      TRACKER_LEAD_SECONDS: String(options.leadSeconds),
      TRACKER_THROTTLE_SECONDS: String(options.throttleSeconds),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 0;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const reply = JSON.parse(line) as { id: number; error?: string };
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error) waiter?.reject(new Error(reply.error));
    else waiter?.resolve();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error('tracker process exited'));
  });

  const send = (command: ProcessCommand) =>
    new Promise<void>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.stdin!.write(`${JSON.stringify({ id, ...command })}\n`);
    });

  // The first answer proves the process is up and connected to Redis.
  await send({ op: 'ping' });
  return {
    send,
    /** Dies like a crashed instance: no clean-up of any kind. */
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.stdin!.end();
      await exited;
    },
  };
}
