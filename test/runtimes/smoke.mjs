// Runs in Deno and Bun (test/runtimes.test.ts): the web entry of the package, an arena,
// kernels, and a pool of module Workers with tasks; prints one JSON line of results.
import { Arena, Pool } from '../../dist/web.js';

const result = {};
const arena = await Arena.create({ maxBytes: 64 << 20 });
result.shared = arena.memory.buffer instanceof SharedArrayBuffer;
// A terminated worker runs on for a moment here: a shared arena tracks calls by default,
// and a pool refuses one that does not.
result.tracksCalls = arena.tracksCalls;
const untracked = await Arena.create({ maxBytes: 8 << 20, trackCalls: false });
result.untrackedPool = await Pool.create({ arena: untracked, workers: 1 }).then(() => 'created', (e) => e.code);
result.untrackedLeftAttached = untracked.stats().attachments;
untracked.close();
const image = arena.fromPixels('RGB', 4, 2, new Uint8Array(24).map((_, i) => i * 10));
const small = image.resize(2, 1, { filter: 'bilinear' });
result.resized = Array.from(small.toPixels());
small.release();
const pool = await Pool.create({ arena, workers: 3, tasks: new URL('../fixtures/tasks/tasks.mjs', import.meta.url) });
result.size = pool.size;
result.sum = await pool.run('add', { a: 40, b: 2 });
const described = await pool.run('describe', { image });
result.means = described.means;
result.grey = Array.from(described.grey.toPixels());
described.grey.release();
const parallel = await pool.resize(image, 2, 1, { filter: 'bilinear' });
result.parallelResized = Array.from(parallel.toPixels());
parallel.release();
result.failed = await pool.run('fail', { message: 'boom' }).then(() => 'no', (e) => e.message);
await pool.close();
// Tasks that ignore their abort, in the core when their workers are terminated: a web
// worker goes on for a moment after terminate(), its calls are refused from the fence on,
// and it is reclaimed once it has left the core.
const stubborn = await Pool.create({ arena, workers: 2, tasks: new URL('../fixtures/tasks/tasks.mjs', import.meta.url), abortGrace: 5 });
const codes = [];
for (let i = 0; i < 20; i++) {
  const controller = new AbortController();
  const job = stubborn.run('churnIgnoringAbort', { ms: 300 }, { signal: controller.signal }).then(() => 'finished', (e) => e.code);
  await new Promise((resolve) => setTimeout(resolve, 5 + (i % 4) * 10));
  controller.abort();
  codes.push(await job);
}
await stubborn.close();
result.abortCodes = [...new Set(codes)];
result.reclaimedReferences = arena.stats().reclaimed > 0;
image.release();
result.imagesLive = arena.stats().imagesLive;
result.attachments = arena.stats().attachments;
result.liveBlocks = arena.checkHeap().liveBlocks;
console.log(JSON.stringify(result));
