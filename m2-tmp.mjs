await import('graphql');
globalThis.gc(); const h0 = process.memoryUsage().heapUsed;
const { DateTimeResolver, JSONResolver } = await import(process.argv[2]);
globalThis.gc(); console.log(process.argv[2], ((process.memoryUsage().heapUsed - h0) / 2 ** 20).toFixed(2));
