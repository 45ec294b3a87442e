// The edge resizer of examples/edge in real workerd (one isolate, one thread, a 96 MiB
// arena): the time from POST to the last byte of a 256×256-inside JPEG thumbnail, HTTP on
// loopback included, beside sharp making the same thumbnail in this Node process (no HTTP:
// a floor, not a peer serving requests). Photos: the 20 MP original and a 5120×2880 crop of
// it re-encoded by the library at quality 90.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Arena } from '../dist/node.js';
import { formatNumber, printTable } from './lib/report.mjs';

const ROOT = new URL('../', import.meta.url);
const PHOTOS = new URL('./fixtures/photos/', import.meta.url);

/** The workerd binary itself (node_modules/.bin/workerd is a wrapper whose death leaves it running). */
function workerdBinary() {
  try {
    return createRequire(import.meta.url)('workerd').default;
  } catch {
    return undefined;
  }
}

async function startWorkerd(binary) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(binary, ['serve', fileURLToPath(new URL('examples/edge/config.capnp', ROOT)), '--socket-addr', `http=127.0.0.1:${port}`],
      { stdio: ['ignore', 'ignore', 'ignore'] });
    const exited = new Promise((resolve) => child.once('exit', () => resolve('exited')));
    for (let i = 0; i < 100; i++) {
      const up = await Promise.race([fetch(`http://127.0.0.1:${port}/`).then(() => 'up', () => 'down'), exited]);
      if (up === 'up') return { port, stop: () => child.kill() };
      if (up === 'exited') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill();
  }
  return undefined;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

export async function runEdgeBench({ runs = 15 } = {}) {
  const binary = workerdBinary();
  if (!binary) { console.log('workerd unavailable: edge benchmark skipped'); return; }
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

  const server = await startWorkerd(binary);
  if (!server) { console.log('workerd did not start: edge benchmark skipped'); return; }
  const rows = [];
  try {
    for (const [name, bytes] of photos) {
      const ours = [], theirs = [];
      for (let run = 0; run <= runs; run++) {
        let started = performance.now();
        const response = await fetch(`http://127.0.0.1:${server.port}/?w=256&h=256&format=jpeg&quality=80`, { method: 'POST', body: bytes });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`the edge resizer answered ${response.status}`);
        if (run > 0) ours.push(performance.now() - started);
        if (sharp) {
          started = performance.now();
          await sharp(bytes).rotate().resize(256, 256, { fit: 'inside' }).jpeg({ quality: 80 }).toBuffer();
          if (run > 0) theirs.push(performance.now() - started);
        }
      }
      const stats = await (await fetch(`http://127.0.0.1:${server.port}/stats`)).json();
      rows.push([name, `${(bytes.length / 2 ** 20).toFixed(2)} MiB`, formatNumber(median(ours), 'ms'),
        sharp ? formatNumber(median(theirs), 'ms') : 'n/a', sharp ? formatNumber(median(theirs) / median(ours), '×') : 'n/a',
        formatNumber(stats.peakBytesInUse / 2 ** 20, 'MiB'), String(stats.bytesInUse)]);
    }
  } finally {
    server.stop();
  }
  printTable(`edge resizer in workerd: POST a JPEG, get a 256×256-inside JPEG q80 (median of ${runs}; sharp in-process, no HTTP: a floor; sharp / ours)`,
    ['photo', 'body', 'workerd, HTTP included', 'sharp, in-process', '×', 'arena peak', 'bytes in use after'], rows);
}
