// JPEG decoding: pixel-arena against sharp (native libvips + libjpeg-turbo, one thread,
// decoded to raw pixels), @jsquash/jpeg (mozjpeg compiled to wasm), jpeg-js (plain
// JavaScript) and Pillow 9.4 (libjpeg-turbo; a python3 subprocess timing its own decodes),
// each taking its turn in every round. Photos: a 5120×2880 4:2:0 crop of the 20 MP
// photograph, re-encoded by sharp at quality 90 into a temporary directory at bench time,
// the 20 MP 4:2:2 original, and the three 4 MP photographs (two of them progressive).
// A second table times reduce 2/4/8 (the scaled IDCT) against Pillow's draft(); a third, a
// 256 px thumbnail of one photo (decode with reduce, lanczos resize, JPEG quality 80 encode)
// against sharp's shrink-on-load pipeline doing the same on one thread.
// The ratio columns are the peer's time over ours (above 1: we are faster).

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arena, thumbnail } from '../dist/node.js';
import { timeInterleaved, formatNumber, printTable } from './lib/report.mjs';

const PHOTOS = new URL('./fixtures/photos/', import.meta.url);
const FILES = [
  ['autumn_2560x1600.jpg', '4 MP 4:4:4 progressive'],
  ['coldripple_2560x1600.jpg', '4 MP 4:4:4'],
  ['colorfulcups_2560x1600.jpg', '4 MP 4:2:2 progressive'],
  ['kleiber_6028x3391.jpg', '20 MP 4:2:2'],
];

async function loadPeers() {
  const peers = {};
  try {
    const sharp = (await import('sharp')).default;
    sharp.concurrency(1);
    sharp.cache(false);
    peers.sharp = sharp;
  } catch (error) { console.log(`sharp unavailable: ${error.message}`); }
  try {
    const { default: decode, init } = await import('@jsquash/jpeg/decode.js');
    const wasm = new URL('./node_modules/@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm', import.meta.url);
    await init(await WebAssembly.compile(readFileSync(wasm)));
    peers.jsquash = decode;
  } catch (error) { console.log(`@jsquash/jpeg unavailable: ${error.message}`); }
  try { peers.jpegJs = (await import('jpeg-js')).default; } catch (error) { console.log(`jpeg-js unavailable: ${error.message}`); }
  return peers;
}

const PILLOW_SCRIPT = `
import io, sys, time
from PIL import Image
files = {}
print('ready', flush=True)
for line in sys.stdin:
    path, reduce = line.split()
    reduce = int(reduce)
    data = files.get(path) or open(path, 'rb').read()
    files[path] = data
    start = time.perf_counter()
    im = Image.open(io.BytesIO(data))
    if reduce > 1:
        im.draft(None, (im.size[0] // reduce, im.size[1] // reduce))
    im.load()
    if im.mode == 'CMYK':
        im = im.convert('RGB')
    print((time.perf_counter() - start) * 1000, flush=True)
`;

/** A Pillow process that decodes a file on request and answers with its time in ms. */
async function startPillow() {
  const child = spawn('/usr/bin/python3', ['-c', PILLOW_SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
  child.on('error', () => {});
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done || first.value !== 'ready') { child.kill(); return undefined; }
  return {
    async time(path, reduce) {
      child.stdin.write(`${path} ${reduce}\n`);
      return Number((await lines.next()).value);
    },
    stop() { child.stdin.end(); },
  };
}

/** The 5120×2880 4:2:0 photo, made by sharp from the 20 MP one. */
async function makeLargePhoto(sharp, directory) {
  const path = join(directory, 'kleiber_5120x2880_420.jpg');
  const source = new URL('kleiber_6028x3391.jpg', PHOTOS).pathname;
  const data = await sharp(source).extract({ left: 454, top: 255, width: 5120, height: 2880 })
    .jpeg({ quality: 90, chromaSubsampling: '4:2:0' }).toBuffer();
  writeFileSync(path, data);
  return path;
}

/** Bytes the arena held at most while decoding `bytes` once, in a fresh arena. */
async function peakBytes(bytes) {
  const arena = await Arena.create({ maxBytes: 2 ** 31 });
  const before = arena.stats().peakBytesInUse;
  const image = arena.decode(bytes);
  const peak = arena.stats().peakBytesInUse - before;
  const imageBytes = image.width * image.height * 4;
  image.release();
  arena.close();
  return { peak, imageBytes };
}

export async function runJpegBench() {
  const peers = await loadPeers();
  const pillow = await startPillow();
  if (!pillow) console.log('Pillow unavailable (/usr/bin/python3 with python3-pil)');
  const directory = mkdtempSync(join(tmpdir(), 'pixel-arena-jpeg-'));
  const arena = await Arena.create({ maxBytes: 2 ** 31 });
  try {
    const photos = FILES.map(([name, what]) => ({ path: new URL(name, PHOTOS).pathname, name, what }));
    if (peers.sharp) {
      photos.unshift({ path: await makeLargePhoto(peers.sharp, directory), name: 'kleiber 5120×2880 (sharp q90)', what: '14.7 MP 4:2:0' });
    }
    const rows = [];
    const memory = [];
    for (const photo of photos) {
      const bytes = readFileSync(photo.path);
      const big = bytes.length > 2e6;
      const contenders = {
        ours: () => arena.decode(bytes).release(),
        sharp: peers.sharp && (() => peers.sharp(bytes).raw().toBuffer()),
        jsquash: peers.jsquash && (() => peers.jsquash(bytes)),
        jpegJs: peers.jpegJs && (() => peers.jpegJs.decode(bytes, { useTArray: true, maxMemoryUsageInMB: 4096, maxResolutionInMP: 200 })),
        pillow: pillow && (() => pillow.time(photo.path, 1)),
      };
      const t = await timeInterleaved(contenders, { runs: big ? 5 : 9, warmup: 1 });
      const ratio = (peer) => (t[peer] ? formatNumber(t[peer] / t.ours, '×') : 'n/a');
      rows.push([photo.name, photo.what, formatNumber(t.ours, 'ms'), formatNumber(t.sharp, 'ms'), ratio('sharp'),
        formatNumber(t.jsquash, 'ms'), ratio('jsquash'), formatNumber(t.jpegJs, 'ms'), ratio('jpegJs'),
        formatNumber(t.pillow, 'ms'), ratio('pillow')]);
      const { peak, imageBytes } = await peakBytes(bytes);
      memory.push([photo.name, formatNumber(imageBytes / 2 ** 20, 'MiB'), formatNumber(bytes.length / 2 ** 20, 'MiB'),
        formatNumber(peak / 2 ** 20, 'MiB'), formatNumber((peak - imageBytes - bytes.length) / 2 ** 20, 'MiB')]);
    }
    printTable('JPEG decode, one thread (median ms; ratio = peer / pixel-arena)',
      ['photo', 'kind', 'pixel-arena', 'sharp', '×', '@jsquash/jpeg', '×', 'jpeg-js', '×', 'Pillow', '×'], rows);
    printTable('pixel-arena memory per decode (arena peak in a fresh arena)',
      ['photo', 'image', 'input', 'peak', 'peak - image - input'], memory);

    const reduceRows = [];
    for (const photo of photos.slice(0, 1).concat(photos.slice(-1))) {
      const bytes = readFileSync(photo.path);
      for (const reduce of [2, 4, 8]) {
        const t = await timeInterleaved({
          ours: () => arena.decode(bytes, { reduce }).release(),
          pillow: pillow && (() => pillow.time(photo.path, reduce)),
        }, { runs: 7, warmup: 1 });
        reduceRows.push([photo.name, String(reduce), formatNumber(t.ours, 'ms'), formatNumber(t.pillow, 'ms'),
          t.pillow ? formatNumber(t.pillow / t.ours, '×') : 'n/a']);
      }
    }
    printTable('JPEG decode with reduce (scaled IDCT), against Pillow draft()',
      ['photo', 'reduce', 'pixel-arena', 'Pillow', '×'], reduceRows);

    // One photo in, a 256×256-inside JPEG out, on one thread.
    const thumbRows = [];
    for (const photo of photos) {
      const bytes = readFileSync(photo.path);
      const t = await timeInterleaved({
        ours: () => {
          const small = thumbnail(arena, bytes, { width: 256, height: 256 });
          try { return small.encode('jpeg', { quality: 80 }); } finally { small.release(); }
        },
        sharp: peers.sharp && (() => peers.sharp(bytes).rotate().resize(256, 256, { fit: 'inside' }).jpeg({ quality: 80 }).toBuffer()),
      }, { runs: 9, warmup: 1 });
      thumbRows.push([photo.name, formatNumber(t.ours, 'ms'), formatNumber(t.sharp, 'ms'),
        t.sharp ? formatNumber(t.sharp / t.ours, '×') : 'n/a']);
    }
    printTable('256 px thumbnail of one JPEG, one thread: decode (with reduce), resize, encode q80 (median ms; sharp / ours)',
      ['photo', 'pixel-arena', 'sharp', '×'], thumbRows);
  } finally {
    pillow?.stop();
    arena.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
