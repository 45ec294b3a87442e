// Runs in Deno, Bun and a cross-origin isolated page (test/runtimes.test.ts): the web entry
// decodes PNG and JPEG files, a pool of two workers resizes them (and decodes and encodes
// in its workers), and the results are encoded as PNG and JPEG. Prints one JSON line of
// SHA-256 hashes, which must equal what the Node entry gives.
import { Arena, Pool } from '../../dist/web.js';

const FILES = [
  ['thumbs/rocket.jpg', 160, 107],
  ['thumbs/camera_gray_progressive.jpg', 150, 113],
  ['photos/chelsea.png', 150, 100],
  ['thumbs/coffee_RGBA_240x180.png', 100, 75],
  ['thumbs/camera_LA_201x151.png', 67, 50],
];

async function read(name) {
  const response = await fetch(new URL(`../fixtures/${name}`, import.meta.url));
  if (!response.ok) throw new Error(`${name}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function hash(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

const result = { files: {} };
const arena = await Arena.create({ maxBytes: 128 << 20 });
result.shared = arena.memory.buffer instanceof SharedArrayBuffer;
const pool = await Pool.create({ arena, workers: 2, tasks: new URL('./codec-tasks.mjs', import.meta.url) });
result.workers = pool.size;
for (const [name, width, height] of FILES) {
  const bytes = await read(name);
  const image = arena.decode(bytes);
  const small = await pool.resize(image, width, height, { filter: 'lanczos' });
  // JPEG holds no alpha: the opaque picture, as Pillow's convert() gives it.
  const opaque = small.mode === 'RGBA' ? small.convert('RGB') : small.mode === 'LA' ? small.convert('L') : small;
  const inWorker = await pool.run('decode', { bytes, reduce: name.endsWith('.jpg') ? 2 : undefined });
  result.files[name] = {
    mode: image.mode,
    size: [image.width, image.height],
    decoded: await hash(image.toPixels()),
    resized: await hash(small.toPixels()),
    png: await hash(small.encode('png')),
    jpeg: await hash(opaque.encode('jpeg', { quality: 85 })),
    workerDecoded: [inWorker.width, inWorker.height, await hash(inWorker.toPixels())],
    workerJpeg: await hash(await pool.run('encode', { image: opaque, format: 'jpeg', options: { quality: 60, subsampling: '4:4:4' } })),
  };
  if (opaque !== small) opaque.release();
  [image, small, inWorker].forEach((i) => i.release());
}
await pool.close();
result.imagesLive = arena.stats().imagesLive;
result.liveBlocks = arena.checkHeap().liveBlocks;
console.log(JSON.stringify(result));
