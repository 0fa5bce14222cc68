import { fileURLToPath } from 'node:url';
import { gatewayNodeFlags } from '../lib/gateway-command.ts';
import { spawnNode } from '../lib/processes.ts';
import type { Settings, Table } from '../lib/table.ts';

/**
 * 5. Uploads: a 100 MB `uploadFile` streamed through the gateway (bench/upload-memory.ts,
 * which also runs alone as `npm run bench:upload`): throughput, and the gateway's raw peak
 * RSS growth without forced GC.
 */

const script = fileURLToPath(new URL('../upload-memory.ts', import.meta.url));

export async function uploads(settings: Settings, table: Table): Promise<void> {
  const megabytes = settings.quick ? 20 : 100;
  for (let round = 0; round < settings.rounds; round++) {
    const proc = spawnNode([...gatewayNodeFlags, script, String(megabytes)], {});
    const line = await proc.waitFor(/^(gateway peak .*)$/, 300_000);
    await proc.stop();
    const seconds = Number(/in ([\d.]+) s/.exec(line)?.[1]);
    const rss = Number(/rss ([\d.-]+) MB/.exec(line)?.[1]);
    const section = `uploads: ${megabytes} MB through the gateway`;
    table.add(section, 'MB/s', megabytes / seconds);
    table.add(section, 'raw peak RSS growth, no forced GC (MB; target ≤ 32)', rss, 1);
  }
}
