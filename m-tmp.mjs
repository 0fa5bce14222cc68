const spec = process.argv[2];
globalThis.gc(); const h0 = process.memoryUsage().heapUsed, r0 = process.memoryUsage().rss;
const t = performance.now();
await import(spec);
const ms = performance.now() - t;
globalThis.gc(); const h1 = process.memoryUsage().heapUsed, r1 = process.memoryUsage().rss;
console.log(spec.padEnd(60), 'heap MB', ((h1 - h0) / 2 ** 20).toFixed(2), 'rss MB', ((r1 - r0) / 2 ** 20).toFixed(2), 'ms', ms.toFixed(0));
