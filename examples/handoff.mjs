// `node examples/handoff.mjs`: several Node workers attach to one arena; the main thread makes images and
// hands them out as handles, each worker answers with an image of its own, and the main
// thread releases everything. The arena's statistics show what moved: blocks handed out
// and reused, images alive at the end (none), and memory committed.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { Arena } from 'pixel-arena';

const workerCount = Math.max(4, availableParallelism() + 2);
const imageCount = 200;
const arena = await Arena.create({ maxBytes: 256 * 1024 * 1024 });
console.log(`arena: ${arena.stats().bytesMax / 2 ** 20} MiB reserved, ${workerCount} workers`);

const workers = Array.from({ length: workerCount }, (_, index) =>
  new Worker(new URL('./handoff-worker.mjs', import.meta.url), { workerData: { arena: arena.shared, index } }));
const answered = new Array(workerCount).fill(0);
let pending = imageCount;
const started = performance.now();
const done = new Promise((resolve) => {
  for (const worker of workers) {
    worker.on('message', ({ id, handle, worker: index }) => {
      const swatch = arena.adopt(handle);
      answered[index]++;
      if (id % 50 === 0) console.log(`image ${id}: worker ${index} answered with ${swatch}, first pixel ${[...swatch.toPixels().subarray(0, 3)]}`);
      swatch.release();
      if (--pending === 0) resolve();
    });
  }
});

for (let id = 0; id < imageCount; id++) {
  // A gradient whose colour depends on the id; 3 MB for the largest.
  const width = 320 + (id % 7) * 100, height = 240 + (id % 5) * 80;
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) {
    pixels[i] = (id * 37) & 255; pixels[i + 1] = (i / 3) % width & 255; pixels[i + 2] = (i / 3 / width) & 255;
  }
  const image = arena.fromPixels('RGB', width, height, pixels);
  workers[id % workerCount].postMessage({ id, handle: image.share() });
  image.release(); // the worker's reference keeps it alive until it is done
}
await done;
const elapsed = performance.now() - started;
for (const worker of workers) worker.postMessage('close');
await Promise.all(workers.map((w) => new Promise((resolve) => w.on('exit', resolve))));

const stats = arena.stats();
console.log(`\n${imageCount} images out and ${imageCount} swatches back in ${elapsed.toFixed(0)} ms; answers per worker: ${answered.join(', ')}`);
console.log('arena stats:', stats);
const heap = arena.checkHeap();
console.log(`heap walk: ${heap.liveBlocks} live blocks, ${heap.cachedBlocks} cached, ${heap.liveImages} live images`);
arena.close();
if (stats.imagesLive !== 0 || heap.liveBlocks !== 0) process.exit(1);
