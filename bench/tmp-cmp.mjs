import { Arena } from '../dist/node.js';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
sharp.concurrency(1);
const arena = await Arena.create({ maxBytes: 2 ** 31 });
for (const f of ['big','big-pil','big-pil-rgba','big-pil-l','small-pil']) {
  const bytes = readFileSync('/tmp/png/' + f + '.png');
  const im = arena.decode(bytes);
  console.log(f, im.mode, createHash('sha256').update(im.toPixels()).digest('hex'));
  const runs = 5; let t = [], ts = [];
  for (let i = 0; i < runs; i++) { let s = performance.now(); arena.decode(bytes).release(); t.push(performance.now() - s);
    s = performance.now(); await sharp(bytes).raw().toBuffer(); ts.push(performance.now() - s); }
  t.sort((a,b)=>a-b); ts.sort((a,b)=>a-b);
  console.log('  ours', t[2].toFixed(1), 'sharp', ts[2].toFixed(1));
  im.release();
}
console.log(arena.stats().bytesInUse);
