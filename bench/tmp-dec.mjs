import sharp from 'sharp';
import { Arena } from '../dist/node.js';
import { readFileSync } from 'node:fs';
sharp.concurrency(1);
const arena = await Arena.create({ maxBytes: 2 ** 31 });
for (const f of ['/tmp/png/small.png', '/tmp/png/big.png']) {
  const bytes = readFileSync(f);
  const runs = f.includes('big') ? 3 : 15;
  let t = [];
  for (let i = 0; i < runs; i++) { const s = performance.now(); const im = arena.decode(bytes); t.push(performance.now() - s); im.release(); }
  let ts = [];
  for (let i = 0; i < runs; i++) { const s = performance.now(); await sharp(bytes).raw().toBuffer(); ts.push(performance.now() - s); }
  t.sort((a,b)=>a-b); ts.sort((a,b)=>a-b);
  console.log(f, 'ours', t[runs>>1].toFixed(1), 'sharp', ts[runs>>1].toFixed(1));
}
