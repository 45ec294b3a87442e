// Resize benchmark: pixel-arena against sharp (native libvips), wasm-vips, Pillow (a
// python3 subprocess), photon and jimp, one thread each, on 4000×3000 and 1024×768 RGBA
// and RGB images, all six filters, down by 4 and up by 2. Medians of several runs; the
// ratio columns are the peer's time over ours (above 1: we are faster).

import { Arena } from '../dist/node.js';
import { timeMedian, timeInterleaved, formatNumber, printTable } from './lib/report.mjs';
import { startPillow } from './lib/pillow.mjs';

const FILTERS = ['nearest', 'box', 'bilinear', 'hamming', 'bicubic', 'lanczos'];
const SHARP_KERNEL = { nearest: 'nearest', bilinear: 'linear', bicubic: 'cubic', lanczos: 'lanczos3' };
const PHOTON_FILTER = { nearest: 1, bilinear: 2, bicubic: 3, lanczos: 5 };
const JIMP_MODE = { nearest: 'nearestNeighbor', bilinear: 'bilinearInterpolation', bicubic: 'bicubicInterpolation' };

function randomPixels(length, seed) {
  const pixels = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) { s = (s * 1664525 + 1013904223) >>> 0; pixels[i] = s >>> 24; }
  return pixels;
}

async function loadPeers() {
  const peers = {};
  try {
    const sharp = (await import('sharp')).default;
    sharp.concurrency(1);
    sharp.cache(false);
    peers.sharp = sharp;
  } catch (error) { console.log(`sharp unavailable: ${error.message}`); }
  try {
    const vips = await (await import('wasm-vips')).default();
    vips.concurrency(1);
    vips.Cache.max(0);
    peers.vips = vips;
  } catch (error) { console.log(`wasm-vips unavailable: ${error.message}`); }
  try { peers.photon = await import('@silvia-odwyer/photon-node'); } catch (error) { console.log(`photon unavailable: ${error.message}`); }
  try { peers.jimp = await import('jimp'); } catch (error) { console.log(`jimp unavailable: ${error.message}`); }
  return peers;
}

export async function runResizeBench({ sizes = [[4000, 3000], [1024, 768]], modes = ['RGBA', 'RGB'], filters = FILTERS } = {}) {
  const peers = await loadPeers();
  const arena = await Arena.create({ maxBytes: 2 ** 32 - 65536 });
  const cases = [];
  for (const [width, height] of sizes) for (const mode of modes) for (const filter of filters) {
    for (const [direction, outWidth, outHeight] of [['down 4', width / 4, height / 4], ['up 2', width * 2, height * 2]]) {
      cases.push({ width, height, mode, filter, direction, outWidth, outHeight, big: width * height > 4e6 });
    }
  }
  const runs = (c) => (c.big ? 5 : 9);
  const pillow = await startPillow(cases.map((c) => ({ mode: c.mode, width: c.width, height: c.height, filter: c.filter, outWidth: c.outWidth, outHeight: c.outHeight })));
  if (!pillow) console.log('Pillow unavailable (/usr/bin/python3 with python3-pil)');

  const rows = [];
  const sources = new Map();
  for (const [index, c] of cases.entries()) {
    const key = `${c.mode}${c.width}`;
    if (!sources.has(key)) {
      const bands = c.mode.length;
      const pixels = randomPixels(c.width * c.height * bands, c.width);
      sources.set(key, { pixels, image: arena.fromPixels(c.mode, c.width, c.height, pixels), bands });
    }
    const { pixels, image, bands } = sources.get(key);
    const vips = peers.vips;
    const row = await timeInterleaved({
      ours: () => image.resize(c.outWidth, c.outHeight, { filter: c.filter }).release(),
      sharp: peers.sharp && SHARP_KERNEL[c.filter] && (() => peers.sharp(pixels, { raw: { width: c.width, height: c.height, channels: bands } })
        .resize(c.outWidth, c.outHeight, { kernel: SHARP_KERNEL[c.filter], fit: 'fill' }).raw().toBuffer()),
      vips: vips && SHARP_KERNEL[c.filter] && (() => {
        const input = vips.Image.newFromMemory(pixels, c.width, c.height, bands, vips.BandFormat.uchar);
        const output = input.resize(c.outWidth / c.width, { vscale: c.outHeight / c.height, kernel: SHARP_KERNEL[c.filter] });
        output.writeToMemory();
        output.delete();
        input.delete();
      }),
      pillow: pillow && (() => pillow.time(index)),
    }, { runs: runs(c) });
    // photon and jimp take RGBA only, and are slow: fewer runs, and not the 8000×6000 outputs.
    const slowOk = c.mode === 'RGBA' && !(c.big && c.direction === 'up 2');
    if (peers.photon && PHOTON_FILTER[c.filter] && slowOk) {
      const { PhotonImage, resize } = peers.photon;
      row.photon = await timeMedian(() => {
        const input = new PhotonImage(pixels, c.width, c.height);
        resize(input, c.outWidth, c.outHeight, PHOTON_FILTER[c.filter]).free();
        input.free();
      }, { runs: 3, warmup: 1 });
    }
    if (peers.jimp && JIMP_MODE[c.filter] && slowOk) {
      const { Jimp } = peers.jimp;
      row.jimp = await timeMedian(() => {
        const input = new Jimp({ width: c.width, height: c.height, data: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.length) });
        input.resize({ w: c.outWidth, h: c.outHeight, mode: JIMP_MODE[c.filter] });
      }, { runs: 3, warmup: 1 });
    }
    rows.push({ c, row });
  }
  const cell = (peer, ours) => (peer === undefined ? 'n/a' : `${formatNumber(peer, 'ms')} (${formatNumber(peer / ours, '×')})`);
  printTable('resize, one thread: median ms (peer time / pixel-arena time; above 1 means pixel-arena is faster)',
    ['image', 'filter', 'to', 'pixel-arena', 'sharp', 'wasm-vips', 'Pillow', 'photon', 'jimp'],
    rows.map(({ c, row }) => [
      `${c.width}×${c.height} ${c.mode}`, c.filter, `${c.direction} (${c.outWidth}×${c.outHeight})`, formatNumber(row.ours, 'ms'),
      cell(row.sharp, row.ours), cell(row.vips, row.ours), cell(row.pillow, row.ours), cell(row.photon, row.ours), cell(row.jimp, row.ours),
    ]));
  pillow?.stop();
  sources.forEach(({ image }) => image.release());
  arena.close();
  return rows;
}
