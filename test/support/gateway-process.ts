import { type ChildProcess, spawn } from 'node:child_process';
import { expect } from 'vitest';

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when ended by a signal). */
  exited: Promise<number | null>;
}

/**
 * A real gateway process (`node [nodeArgs] src/main.ts`) with exactly the given settings
 * (over test defaults for NODE_ENV, LOG_LEVEL and PORT).
 */
export async function startGatewayProcess(
  env: Record<string, string | undefined>,
  { nodeArgs = [] }: { nodeArgs?: string[] } = {},
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [...nodeArgs, 'src/main.ts'], {
    cwd: new URL('../../', import.meta.url),
    env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'info', PORT: '0', ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await expect.poll(() => output, { timeout: 60_000, interval: 100 }).toMatch(/cube-gateway ready at http:\/\/\S+/);
  const url = /cube-gateway ready at (http:\/\/[^\s]+)/.exec(output)?.[1] ?? '';
  return { url, child, output: () => output, exited };
}

/** Ends any process a test left running. */
export function killAll(processes: GatewayProcess[]): void {
  for (const { child } of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
