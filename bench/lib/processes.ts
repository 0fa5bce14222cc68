import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Child processes for the benchmarks: servers pinned to core 0, load generators to core 1
 * (`taskset`, where the machine has it), so that one never steals the other's CPU.
 */

const hasTaskset = (() => {
  try {
    return readFileSync('/usr/bin/taskset') !== undefined;
  } catch {
    return false;
  }
})();
const cores = (() => {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? 1;
  } catch {
    return 1;
  }
})();

/** Whether servers and load generators really sit on separate cores. */
export const pinned = hasTaskset && cores >= 2;
export const SERVER_CORE = '0';
export const LOAD_CORE = '1';

export interface Spawned {
  child: ChildProcess;
  pid: number;
  /** Resolves with the first stdout line matching `pattern`'s first group. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `node <args>` (Node 24, the running binary) pinned to `core`. */
export function spawnNode(args: string[], env: Record<string, string | undefined>, core = SERVER_CORE): Spawned {
  const [command, argv] = pinned ? ['taskset', ['-c', core, process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (v: string) => void }[] = [];
  const read = (line: string) => {
    lines.push(line);
    for (const w of [...waiters]) {
      const m = w.pattern.exec(line);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[1] ?? line);
      }
    }
  };
  createInterface({ input: child.stdout! }).on('line', read);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  return {
    child,
    pid: child.pid as number,
    waitFor(pattern, timeoutMs = 30_000) {
      const seen = lines.map((l) => pattern.exec(l)).find(Boolean);
      if (seen) return Promise.resolve(seen[1] ?? seen[0]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}: ${stderr}`)), timeoutMs);
        const done = (v: string) => {
          clearTimeout(timer);
          resolve(v);
        };
        waiters.push({ pattern, resolve: done });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${args.join(' ')} exited (${code}) before ${pattern}: ${stderr.slice(-2000)}`));
        });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}

const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far (from /proc). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime): indexes 11 and 12 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident set size of a process in bytes (from /proc). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

/** Polls `url` until it answers 200; resolves with the milliseconds that took. */
export async function waitReady(url: string, timeoutMs = 30_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}
