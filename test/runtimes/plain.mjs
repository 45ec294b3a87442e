// In a page that is not cross-origin isolated: the arena falls back to plain memory and
// works in one thread; a pool is refused. Prints one JSON line.
import { Arena, Pool } from '../../dist/web.js';

const arena = await Arena.create({ maxBytes: 32 << 20 });
const image = arena.fromPixels('RGB', 4, 2, new Uint8Array(24).map((_, i) => i * 10));
const small = image.resize(2, 1, { filter: 'bilinear' });
const result = {
  shared: typeof SharedArrayBuffer === 'function' && arena.memory.buffer instanceof SharedArrayBuffer,
  resized: Array.from(small.toPixels()),
  tracksCalls: arena.tracksCalls, // no other thread: nothing to track
  pool: await Pool.create({ arena, workers: 1 }).then(() => 'created', (e) => e.code),
};
small.release();
image.release();
result.imagesLive = arena.stats().imagesLive;
console.log(JSON.stringify(result));
