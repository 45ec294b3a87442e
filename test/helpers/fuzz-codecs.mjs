// A seeded mutation fuzzer for the decoders: seeds per format, mutations (generic byte
// mutations, and for PNG chunk-aware ones that fix the CRCs up so that the decoder gets
// past them, and mutations of the zlib stream and of the filtered rows inside IDAT), and
// one execution that asserts what every input must give: an image or an ArenaError
// DECODE_FAILED / UNSUPPORTED / LIMIT_EXCEEDED, within a time bound, with the arena's
// counters as before. Used by test/fuzz-codecs.test.ts (a short run) and
// scripts/fuzz.mjs (`npm run fuzz`, long runs).
//
// Every input is made from (seed, iteration) alone: a failure names both, and
// `npm run fuzz -- --format F --seed S --replay I` makes that input again.

import { readFileSync, readdirSync } from 'node:fs';
import { deflateSync, inflateSync, crc32 as zlibCrc32 } from 'node:zlib';
import { ArenaError } from '../../dist/node.js';
import { seededRandom } from './random.mjs';
import { rawCodecs } from './raw-codecs.mjs';

const FIXTURES = new URL('../fixtures/', import.meta.url);

/**
 * JPEG seeds: files under test/fixtures: a spread of the JPEG corpus (every coding
 * process, sampling, colour type, restarts, EXIF and ICC), small enough to mutate fast.
 */
export const JPEG_SEEDS = [
  'arithmetic.jpg', 'arithmetic_progressive_restart.jpg', 'cmyk.jpg', 'default_huffman_tables.jpg', 'exif_long.jpg',
  'extended_16bit_quant.jpg', 'gray_odd.jpg', 'hubble_crop_progressive.jpg', 'icc.jpg',
].map((name) => `jpeg/corpus/${name}`).concat(
  JSON.parse(readFileSync(new URL('jpeg/corpus.json', FIXTURES), 'utf8'))
    .filter((/** @type {string} */ name) => /progressive|restart|sample|ycck|adobe|odd|411|440/.test(name)).slice(0, 24)
    .map((/** @type {string} */ name) => `jpeg/corpus/${name}`),
);

export const FORMATS = ['png', 'qoi', 'jpeg', 'inflate'];
export const ALLOWED_CODES = ['DECODE_FAILED', 'UNSUPPORTED', 'LIMIT_EXCEEDED'];
/** Decodes are held to this many pixels, so that no valid-looking header can fill the arena. */
export const MAX_PIXELS = 1 << 22;
/** Inflate outputs are held to this many bytes. */
export const MAX_INFLATE = 1 << 24;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  if (typeof zlibCrc32 === 'function') return zlibCrc32(bytes) >>> 0;
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const fixture = (path) => new Uint8Array(readFileSync(new URL(path, FIXTURES)));

// ── seeds ─────────────────────────────────────────────────────────────────────

/**
 * The seed inputs of `format`. PNG: the valid PngSuite files and PNG photographs, plus
 * our own encodings of a photograph crop in every mode; QOI: our encodings of the same;
 * inflate: zlib streams of node:zlib and of ours over image, text and run data.
 */
export async function seedsOf(format, arena) {
  if (format === 'jpeg') return JPEG_SEEDS.map((path) => fixture(path));
  const photo = arena.decode(fixture('photos/coffee_300x200.png'));
  const crop = photo.crop([40, 30, 140, 100]);
  photo.release();
  const modes = ['L', 'LA', 'RGB', 'RGBA'].map((mode) => crop.convert(mode));
  crop.release();
  try {
    if (format === 'png') {
      const suite = readdirSync(new URL('pngsuite/', FIXTURES)).filter((n) => n.endsWith('.png') && !n.startsWith('x'))
        .map((n) => fixture(`pngsuite/${n}`));
      const photos = readdirSync(new URL('photos/', FIXTURES)).filter((n) => n.endsWith('.png')).map((n) => fixture(`photos/${n}`));
      const ours = modes.flatMap((image) => [0, 1, 6, 9].map((level) => image.encode('png', { level })));
      return [...suite, ...photos, ...ours];
    }
    if (format === 'qoi') return modes.map((image) => image.encode('qoi'));
    if (format === 'inflate') {
      const text = fixture('pngsuite/PngSuite.README');
      const codecs = await rawCodecs(arena);
      const raw = modes.map((image) => image.toPixels());
      const runs = Uint8Array.from({ length: 20000 }, (_, i) => Math.floor(i / 37) % 7);
      const streams = [];
      for (const data of [...raw, text, runs]) {
        for (const level of [0, 1, 6, 9]) {
          streams.push(new Uint8Array(deflateSync(data, { level })));
          streams.push(codecs.deflate(data, level));
        }
      }
      codecs.close();
      return streams;
    }
    throw new Error(`unknown format ${format}`);
  } finally {
    modes.forEach((image) => image.release());
  }
}

// ── mutations ─────────────────────────────────────────────────────────────────

const INTERESTING = [0, 1, 2, 0x7f, 0x80, 0xfe, 0xff];
const INTERESTING32 = [0, 1, 12, 0x7fffffff, 0x80000000, 0xffffffff, 65535, 65536];

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function byteMutation(bytes, random) {
  const out = bytes.slice();
  if (out.length === 0) return Uint8Array.of(random.int(0, 255));
  switch (random.int(0, 6)) {
    case 0: // bit flips
      for (let k = random.int(1, 4); k > 0; k--) out[random.int(0, out.length - 1)] ^= 1 << random.int(0, 7);
      return out;
    case 1: // interesting byte values
      for (let k = random.int(1, 3); k > 0; k--) out[random.int(0, out.length - 1)] = random.pick(INTERESTING);
      return out;
    case 2: // random bytes
      for (let k = random.int(1, 8); k > 0; k--) out[random.int(0, out.length - 1)] = random.int(0, 255);
      return out;
    case 3: // truncation
      return out.subarray(0, random.int(0, out.length - 1));
    case 4: { // a range removed
      const at = random.int(0, out.length - 1);
      return concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + random.logInt(1, 256)))]);
    }
    case 5: { // a range duplicated
      const at = random.int(0, out.length - 1);
      const piece = out.subarray(at, at + random.logInt(1, 256));
      return concat([out.subarray(0, at), piece, out.subarray(at)]);
    }
    default: { // a 32-bit field set to an edge value
      if (out.length < 4) return out;
      const at = random.int(0, out.length - 4);
      new DataView(out.buffer, out.byteOffset).setUint32(at, random.pick(INTERESTING32));
      return out;
    }
  }
}

/** The chunks of a PNG (offset, length, type), as far as they parse. */
function chunksOf(file) {
  const view = new DataView(file.buffer, file.byteOffset, file.length);
  const out = [];
  for (let at = 8; at + 12 <= file.length;) {
    const length = view.getUint32(at);
    if (at + 12 + length > file.length) break;
    out.push({ at, length, type: String.fromCharCode(...file.subarray(at + 4, at + 8)) });
    at += 12 + length;
  }
  return out;
}

function crcFix(file, chunk) {
  new DataView(file.buffer, file.byteOffset).setUint32(chunk.at + 8 + chunk.length,
    crc32(file.subarray(chunk.at + 4, chunk.at + 8 + chunk.length)));
}

function chunkMake(type, data) {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** The file with its IDAT chunks replaced by one IDAT of `stream`. */
function withStream(file, chunks, stream) {
  const idats = chunks.filter((c) => c.type === 'IDAT');
  const first = idats[0], last = idats[idats.length - 1];
  return concat([file.subarray(0, first.at), chunkMake('IDAT', stream), file.subarray(last.at + 12 + last.length)]);
}

function pngMutation(file, random) {
  const chunks = chunksOf(file);
  if (chunks.length < 3) return byteMutation(file, random);
  const idats = chunks.filter((c) => c.type === 'IDAT');
  const pick = random.pick(chunks);
  switch (random.int(0, 8)) {
    case 0: { // inside a chunk, CRC fixed: the decoder sees the change
      const out = byteMutation(file.subarray(pick.at + 8, pick.at + 8 + pick.length), random);
      if (out.length !== pick.length) {
        return concat([file.subarray(0, pick.at), chunkMake(pick.type, out), file.subarray(pick.at + 12 + pick.length)]);
      }
      const copy = file.slice();
      copy.set(out, pick.at + 8);
      crcFix(copy, pick);
      return copy;
    }
    case 1: { // a lying length
      const copy = file.slice();
      const view = new DataView(copy.buffer);
      view.setUint32(pick.at, random.next() < 0.5 ? random.pick(INTERESTING32) : Math.max(0, pick.length + random.int(-16, 16)));
      return copy;
    }
    case 2: // a chunk removed
      return concat([file.subarray(0, pick.at), file.subarray(pick.at + 12 + pick.length)]);
    case 3: { // a chunk duplicated somewhere
      const where = random.pick(chunks).at;
      return concat([file.subarray(0, where), file.subarray(pick.at, pick.at + 12 + pick.length), file.subarray(where)]);
    }
    case 4: { // two chunks swapped
      const other = random.pick(chunks);
      const [a, b] = pick.at < other.at ? [pick, other] : [other, pick];
      if (a === b) return byteMutation(file, random);
      return concat([file.subarray(0, a.at), file.subarray(b.at, b.at + 12 + b.length), file.subarray(a.at + 12 + a.length, b.at),
        file.subarray(a.at, a.at + 12 + a.length), file.subarray(b.at + 12 + b.length)]);
    }
    case 5: { // the zlib stream mutated, CRC fixed
      if (idats.length === 0) return byteMutation(file, random);
      const stream = concat(idats.map((c) => file.subarray(c.at + 8, c.at + 8 + c.length)));
      return withStream(file, chunks, byteMutation(stream, random));
    }
    case 6: { // the filtered rows mutated and compressed again: a valid stream with hostile rows
      if (idats.length === 0) return byteMutation(file, random);
      let rows;
      try {
        rows = inflateSync(concat(idats.map((c) => file.subarray(c.at + 8, c.at + 8 + c.length))));
      } catch {
        return byteMutation(file, random);
      }
      return withStream(file, chunks, new Uint8Array(deflateSync(byteMutation(new Uint8Array(rows), random), { level: 1 })));
    }
    case 7: { // IHDR fields changed, CRC fixed
      const copy = file.slice();
      const field = random.int(16, 28);
      copy[field] = random.next() < 0.5 ? random.pick(INTERESTING) : random.int(0, 255);
      crcFix(copy, chunks[0]);
      return copy;
    }
    default:
      return byteMutation(file, random);
  }
}

function inflateMutation(stream, random) {
  if (random.next() < 0.3 && stream.length > 6) {
    // the first block's header bits (type, lengths of a dynamic header)
    const copy = stream.slice();
    copy[2 + random.int(0, Math.min(8, copy.length - 7))] ^= 1 << random.int(0, 7);
    return copy;
  }
  return byteMutation(stream, random);
}

/** The input of iteration `iteration` of a run started with `seed`. */
export function inputOf(format, seeds, seed, iteration) {
  const random = seededRandom((Math.imul(seed, 0x9e3779b1) ^ Math.imul(iteration + 1, 0x85ebca6b)) >>> 0);
  let bytes = random.pick(seeds);
  const mutate = format === 'png' ? pngMutation : format === 'inflate' ? inflateMutation : byteMutation;
  for (let k = random.logInt(1, 6); k > 0; k--) bytes = mutate(bytes, random);
  return bytes;
}

// ── one execution ─────────────────────────────────────────────────────────────

function footprint(arena) {
  const s = arena.stats();
  return `${s.bytesInUse}/${s.blocksInUse}/${s.imagesLive}`;
}

/**
 * Decodes `bytes` as `format` and checks the outcome; returns { outcome, ms } or throws
 * an Error saying what went wrong (a trap, another error, a leak, too slow).
 */
export function execute(arena, codecs, format, bytes, maxMs) {
  const before = footprint(arena);
  const start = performance.now();
  let outcome;
  try {
    if (format === 'inflate') {
      const result = codecs.inflate(bytes, MAX_INFLATE);
      outcome = typeof result === 'number' ? { 1: 'ARENA_FULL', 7: 'LIMIT_EXCEEDED', 9: 'DECODE_FAILED', 10: 'UNSUPPORTED' }[result] ?? `status ${result}` : 'OK';
    } else {
      const image = arena.decode(bytes, { format, maxPixels: MAX_PIXELS });
      image.release();
      outcome = 'OK';
    }
  } catch (error) {
    if (!(error instanceof ArenaError)) throw new Error(`not an ArenaError: ${error?.stack ?? error}`);
    outcome = error.code;
  }
  const ms = performance.now() - start;
  if (outcome !== 'OK' && !ALLOWED_CODES.includes(outcome)) throw new Error(`unexpected outcome ${outcome}`);
  const after = footprint(arena);
  if (after !== before) throw new Error(`arena counters moved: ${before} → ${after} (bytes/blocks/images)`);
  if (ms > maxMs) throw new Error(`took ${ms.toFixed(0)} ms (bound ${maxMs} ms)`);
  return { outcome, ms };
}

/**
 * @typedef {{ format: string, seed?: number, skipped?: string, executions: number, seconds?: number,
 *   perSecond: number, outcomes: Record<string, number>, slowest?: { ms: number, iteration: number, length?: number },
 *   failures: Array<{ format: string, seed: number, iteration: number, error: string }> }} FuzzResult
 */

/**
 * Runs the fuzzer on `format` for `seconds` (or `executions` inputs). Returns the counts,
 * the slowest input and the failures (each with seed and iteration to replay it).
 * @returns {Promise<FuzzResult>}
 */
export async function fuzz({ arena, format, seed, seconds = Infinity, executions = Infinity, maxMs = 2000, log = () => {} }) {
  const seeds = await seedsOf(format, arena);
  if (seeds.length === 0) return { format, skipped: 'no seeds', executions: 0, perSecond: 0, outcomes: {}, failures: [] };
  const codecs = await rawCodecs(arena);
  const outcomes = {};
  const failures = [];
  let slowest = { ms: 0, iteration: -1 };
  const start = performance.now();
  let n = 0;
  for (; n < executions && (performance.now() - start) / 1000 < seconds; n++) {
    const bytes = inputOf(format, seeds, seed, n);
    try {
      const { outcome, ms } = execute(arena, codecs, format, bytes, maxMs);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (ms > slowest.ms) slowest = { ms, iteration: n, length: bytes.length };
    } catch (error) {
      failures.push({ format, seed, iteration: n, error: error.message });
      log(`FAIL ${format} seed ${seed} iteration ${n}: ${error.message}`);
    }
    if (n % 2000 === 1999) arena.checkHeap();
  }
  codecs.close();
  const elapsed = (performance.now() - start) / 1000;
  return { format, seed, executions: n, seconds: elapsed, perSecond: n / elapsed, outcomes, slowest, failures };
}
