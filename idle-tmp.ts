import { startServer, startStandInUpstream } from './bench/lib/servers.ts';
import { rssBytes } from './bench/lib/processes.ts';
const upstream = await startStandInUpstream();
for (let i = 0; i < 3; i++) {
  const gw = await startServer('gateway', upstream.url);
  await new Promise((r) => setTimeout(r, 2000));
  console.log('rss MB', (rssBytes(gw.process.pid) / 2 ** 20).toFixed(1), 'ready ms', gw.readyMs.toFixed(0));
  process.kill(gw.process.pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 300));
  await gw.process.stop();
}
await upstream.process.stop();
process.exit(0);
