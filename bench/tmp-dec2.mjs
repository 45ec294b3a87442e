import sharp from 'sharp';
import { Arena } from '../dist/node.js';
import { readFileSync } from 'node:fs';
sharp.concurrency(1); sharp.cache(false);
const arena = await Arena.create({ maxBytes: 2 ** 31 });
const img0 = await sharp('fixtures/photos/kleiber_6028x3391.jpg').extract({ left: 454, top: 255, width: 5120, height: 2880 }).png().toBuffer();
const bytes = new Uint8Array(img0);
function med(a) { a.sort((x, y) => x - y); return a[a.length >> 1]; }
const t = { ours: [], sharp: [] , oursWall: [], sharpWall: []};
for (let i = 0; i < 7; i++) {
  let c = process.cpuUsage(), w = performance.now(); arena.decode(bytes).release(); t.ours.push(process.cpuUsage(c).user / 1000); t.oursWall.push(performance.now() - w);
  c = process.cpuUsage(); w = performance.now(); await sharp(bytes).raw().toBuffer(); t.sharp.push(process.cpuUsage(c).user / 1000); t.sharpWall.push(performance.now() - w);
}
console.log(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, med(v).toFixed(0)])));
