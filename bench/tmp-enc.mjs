import sharp from 'sharp';
import { Arena } from '../dist/node.js';
import { readFileSync } from 'node:fs';
sharp.concurrency(1);
const arena = await Arena.create({ maxBytes: 2 ** 31 });
const which = process.argv[2] || 'small';
const bytes = readFileSync(`/tmp/png/${which}.png`);
const img = arena.decode(bytes);
const raw = Buffer.from(img.toPixels());
const runs = which === 'big' ? 3 : 9;
function med(a) { a.sort((x, y) => x - y); return a[a.length >> 1]; }
for (const [level, filter] of [[6, 'adaptive'], [6, 'none'], [1, 'adaptive'], [9, 'adaptive']]) {
  let t = [], size = 0;
  for (let i = 0; i < runs; i++) { const s = performance.now(); size = img.encode('png', { level, filter }).length; t.push(performance.now() - s); }
  console.log(`ours level ${level} ${filter}: ${med(t).toFixed(1)} ms, ${size}`);
}
let ts = [], ssize = 0;
for (let i = 0; i < runs; i++) { const s = performance.now(); ssize = (await sharp(raw, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer()).length; ts.push(performance.now() - s); }
console.log(`sharp: ${med(ts).toFixed(1)} ms, ${ssize}`);
