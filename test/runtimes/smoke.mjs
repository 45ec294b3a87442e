// Runs in Deno and Bun (test/runtimes.test.ts): the web entry of the package, an arena,
// kernels, and a pool of module Workers with tasks; prints one JSON line of results.
import { Arena, Pool } from '../../dist/web.js';

const result = {};
const arena = await Arena.create({ maxBytes: 64 << 20 });
result.shared = arena.memory.buffer instanceof SharedArrayBuffer;
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
image.release();
result.imagesLive = arena.stats().imagesLive;
result.attachments = arena.stats().attachments;
result.liveBlocks = arena.checkHeap().liveBlocks;
console.log(JSON.stringify(result));
