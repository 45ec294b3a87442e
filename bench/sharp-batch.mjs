// Child process of bench/pool.mjs: sharp making thumbnails of a batch of raw images, with
// its libuv thread pool (UV_THREADPOOL_SIZE, set by the parent) as the only parallelism.
// Prints "ready", then for each line read runs the batch once and prints its milliseconds.
import { createInterface } from 'node:readline';
import sharp from 'sharp';

const { sizes } = JSON.parse(process.argv[2]);
sharp.concurrency(1);
sharp.cache(false);
const inputs = sizes.map(([width, height], i) => {
  const pixels = Buffer.alloc(width * height * 3);
  for (let j = 0; j < pixels.length; j += 97) pixels[j] = (j * 31 + i) & 255;
  return { pixels, width, height };
});
const batch = () => Promise.all(inputs.map(({ pixels, width, height }) =>
  sharp(pixels, { raw: { width, height, channels: 3 } }).resize(256).raw().toBuffer()));
console.log('ready');
for await (const _ of createInterface({ input: process.stdin })) {
  const start = performance.now();
  await batch();
  console.log(performance.now() - start);
}
