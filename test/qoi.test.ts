// QOI: a reference encoder and decoder written here from the one-page specification
// (qoiformat.org, 1.0) check ours both ways: our encoder writes the reference's bytes,
// our decoder reads the reference's files (3 and 4 channels, both colour spaces, every
// chunk kind) to its pixels; round trips of every mode; probe; corrupt files refused
// with DECODE_FAILED; nothing left allocated.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Arena, ArenaError, type Mode } from '../dist/node.js';
import { expectSameBytes } from './helpers/bytes.js';
import { noise } from './helpers/images.js';
import { seededRandom } from './helpers/random.mjs';

const hash = (r: number, g: number, b: number, a: number) => (r * 3 + g * 5 + b * 7 + a * 11) % 64;

/** The reference encoder of the specification, over RGBA pixels. */
function qoiEncode(rgba: Uint8Array, width: number, height: number, channels: 3 | 4, colorspace = 0): Uint8Array {
  const out: number[] = [0x71, 0x6f, 0x69, 0x66];
  for (const v of [width, height]) out.push(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  out.push(channels, colorspace);
  const index = new Array<number>(64 * 4).fill(0);
  let [pr, pg, pb, pa] = [0, 0, 0, 255];
  let run = 0;
  const count = width * height;
  for (let i = 0; i < count; i++) {
    const r = rgba[4 * i]!, g = rgba[4 * i + 1]!, b = rgba[4 * i + 2]!, a = channels === 4 ? rgba[4 * i + 3]! : 255;
    if (r === pr && g === pg && b === pb && a === pa) {
      run++;
      if (run === 62 || i === count - 1) { out.push(0xc0 | (run - 1)); run = 0; }
      continue;
    }
    if (run > 0) { out.push(0xc0 | (run - 1)); run = 0; }
    const h = hash(r, g, b, a);
    if (index[4 * h] === r && index[4 * h + 1] === g && index[4 * h + 2] === b && index[4 * h + 3] === a) {
      out.push(h);
    } else {
      index.splice(4 * h, 4, r, g, b, a);
      if (a === pa) {
        const wrap = (v: number) => ((v + 128) & 255) - 128;
        const dr = wrap(r - pr), dg = wrap(g - pg), db = wrap(b - pb);
        const rg = dr - dg, bg = db - dg;
        if (dr >= -2 && dr <= 1 && dg >= -2 && dg <= 1 && db >= -2 && db <= 1) out.push(0x40 | ((dr + 2) << 4) | ((dg + 2) << 2) | (db + 2));
        else if (dg >= -32 && dg <= 31 && rg >= -8 && rg <= 7 && bg >= -8 && bg <= 7) out.push(0x80 | (dg + 32), ((rg + 8) << 4) | (bg + 8));
        else out.push(0xfe, r, g, b);
      } else {
        out.push(0xff, r, g, b, a);
      }
    }
    [pr, pg, pb, pa] = [r, g, b, a];
  }
  out.push(0, 0, 0, 0, 0, 0, 0, 1);
  return Uint8Array.from(out);
}

/** The reference decoder: packed pixels of 3 or 4 channels. */
function qoiDecode(file: Uint8Array): { width: number; height: number; channels: number; pixels: Uint8Array } {
  const view = new DataView(file.buffer, file.byteOffset);
  const width = view.getUint32(4), height = view.getUint32(8), channels = file[12]!;
  const pixels = new Uint8Array(width * height * channels);
  const index = new Uint8Array(64 * 4);
  let [r, g, b, a] = [0, 0, 0, 255];
  let p = 14, run = 0;
  for (let i = 0; i < width * height; i++) {
    if (run > 0) run--;
    else {
      const tag = file[p++]!;
      if (tag === 0xfe) { [r, g, b] = [file[p]!, file[p + 1]!, file[p + 2]!]; p += 3; }
      else if (tag === 0xff) { [r, g, b, a] = [file[p]!, file[p + 1]!, file[p + 2]!, file[p + 3]!]; p += 4; }
      else if (tag >> 6 === 0) { [r, g, b, a] = Array.from(index.subarray(4 * tag, 4 * tag + 4)) as [number, number, number, number]; }
      else if (tag >> 6 === 1) { r = (r + ((tag >> 4) & 3) - 2) & 255; g = (g + ((tag >> 2) & 3) - 2) & 255; b = (b + (tag & 3) - 2) & 255; }
      else if (tag >> 6 === 2) {
        const next = file[p++]!, dg = (tag & 63) - 32;
        r = (r + dg - 8 + (next >> 4)) & 255; g = (g + dg) & 255; b = (b + dg - 8 + (next & 15)) & 255;
      } else run = tag & 63;
      index.set([r, g, b, a], 4 * hash(r, g, b, a));
    }
    pixels.set(channels === 4 ? [r, g, b, a] : [r, g, b], i * channels);
  }
  return { width, height, channels, pixels };
}

const BANDS: Record<Mode, number> = { L: 1, LA: 2, RGB: 3, RGBA: 4 };

/** Pixels with runs, repeats (index), small steps (diff, luma), big jumps and alpha changes. */
function pixelsOf(count: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const out = new Uint8Array(count * 4);
  let [r, g, b, a] = [10, 20, 30, 255];
  const palette = Array.from({ length: 8 }, () => [random.int(0, 255), random.int(0, 255), random.int(0, 255), random.pick([255, 255, 128, 0])]);
  for (let i = 0; i < count; i++) {
    const k = random.int(0, 9);
    if (k < 3) { /* repeat */ }
    else if (k < 5) [r, g, b, a] = random.pick(palette) as [number, number, number, number];
    else if (k < 7) { r = (r + random.int(-2, 1)) & 255; g = (g + random.int(-2, 1)) & 255; b = (b + random.int(-2, 1)) & 255; }
    else if (k < 8) { const d = random.int(-32, 31); r = (r + d + random.int(-8, 7)) & 255; g = (g + d) & 255; b = (b + d + random.int(-8, 7)) & 255; }
    else if (k < 9) [r, g, b] = [random.int(0, 255), random.int(0, 255), random.int(0, 255)];
    else a = random.int(0, 255);
    out.set([r, g, b, a], 4 * i);
  }
  // a run longer than 62
  out.copyWithin(4 * Math.floor(count / 2), 4 * Math.floor(count / 2) - 4, 4 * Math.floor(count / 2));
  for (let i = Math.floor(count / 2); i < Math.min(count, Math.floor(count / 2) + 150); i++) out.copyWithin(4 * i, 4 * (i - 1), 4 * i);
  return out;
}

function codeOf(f: () => unknown): string {
  try {
    (f() as { release?: () => void })?.release?.();
    return 'OK';
  } catch (error) {
    if (!(error instanceof ArenaError)) throw error;
    return error.code;
  }
}

describe('QOI', () => {
  it('writes the bytes of the reference encoder, for every mode', async () => {
    const arena = await Arena.create({ maxBytes: 64 << 20, debug: true });
    for (const [w, h, seed] of [[1, 1, 1], [7, 5, 2], [64, 48, 3], [300, 200, 4]] as const) {
      const source = arena.fromPixels('RGBA', w, h, pixelsOf(w * h, seed));
      for (const mode of ['L', 'LA', 'RGB', 'RGBA'] as Mode[]) {
        const image = source.convert(mode);
        const wide = image.convert('RGBA');
        const expected = qoiEncode(wide.toPixels(), w, h, mode === 'LA' || mode === 'RGBA' ? 4 : 3);
        expectSameBytes(image.encode('qoi'), expected, `${mode} ${w}x${h}`);
        wide.release();
        image.release();
      }
      source.release();
    }
    expect(arena.stats().bytesInUse).toBe(0);
    arena.close();
  });

  it('reads the reference encoder\'s files to the reference decoder\'s pixels, and probes them', async () => {
    const arena = await Arena.create({ maxBytes: 64 << 20, blockSize: 4096, debug: true });
    for (const [w, h, seed] of [[1, 1, 5], [13, 11, 6], [257, 130, 7]] as const) {
      for (const channels of [3, 4] as const) {
        for (const colorspace of [0, 1]) {
          const file = qoiEncode(pixelsOf(w * h, seed), w, h, channels, colorspace);
          const reference = qoiDecode(file);
          const image = arena.decode(file);
          expect([image.mode, image.width, image.height]).toEqual([channels === 3 ? 'RGB' : 'RGBA', w, h]);
          expectSameBytes(image.toPixels(), reference.pixels, `${w}x${h} channels ${channels}`);
          image.release();
          expect(arena.probe(file)).toEqual({ format: 'qoi', width: w, height: h, mode: channels === 3 ? 'RGB' : 'RGBA' });
        }
      }
    }
    // a 3-channel file may still carry RGBA chunks: their colour counts, their alpha does not
    const rgba = pixelsOf(500, 8);
    const file = qoiEncode(rgba, 25, 20, 4);
    file[12] = 3;
    const image = arena.decode(file);
    expectSameBytes(image.toPixels(), qoiDecode(file).pixels, 'RGBA chunks in a 3-channel file');
    image.release();
    arena.checkHeap();
    arena.close();
  });

  it('round-trips every mode, photographs included', async () => {
    const arena = await Arena.create({ maxBytes: 64 << 20, debug: true });
    const photo = arena.decode(new Uint8Array(readFileSync(new URL('./fixtures/photos/chelsea.png', import.meta.url))));
    for (const mode of ['L', 'LA', 'RGB', 'RGBA'] as Mode[]) {
      for (const source of [photo, arena.fromPixels('RGBA', 61, 37, noise(61 * 37 * 4, 3))]) {
        const image = source.convert(mode);
        const back = arena.decode(image.encode('qoi'));
        const expected = mode === 'L' ? image.convert('RGB') : mode === 'LA' ? image.convert('RGBA') : image;
        expect(back.mode).toBe(expected.mode);
        expectSameBytes(back.toPixels(), expected.toPixels(), `${mode} ${source.width}x${source.height}`);
        back.release();
        if (expected !== image) expected.release();
        image.release();
        if (source !== photo) source.release();
      }
      expect(BANDS[mode]).toBeGreaterThan(0);
    }
    photo.release();
    expect(arena.stats().imagesLive).toBe(0);
    arena.close();
  });

  it('refuses corrupt files with DECODE_FAILED and checks the pixel limit first', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, debug: true });
    const file = qoiEncode(pixelsOf(40 * 30, 9), 40, 30, 4);
    const before = arena.stats().bytesInUse;
    const set = (at: number, bytes: number[]) => { const copy = file.slice(); copy.set(bytes, at); return copy; };
    const cases: Array<[string, Uint8Array, string]> = [
      ['bad magic', set(0, [0x71, 0x6f, 0x69, 0x67]), 'DECODE_FAILED'],
      ['5 channels', set(12, [5]), 'DECODE_FAILED'],
      ['colour space 2', set(13, [2]), 'DECODE_FAILED'],
      ['zero width', set(4, [0, 0, 0, 0]), 'DECODE_FAILED'],
      ['no end marker', set(file.length - 1, [0]), 'DECODE_FAILED'],
      ['more pixels than chunks', set(8, [0, 0, 0, 31]), 'DECODE_FAILED'],
      ['a run past the last pixel', Uint8Array.from([...file.subarray(0, 14), 0xc0 | 61, 0, 0, 0, 0, 0, 0, 0, 1]).map((v, i) => (i === 7 ? 10 : i === 11 ? 1 : i > 3 && i < 11 ? 0 : v)), 'DECODE_FAILED'],
      ['trailing bytes after the marker', Uint8Array.from([...file, 1, 2, 3]), 'OK'],
      ['too many pixels', set(4, [0x7f, 0xff, 0xff, 0xff]), 'LIMIT_EXCEEDED'],
    ];
    for (const [what, bytes, code] of cases) {
      expect(codeOf(() => arena.decode(bytes, { format: 'qoi' })), what).toBe(code);
      expect(arena.stats().bytesInUse, what).toBe(before);
    }
    for (let cut = 0; cut < file.length; cut++) {
      expect(codeOf(() => arena.decode(file.subarray(0, cut), { format: 'qoi' })), `cut at ${cut}`).toBe('DECODE_FAILED');
    }
    const random = seededRandom(3);
    for (let i = 0; i < 2000; i++) {
      const copy = file.slice();
      copy[random.int(14, copy.length - 1)]! ^= 1 << random.int(0, 7);
      expect(['OK', 'DECODE_FAILED']).toContain(codeOf(() => arena.decode(copy, { format: 'qoi' })));
    }
    expect(arena.stats().bytesInUse).toBe(before);
    arena.checkHeap();
    arena.close();
  });
});
