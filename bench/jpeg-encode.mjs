// JPEG encode benchmark: pixel-arena against sharp (native libvips with mozjpeg), Pillow
// (libjpeg-turbo, a python3 subprocess timing itself), @jsquash/jpeg (mozjpeg in wasm) and
// jpeg-js (JavaScript), one thread each, at quality 75 with 4:2:0 chroma, from raw RGB
// pixels already in memory. The photos of bench/fixtures/photos are decoded with sharp
// first; the largest is a 5120×2880 (14.7 MP) crop of the 20 MP one. Contenders take turns
// in every round; medians. Each peer's defaults otherwise: sharp and @jsquash/jpeg write
// optimal Huffman tables (and @jsquash/jpeg a progressive file), so pixel-arena is also
// timed with optimize: true.

import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Arena } from '../dist/node.js';
import { timeInterleaved, formatNumber, printTable } from './lib/report.mjs';

const PHOTOS = new URL('./fixtures/photos/', import.meta.url);
const SOURCES = [
  { file: 'kleiber_6028x3391.jpg', crop: { left: 454, top: 256, width: 5120, height: 2880 } },
  { file: 'autumn_2560x1600.jpg' },
  { file: 'coldripple_2560x1600.jpg' },
  { file: 'colorfulcups_2560x1600.jpg' },
];
const QUALITY = 75;

async function loadPeers() {
  const peers = {};
  try {
    const sharp = (await import('sharp')).default;
    sharp.concurrency(1);
    sharp.cache(false);
    peers.sharp = sharp;
  } catch (error) { console.log(`sharp unavailable: ${error.message}`); }
  try {
    const jsquash = await import('@jsquash/jpeg/encode.js');
    const wasm = readFileSync(new URL('./node_modules/@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm', import.meta.url));
    await jsquash.init(await WebAssembly.compile(wasm));
    peers.jsquash = jsquash.default;
  } catch (error) { console.log(`@jsquash/jpeg unavailable: ${error.message}`); }
  try { peers.jpegJs = (await import('jpeg-js')).default; } catch (error) { console.log(`jpeg-js unavailable: ${error.message}`); }
  return peers;
}

/** A Pillow process that times im.save on request (null without /usr/bin/python3 and Pillow). */
async function startPillow(cases) {
  const child = spawn('/usr/bin/python3', [new URL('./pillow_jpeg_encode.py', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.on('error', () => {});
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  child.stdin.write(JSON.stringify(cases) + '\n');
  const first = await lines.next();
  if (first.done || first.value !== 'ready') { child.kill(); return null; }
  return {
    /** [milliseconds, bytes] of one save of case `index`. */
    async save(index) {
      child.stdin.write(`${index}\n`);
      return JSON.parse((await lines.next()).value);
    },
    stop() { child.stdin.end(); },
  };
}

export async function runJpegEncodeBench({ runs = 7, warmup = 1 } = {}) {
  const peers = await loadPeers();
  if (!peers.sharp) { console.log('jpeg-encode needs sharp to decode its photos'); return; }
  const directory = mkdtempSync(join(tmpdir(), 'pixel-arena-jpeg-'));
  const photos = [];
  for (const { file, crop } of SOURCES) {
    let pipeline = peers.sharp(new URL(file, PHOTOS).pathname);
    if (crop) pipeline = pipeline.extract(crop);
    const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const path = join(directory, `${file}.rgb`);
    writeFileSync(path, data);
    photos.push({ name: file.replace(/_\d+x\d+\.jpg$/, ''), width: info.width, height: info.height, rgb: data, path });
  }
  const pillow = await startPillow(photos.map((p) => ({ path: p.path, width: p.width, height: p.height, options: { quality: QUALITY } })));
  if (!pillow) console.log('Pillow unavailable (/usr/bin/python3 with python3-pil)');

  const arena = await Arena.create({ maxBytes: 2 ** 31 });
  const rows = [];
  for (const [index, photo] of photos.entries()) {
    const { width, height, rgb } = photo;
    const image = arena.fromPixels('RGB', width, height, rgb);
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
      rgba[j] = rgb[i]; rgba[j + 1] = rgb[i + 1]; rgba[j + 2] = rgb[i + 2]; rgba[j + 3] = 255;
    }
    const sizes = {};
    const contenders = {
      'pixel-arena': () => { sizes['pixel-arena'] = image.encode('jpeg', { quality: QUALITY }).length; },
      'pixel-arena optimize': () => { sizes['pixel-arena optimize'] = image.encode('jpeg', { quality: QUALITY, optimize: true }).length; },
      sharp: async () => {
        const out = await peers.sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality: QUALITY }).toBuffer();
        sizes.sharp = out.length;
      },
      Pillow: pillow && (async () => { const [ms, bytes] = await pillow.save(index); sizes.Pillow = bytes; return ms; }),
      '@jsquash/jpeg': peers.jsquash && (async () => {
        sizes['@jsquash/jpeg'] = (await peers.jsquash({ data: rgba, width, height }, { quality: QUALITY })).byteLength;
      }),
      'jpeg-js': peers.jpegJs && (() => { sizes['jpeg-js'] = peers.jpegJs.encode({ data: rgba, width, height }, QUALITY).data.length; }),
    };
    const big = width * height > 8e6;
    const times = await timeInterleaved(contenders, { runs: big ? Math.max(3, runs - 2) : runs, warmup });
    image.release();
    const megapixels = (width * height) / 1e6;
    for (const [name, ms] of Object.entries(times)) {
      rows.push([`${photo.name} ${width}×${height}`, name, formatNumber(ms, 'ms'), formatNumber(megapixels / (ms / 1000)),
        `${(sizes[name] / 1024).toFixed(0)} KiB`, formatNumber(ms / times['pixel-arena'], '×'), formatNumber(ms / times.sharp, '×')]);
    }
  }
  pillow?.stop();
  arena.close();
  rmSync(directory, { recursive: true, force: true });
  printTable(`JPEG encode, quality ${QUALITY}, 4:2:0, RGB in memory, one thread (median of ${runs} runs, ${Math.max(3, runs - 2)} for 14.7 MP)`,
    ['photo', 'encoder', 'time', 'Mpx/s', 'size', 'time / pixel-arena', 'time / sharp'], rows);
}
