// Pool benchmark: band-parallel resize at 1 and 2 workers against sharp and wasm-vips at
// the same thread counts, and a thumbnail batch (1–12 MP images → 256 px wide) through
// the pool against sharp with as many libuv threads. Ratios: peer time / ours.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Arena, Pool } from '../dist/node.js';
import { timeInterleaved, formatNumber, printTable } from './lib/report.mjs';

function randomPixels(length, seed) {
  const pixels = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) { s = (s * 1664525 + 1013904223) >>> 0; pixels[i] = s >>> 24; }
  return pixels;
}

/** sharp in a child process with `threads` libuv threads, running the batch on request. */
async function startSharpBatch(sizes, threads) {
  const child = spawn(process.execPath, [new URL('./sharp-batch.mjs', import.meta.url).pathname, JSON.stringify({ sizes })], {
    env: { ...process.env, UV_THREADPOOL_SIZE: String(threads) }, cwd: new URL('.', import.meta.url).pathname,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done || first.value !== 'ready') { child.kill(); return undefined; }
  return {
    async run() { child.stdin.write('\n'); return Number((await lines.next()).value); },
    stop() { child.stdin.end(); },
  };
}

export async function runPoolBench({ threads = [1, 2], runs = 9 } = {}) {
  let sharp, vips;
  try { sharp = (await import('sharp')).default; sharp.cache(false); } catch { console.log('sharp unavailable'); }
  try { vips = await (await import('wasm-vips')).default(); vips.Cache.max(0); } catch { console.log('wasm-vips unavailable'); }
  const arena = await Arena.create({ maxBytes: 2 ** 32 - 65536 });

  // ── band-parallel resize ──
  const W = 4000, H = 3000;
  const rows = [];
  for (const mode of ['RGBA', 'RGB']) {
    const bands = mode.length;
    const pixels = randomPixels(W * H * bands, 7);
    const image = arena.fromPixels(mode, W, H, pixels);
    const pools = Object.fromEntries(await Promise.all(threads.map(async (n) => [n, await Pool.create({ arena, workers: n })])));
    const contenders = {};
    for (const n of threads) {
      contenders[`ours${n}`] = async () => (await pools[n].resize(image, 1000, 750, { filter: 'lanczos' })).release();
      if (sharp) contenders[`sharp${n}`] = () => {
        sharp.concurrency(n);
        return sharp(pixels, { raw: { width: W, height: H, channels: bands } }).resize(1000, 750, { kernel: 'lanczos3', fit: 'fill' }).raw().toBuffer();
      };
      if (vips) contenders[`vips${n}`] = () => {
        vips.concurrency(n);
        const input = vips.Image.newFromMemory(pixels, W, H, bands, vips.BandFormat.uchar);
        const output = input.resize(0.25, { kernel: 'lanczos3' });
        output.writeToMemory();
        output.delete();
        input.delete();
      };
    }
    const t = await timeInterleaved(contenders, { runs });
    await Promise.all(Object.values(pools).map((pool) => pool.close()));
    const results = Object.fromEntries(threads.map((n) => [n, { ours: t[`ours${n}`], sharpTime: t[`sharp${n}`], vipsTime: t[`vips${n}`] }]));
    image.release();
    for (const n of threads) {
      const r = results[n];
      rows.push([`${W}×${H} ${mode} lanczos → 1000×750`, String(n), formatNumber(r.ours, 'ms'),
        formatNumber(results[threads[0]].ours / r.ours, '×'),
        r.sharpTime === undefined ? 'n/a' : `${formatNumber(r.sharpTime, 'ms')} (${formatNumber(r.sharpTime / r.ours, '×')})`,
        r.vipsTime === undefined ? 'n/a' : `${formatNumber(r.vipsTime, 'ms')} (${formatNumber(r.vipsTime / r.ours, '×')})`]);
    }
  }
  printTable('band-parallel resize through the pool (median ms; speed-up vs 1 worker; peer time / ours)',
    ['case', 'threads', 'pixel-arena pool', 'vs 1 worker', 'sharp', 'wasm-vips'], rows);

  // ── thumbnail batch ──
  const megapixels = [1, 2, 4, 6, 8, 12];
  const sizes = Array.from({ length: 24 }, (_, i) => {
    const mp = megapixels[i % megapixels.length];
    const width = Math.round(Math.sqrt((mp * 1e6 * 4) / 3));
    return [width, Math.round((width * 3) / 4)];
  });
  const images = sizes.map(([width, height], i) => arena.fromPixels('RGB', width, height, randomPixels(width * height * 3, i)));
  const batchPools = Object.fromEntries(await Promise.all(threads.map(async (n) =>
    [n, await Pool.create({ arena, workers: n, tasks: new URL('./tasks.mjs', import.meta.url) })])));
  const sharps = sharp ? Object.fromEntries(await Promise.all(threads.map(async (n) => [n, await startSharpBatch(sizes, n)]))) : {};
  const contenders = {};
  for (const n of threads) {
    contenders[`ours${n}`] = async () => {
      const thumbnails = await Promise.all(images.map((image) => batchPools[n].run('thumbnail', { image, width: 256 })));
      thumbnails.forEach((t) => t.release());
    };
    if (sharps[n]) contenders[`sharp${n}`] = () => sharps[n].run();
  }
  const t = await timeInterleaved(contenders, { runs: 7 });
  await Promise.all(Object.values(batchPools).map((pool) => pool.close()));
  Object.values(sharps).forEach((child) => child?.stop());
  const batchRows = threads.map((n) => [`24 images, 1–12 MP RGB → 256 px wide`, String(n), formatNumber(t[`ours${n}`], 'ms'),
    formatNumber(t[`ours${threads[0]}`] / t[`ours${n}`], '×'),
    t[`sharp${n}`] === undefined ? 'n/a' : `${formatNumber(t[`sharp${n}`], 'ms')} (${formatNumber(t[`sharp${n}`] / t[`ours${n}`], '×')})`]);
  images.forEach((image) => image.release());
  printTable('thumbnail batch through the pool (median ms per batch; sharp with UV_THREADPOOL_SIZE = threads; peer time / ours)',
    ['batch', 'threads', 'pixel-arena pool', 'vs 1 worker', 'sharp'], batchRows);
  arena.close();
}
