// The edge resizer of examples/edge in real workerd (one isolate, one thread, a 96 MiB
// arena): the time from POST to the last byte of a 256×256-inside JPEG thumbnail, HTTP on
// loopback included, beside sharp making the same thumbnail in this Node process (no HTTP:
// a floor, not a peer serving requests). Photos: the 20 MP original and a 5120×2880 crop of
// it re-encoded by the library at quality 90.

import { readFileSync } from 'node:fs';
import { Arena } from '../dist/node.js';
import { startWorkerd, workerdAvailable } from '../test/helpers/workerd.mjs';
import { formatNumber, printTable } from './lib/report.mjs';

const PHOTOS = new URL('./fixtures/photos/', import.meta.url);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

export async function runEdgeBench({ runs = 15 } = {}) {
  if (!workerdAvailable) { console.log('workerd unavailable (or dist/ not built): edge benchmark skipped'); return; }
  let sharp;
  try {
    sharp = (await import('sharp')).default;
    sharp.concurrency(1);
    sharp.cache(false);
  } catch { sharp = undefined; }

  const arena = await Arena.create({ maxBytes: 512 << 20 });
  const original = new Uint8Array(readFileSync(new URL('kleiber_6028x3391.jpg', PHOTOS)));
  const source = arena.decode(original);
  const crop = source.crop([454, 255, 5574, 3135]);
  const photos = [['5120×2880 4:2:0 q90', crop.encode('jpeg', { quality: 90 })], ['6028×3391 4:2:2 (20 MP)', original]];
  source.release();
  crop.release();
  arena.close();

  const server = await startWorkerd();
  const rows = [];
  try {
    for (const [name, bytes] of photos) {
      const ours = [], theirs = [];
      for (let run = 0; run <= runs; run++) {
        let started = performance.now();
        const response = await fetch(`${server.base}/?w=256&h=256&format=jpeg&quality=80`, { method: 'POST', body: bytes });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`the edge resizer answered ${response.status}`);
        if (run > 0) ours.push(performance.now() - started);
        if (sharp) {
          started = performance.now();
          await sharp(bytes).rotate().resize(256, 256, { fit: 'inside' }).jpeg({ quality: 80 }).toBuffer();
          if (run > 0) theirs.push(performance.now() - started);
        }
      }
      const stats = await (await fetch(`${server.base}/stats`)).json();
      rows.push([name, `${(bytes.length / 2 ** 20).toFixed(2)} MiB`, formatNumber(median(ours), 'ms'),
        sharp ? formatNumber(median(theirs), 'ms') : 'n/a', sharp ? formatNumber(median(theirs) / median(ours), '×') : 'n/a',
        formatNumber(stats.peakBytesInUse / 2 ** 20, 'MiB'), String(stats.bytesInUse)]);
    }
  } finally {
    await server.stop();
  }
  printTable(`edge resizer in workerd: POST a JPEG, get a 256×256-inside JPEG q80 (median of ${runs}; sharp in-process, no HTTP: a floor; sharp / ours)`,
    ['photo', 'body', 'workerd, HTTP included', 'sharp, in-process', '×', 'arena peak', 'bytes in use after'], rows);
}
