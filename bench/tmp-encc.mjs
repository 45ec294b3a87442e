import { Arena } from '../dist/node.js';
import { readFileSync } from 'node:fs';
const arena = await Arena.create({ maxBytes: 2 ** 31 });
const which = process.argv[2] || 'small';
const img = arena.decode(readFileSync(`/tmp/png/${which}.png`));
const runs = which === 'big' ? 3 : 9;
function med(a) { a.sort((x, y) => x - y); return a[a.length >> 1]; }
const cfg = (process.argv[3] || '6:adaptive,1:adaptive').split(',').map((s) => s.split(':'));
img.encode('png', { level: 6 });
for (const [level, filter] of cfg) {
  let t = [], size = 0;
  for (let i = 0; i < runs; i++) { const s = process.cpuUsage(); size = img.encode('png', { level: +level, filter }).length; t.push(process.cpuUsage(s).user / 1000); }
  console.log(`level ${level} ${filter}: ${med(t).toFixed(1)} ms cpu, ${size}`);
}
