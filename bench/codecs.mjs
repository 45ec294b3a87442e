// Codec benchmark: PNG decoding and encoding against sharp (native libvips + libspng /
// libpng + zlib, one thread), fast-png, pngjs and UPNG (upng-js), on real photographs
// made into PNG files by sharp at its defaults (compression level 6, no adaptive
// filtering); then zlib streams against fflate and node:zlib at levels 1, 6 and 9.
// Contenders take their turns in every round; medians. Ratio columns are the peer's
// time over ours (above 1: pixel-arena is faster); sizes are the output bytes.
//
// Our decode leaves the image in the arena (the library's point); the peers return a
// buffer of pixels. Both include copying the file in. Our encode starts from an image in
// the arena; the peers from a buffer of pixels.
//
//   node bench/run.mjs codecs

import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { deflateSync, inflateSync } from 'node:zlib';
import { Arena } from '../dist/node.js';
import { timeInterleaved, formatNumber, printTable } from './lib/report.mjs';
import { rawCodecs } from '../test/helpers/raw-codecs.mjs';

const require = createRequire(import.meta.url);
const PHOTOS = new URL('./fixtures/photos/', import.meta.url);

async function loadPeers() {
  const peers = {};
  try {
    const sharp = (await import('sharp')).default;
    sharp.concurrency(1);
    sharp.cache(false);
    peers.sharp = sharp;
  } catch (error) { console.log(`sharp unavailable: ${error.message}`); }
  try { peers.fastPng = await import('fast-png'); } catch (error) { console.log(`fast-png unavailable: ${error.message}`); }
  try { peers.pngjs = (await import('pngjs')).PNG; } catch (error) { console.log(`pngjs unavailable: ${error.message}`); }
  try { peers.upng = require('upng-js'); } catch (error) { console.log(`upng-js unavailable: ${error.message}`); }
  try { peers.fflate = await import('fflate'); } catch (error) { console.log(`fflate unavailable: ${error.message}`); }
  return peers;
}

/** The photographs, as RGB pixels: [name, width, height, pixels]. sharp decodes the JPEGs. */
async function photos(sharp) {
  const coffee = await sharp(new URL('./fixtures/coffee.png', import.meta.url).pathname).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const kleiber = await sharp(new URL('kleiber_6028x3391.jpg', PHOTOS).pathname)
    .extract({ left: 454, top: 255, width: 5120, height: 2880 }).raw().toBuffer({ resolveWithObject: true });
  const cups = await sharp(new URL('colorfulcups_2560x1600.jpg', PHOTOS).pathname).raw().toBuffer({ resolveWithObject: true });
  return [
    ['coffee 600×400', coffee],
    ['cups 2560×1600', cups],
    ['kleiber 5120×2880', kleiber],
  ].map(([name, { data, info }]) => ({ name, width: info.width, height: info.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.length) }));
}

function rgba(rgb) {
  const out = new Uint8Array((rgb.length / 3) * 4);
  for (let i = 0, o = 0; i < rgb.length; i += 3, o += 4) { out[o] = rgb[i]; out[o + 1] = rgb[i + 1]; out[o + 2] = rgb[i + 2]; out[o + 3] = 255; }
  return out;
}

const ratio = (peer, ours) => (peer === undefined ? 'n/a' : `${(peer / ours).toFixed(2)}×`);
const megabytes = (bytes) => (bytes === undefined ? 'n/a' : `${(bytes / 1e6).toFixed(bytes < 1e7 ? 3 : 2)} MB`);

async function pngBench(peers, arena, images) {
  const { sharp, fastPng, pngjs, upng } = peers;
  const decodeRows = [], encodeRows = [];
  for (const photo of images) {
    const { name, width, height, rgb } = photo;
    const big = width * height > 4e6;
    const runs = big ? 5 : 9;
    const file = new Uint8Array(await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer());
    const check = arena.decode(file);
    if (Buffer.compare(check.toPixels(), rgb) !== 0) throw new Error(`${name}: our decode differs from the pixels`);
    check.release();
    const decode = await timeInterleaved({
      ours: () => arena.decode(file).release(),
      sharp: sharp && (() => sharp(file).raw().toBuffer()),
      'fast-png': fastPng && (() => fastPng.decode(file)),
      pngjs: pngjs && (() => pngjs.sync.read(Buffer.from(file.buffer, file.byteOffset, file.length))),
      UPNG: upng && (() => upng.decode(file.buffer.slice(file.byteOffset, file.byteOffset + file.length))),
    }, { runs, warmup: 1 });
    decodeRows.push([`${name} (${megabytes(file.length)})`, formatNumber(decode.ours, 'ms'),
      formatNumber(decode.sharp, 'ms'), ratio(decode.sharp, decode.ours),
      formatNumber(decode['fast-png'], 'ms'), ratio(decode['fast-png'], decode.ours),
      formatNumber(decode.pngjs, 'ms'), ratio(decode.pngjs, decode.ours),
      formatNumber(decode.UPNG, 'ms'), ratio(decode.UPNG, decode.ours)]);

    const image = arena.fromPixels('RGB', width, height, rgb);
    const withAlpha = upng || pngjs ? rgba(rgb) : undefined;
    const sizes = {};
    const sized = (name, f) => f && (async () => { sizes[name] = (await f()).length; });
    const encode = await timeInterleaved({
      ours: sized('ours', () => image.encode('png')),
      'ours level 1': sized('ours level 1', () => image.encode('png', { level: 1 })),
      sharp: sharp && sized('sharp', () => sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer()),
      'fast-png': fastPng && sized('fast-png', () => fastPng.encode({ width, height, data: rgb, channels: 3, depth: 8 })),
      pngjs: pngjs && sized('pngjs', () => pngjs.sync.write({ width, height, data: Buffer.from(withAlpha.buffer) }, { colorType: 2 })),
      UPNG: upng && sized('UPNG', () => new Uint8Array(upng.encode([withAlpha.buffer], width, height, 0))),
    }, { runs, warmup: 1 });
    image.release();
    const cell = (who) => (encode[who] === undefined ? ['n/a', 'n/a'] : [`${formatNumber(encode[who], 'ms')}, ${megabytes(sizes[who])}`, ratio(encode[who], encode.ours)]);
    encodeRows.push([name, `${formatNumber(encode.ours, 'ms')}, ${megabytes(sizes.ours)}`,
      `${formatNumber(encode['ours level 1'], 'ms')}, ${megabytes(sizes['ours level 1'])}`,
      ...cell('sharp'), `${(sizes.ours / sizes.sharp).toFixed(2)}`, ...cell('fast-png'), ...cell('pngjs'), ...cell('UPNG')]);
  }
  printTable('PNG decode of sharp\'s files (RGB 8-bit), one thread: median ms (peer / pixel-arena: above 1, pixel-arena is faster)',
    ['photo (file size)', 'pixel-arena', 'sharp', '×', 'fast-png', '×', 'pngjs', '×', 'UPNG', '×'], decodeRows);
  printTable('PNG encode of RGB pixels, each at its defaults (pixel-arena: level 6, adaptive filters; sharp: level 6, no filtering): median ms, output size',
    ['photo', 'pixel-arena', 'pixel-arena level 1', 'sharp', '×', 'size / sharp\'s', 'fast-png', '×', 'pngjs', '×', 'UPNG', '×'], encodeRows);
}

async function zlibBench(peers, arena, images) {
  const { fflate } = peers;
  const codecs = await rawCodecs(arena);
  const kleiber = images[images.length - 1];
  const coffee = images[0];
  // the filtered rows a PNG encoder compresses: our encoder's, taken out of its file
  const rowsOf = (photo) => {
    const image = arena.fromPixels('RGB', photo.width, photo.height, photo.rgb);
    const file = image.encode('png', { level: 0 });
    image.release();
    const parts = [];
    const view = new DataView(file.buffer, file.byteOffset);
    for (let at = 8; at < file.length; at += 12 + view.getUint32(at)) {
      if (String.fromCharCode(...file.subarray(at + 4, at + 8)) === 'IDAT') parts.push(file.subarray(at + 8, at + 8 + view.getUint32(at)));
    }
    return new Uint8Array(inflateSync(Buffer.concat(parts)));
  };
  const sources = ['src', 'assembly'].flatMap((dir) => readdirSync(new URL(`../${dir}/`, import.meta.url), { recursive: true })
    .filter((f) => f.endsWith('.ts')).sort().map((f) => readFileSync(new URL(`../${dir}/${f}`, import.meta.url))));
  const sets = [
    ['PNG rows, coffee', rowsOf(coffee)],
    ['PNG rows, kleiber', rowsOf(kleiber)],
    ['RGB pixels, kleiber', kleiber.rgb],
    ['TypeScript sources', new Uint8Array(Buffer.concat(sources))],
  ];
  const deflateRows = [], inflateRows = [];
  for (const [name, data] of sets) {
    const runs = data.length > 1e7 ? 5 : 9;
    for (const level of [1, 6, 9]) {
      if (data.length > 1e7 && level === 9) continue;
      const sizes = {};
      const times = await timeInterleaved({
        ours: () => { sizes.ours = codecs.deflate(data, level).length; },
        fflate: fflate && (() => { sizes.fflate = fflate.zlibSync(data, { level }).length; }),
        'node:zlib': () => { sizes['node:zlib'] = deflateSync(data, { level }).length; },
      }, { runs, warmup: 1 });
      deflateRows.push([`${name} (${megabytes(data.length)})`, String(level),
        `${formatNumber(times.ours, 'ms')}, ${megabytes(sizes.ours)}`,
        `${formatNumber(times.fflate, 'ms')}, ${megabytes(sizes.fflate)}`, ratio(times.fflate, times.ours),
        `${formatNumber(times['node:zlib'], 'ms')}, ${megabytes(sizes['node:zlib'])}`, ratio(times['node:zlib'], times.ours)]);
    }
    // every inflater reads the same stream: node:zlib's at level 6
    const stream = new Uint8Array(deflateSync(data, { level: 6 }));
    const ours = codecs.inflate(stream);
    if (typeof ours === 'number' || Buffer.compare(ours, data) !== 0) throw new Error(`${name}: our inflate differs`);
    const times = await timeInterleaved({
      ours: () => codecs.inflate(stream),
      fflate: fflate && (() => fflate.unzlibSync(stream)),
      'node:zlib': () => inflateSync(stream),
    }, { runs, warmup: 1 });
    inflateRows.push([`${name} (${megabytes(data.length)})`, formatNumber(times.ours, 'ms'),
      formatNumber(times.fflate, 'ms'), ratio(times.fflate, times.ours),
      formatNumber(times['node:zlib'], 'ms'), ratio(times['node:zlib'], times.ours)]);
  }
  codecs.close();
  printTable('zlib deflate (copies in and out included): median ms, output size (peer / pixel-arena time)',
    ['data', 'level', 'pixel-arena', 'fflate', '×', 'node:zlib', '×'], deflateRows);
  printTable('zlib inflate of node:zlib\'s level-6 stream: median ms (peer / pixel-arena time)',
    ['data', 'pixel-arena', 'fflate', '×', 'node:zlib', '×'], inflateRows);
}

export async function runCodecsBench() {
  const peers = await loadPeers();
  if (!peers.sharp) throw new Error('the codec benchmark makes its PNG files with sharp: run npm run bench once to install it');
  const arena = await Arena.create({ maxBytes: 2 ** 32 - 65536 });
  const images = await photos(peers.sharp);
  await pngBench(peers, arena, images);
  await zlibBench(peers, arena, images);
  arena.close();
}
