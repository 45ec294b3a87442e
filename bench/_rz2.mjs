import { Arena } from '../dist/node.js';
const W = 4000, H = 3000;
const px = new Uint8Array(W * H * 4);
for (let i = 0; i < px.length; i++) px[i] = (i * 2654435761) >>> 24;
const arena = await Arena.create({ maxBytes: 1 << 30 });
const img = arena.fromPixels('RGBA', W, H, px);
const rgb = arena.fromPixels('RGB', W, H, px.subarray(0, W * H * 3));
async function time(label, f, n = 7) { await f(); const t = []; for (let i = 0; i < n; i++) { const s = performance.now(); await f(); t.push(performance.now() - s); } t.sort((a, b) => a - b); console.log(label, t[n >> 1].toFixed(1), 'ms'); }
for (const [name, im] of [['RGBA', img], ['RGB', rgb]]) for (const filter of ['lanczos', 'bicubic', 'bilinear']) {
  await time(`${name} ${filter} h only`, () => im.resize(1000, 3000, { filter }).release());
  await time(`${name} ${filter} both`, () => im.resize(1000, 750, { filter }).release());
}
