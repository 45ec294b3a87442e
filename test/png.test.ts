// PNG decoding: every valid PngSuite file and the PNG photographs equal to Pillow's
// pixels (test/goldens/pngsuite.json, made by make_png_goldens.py); the corrupt files
// refused; PNGs written by the test itself (every colour type, bit depth, interlacing,
// filter and IDAT cut) equal to the samples they were made from; truncation, bit flips,
// lying lengths, chunk-order faults, the pixel limit and decompression bombs refused with
// the right error and nothing left allocated.
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Arena, ArenaError, type Mode } from '../dist/node.js';
import { sha256, rgbaOf } from './helpers/codecs.js';
import { chunk, concat, crc32, pngExpected, pngWrite, SIGNATURE, type PngSpec } from './helpers/png-writer.js';
import { expectSameBytes } from './helpers/bytes.js';
import { seededRandom } from './helpers/random.mjs';

interface Golden { width: number; height: number; mode: Mode; bitDepth: number; colorType: number; interlaced: boolean; rgba: string; rule: string }
const manifest = JSON.parse(readFileSync(new URL('./goldens/pngsuite.json', import.meta.url), 'utf8')) as {
  files: Record<string, Golden>; photos: Record<string, Golden>; corrupt: Record<string, string>;
};
const suite = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/pngsuite/${name}`, import.meta.url)));
const photo = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/photos/${name}`, import.meta.url)));

function codeOf(f: () => unknown): string {
  try {
    const result = f() as { release?: () => void };
    result?.release?.();
    return 'OK';
  } catch (error) {
    if (!(error instanceof ArenaError)) throw error;
    return error.code;
  }
}

/** The arena's counters that must not move across a failed call. */
function footprint(arena: Arena) {
  const s = arena.stats();
  return { bytesInUse: s.bytesInUse, blocksInUse: s.blocksInUse, imagesLive: s.imagesLive };
}

describe('PNG decoding', () => {
  it('decodes every valid PngSuite file to Pillow\'s pixels, and probes it', async () => {
    const arena = await Arena.create({ maxBytes: 64 << 20, debug: true });
    const names = Object.keys(manifest.files);
    expect(names.length).toBe(161);
    for (const name of names) {
      const golden = manifest.files[name]!;
      const bytes = suite(name);
      const image = arena.decode(bytes);
      expect([image.mode, image.width, image.height], name).toEqual([golden.mode, golden.width, golden.height]);
      expect(sha256(rgbaOf(image)), `${name} (${golden.rule})`).toBe(golden.rgba);
      image.release();
      expect(arena.probe(bytes), name).toEqual({
        format: 'png', width: golden.width, height: golden.height, mode: golden.mode,
        bitDepth: golden.bitDepth, interlaced: golden.interlaced,
      });
    }
    expect(arena.stats().imagesLive).toBe(0);
    arena.checkHeap();
    arena.close();
  });

  it('refuses the 14 corrupt PngSuite files with DECODE_FAILED, leaving nothing allocated', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, debug: true });
    const names = Object.keys(manifest.corrupt);
    expect(names.length).toBe(14);
    const before = footprint(arena);
    for (const name of names) {
      expect(codeOf(() => arena.decode(suite(name), { format: 'png' })), name).toBe('DECODE_FAILED');
      expect(codeOf(() => arena.decode(suite(name))), name).toBe('DECODE_FAILED');
      expect(footprint(arena), name).toEqual(before);
    }
    // the header-level faults are seen by the probe too
    for (const name of ['xc1n0g08.png', 'xc9n2c08.png', 'xd0n2c08.png', 'xd3n2c08.png', 'xd9n2c08.png', 'xhdn0g08.png', 'xdtn0g01.png', 'xs4n0g01.png']) {
      expect(codeOf(() => arena.probe(suite(name))), name).toBe('DECODE_FAILED');
    }
    arena.checkHeap();
    arena.close();
  });

  it('decodes the PNG photographs to Pillow\'s pixels, in one block per image and in many', async () => {
    for (const blockSize of [16 << 20, 4096]) {
      const arena = await Arena.create({ maxBytes: 64 << 20, blockSize, debug: true });
      for (const [name, golden] of Object.entries(manifest.photos)) {
        const image = arena.decode(photo(name));
        expect([image.mode, image.width, image.height]).toEqual([golden.mode, golden.width, golden.height]);
        expect(sha256(rgbaOf(image)), name).toBe(golden.rgba);
        image.release();
      }
      arena.checkHeap();
      arena.close();
    }
  });
});

// ── PNGs written by the test ──────────────────────────────────────────────────

const KINDS: Array<[PngSpec['colorType'], PngSpec['bitDepth']]> = [
  [0, 1], [0, 2], [0, 4], [0, 8], [0, 16], [2, 8], [2, 16], [3, 1], [3, 2], [3, 4], [3, 8],
  [4, 8], [4, 16], [6, 8], [6, 16],
];

function specOf(colorType: PngSpec['colorType'], bitDepth: PngSpec['bitDepth'], width: number, height: number,
  seed: number, extra: Partial<PngSpec> = {}): PngSpec {
  const random = seededRandom(seed);
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType];
  const top = (1 << bitDepth) - 1;
  const samples = new Uint16Array(width * height * channels);
  // smooth areas, noise and flat runs, so that every filter and match kind occurs
  for (let i = 0; i < samples.length; i++) {
    const pixel = Math.floor(i / channels), x = pixel % width, y = Math.floor(pixel / width);
    const kind = (x >> 4) % 3;
    samples[i] = kind === 0 ? random.int(0, top) : kind === 1 ? Math.floor(((x + y * 3 + (i % channels) * 17) / (width + height * 3 + 60)) * top) : top >> 1;
  }
  const spec: PngSpec = { width, height, colorType, bitDepth, samples, ...extra };
  if (colorType === 3) {
    const entries = Math.min(1 << bitDepth, 200);
    spec.palette = Uint8Array.from({ length: entries * 3 }, () => random.int(0, 255));
  }
  return spec;
}

describe('PNG decoding of files written from the specification', () => {
  it('gives the samples back for every colour type, bit depth, filter and interlacing', async () => {
    const arena = await Arena.create({ maxBytes: 64 << 20, debug: true });
    let n = 0;
    for (const [colorType, bitDepth] of KINDS) {
      for (const interlaced of [false, true]) {
        for (const [w, h] of [[1, 1], [3, 2], [9, 9], [33, 17], [70, 41]] as const) {
          for (const filters of [[0], [1], [2], [3], [4], [0, 1, 2, 3, 4], [4, 3, 1]]) {
            const spec = specOf(colorType, bitDepth, w, h, ++n, { interlaced, filters });
            const { mode, pixels } = pngExpected(spec);
            const image = arena.decode(pngWrite(spec));
            expect([image.mode, image.width, image.height]).toEqual([mode, w, h]);
            expectSameBytes(image.toPixels(), pixels, `type ${colorType} depth ${bitDepth} ${w}x${h} interlaced ${interlaced} filters ${filters}`);
            image.release();
          }
        }
      }
    }
    arena.checkHeap();
    arena.close();
  });

  it('applies tRNS: palette alphas (short and past the palette), gray and RGB keys on the stored samples', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, debug: true });
    const cases: PngSpec[] = [
      { ...specOf(3, 8, 40, 30, 1), transparency: [0, 10, 200] },
      { ...specOf(3, 4, 40, 30, 2), transparency: Array.from({ length: 16 }, (_, i) => i * 16) },
      { ...specOf(3, 8, 40, 30, 3), palette: Uint8Array.from({ length: 30 }, (_, i) => i * 7), transparency: Array.from({ length: 60 }, (_, i) => i) },
      { ...specOf(0, 1, 40, 30, 4), transparency: [1] },
      { ...specOf(0, 4, 40, 30, 5), transparency: [7] },
      { ...specOf(0, 8, 40, 30, 6), transparency: [127] },
      { ...specOf(0, 16, 40, 30, 7), transparency: [32767] },
      { ...specOf(2, 8, 40, 30, 8), transparency: [127, 127, 127] },
      { ...specOf(2, 16, 40, 30, 9), transparency: [32767, 32767, 32767] },
      { ...specOf(0, 8, 40, 30, 10), transparency: [300] }, // a key no 8-bit sample can equal
    ];
    for (const [i, spec] of cases.entries()) {
      for (const interlaced of [false, true]) {
        const { mode, pixels } = pngExpected({ ...spec, interlaced });
        const image = arena.decode(pngWrite({ ...spec, interlaced }));
        expect(image.mode, `case ${i}`).toBe(mode);
        expectSameBytes(image.toPixels(), pixels, `case ${i} interlaced ${interlaced}`);
        image.release();
      }
    }
    arena.close();
  });

  it('reads the stream across IDAT chunks of any size, empty ones included, and from every zlib level', async () => {
    const arena = await Arena.create({ maxBytes: 64 << 20, debug: true });
    const spec = specOf(2, 8, 300, 200, 11, { filters: [0, 1, 2, 3, 4] });
    const { pixels } = pngExpected(spec);
    for (const chunkSizes of [[1], [0, 5, 0, 1, 100], [7], [8192], [1 << 20], [0, 3]]) {
      for (const level of [0, 1, 6, 9]) {
        const image = arena.decode(pngWrite({ ...spec, chunkSizes, level }));
        expectSameBytes(image.toPixels(), pixels, `chunks ${chunkSizes} level ${level}`);
        image.release();
      }
    }
    arena.close();
  });

  it('decodes large images through a bounded window into images of many blocks', async () => {
    for (const [colorType, bitDepth, interlaced] of [[2, 8, false], [6, 16, true], [0, 8, false], [3, 8, true]] as const) {
      const spec = specOf(colorType, bitDepth, 1500, 900, 12, { interlaced, chunkSizes: [65536] });
      const { pixels } = pngExpected(spec);
      const bytes = pngWrite(spec);
      // a fresh arena: its high-water mark is this decode's
      const arena = await Arena.create({ maxBytes: 256 << 20, blockSize: 64 << 10, debug: true });
      const image = arena.decode(bytes);
      // beside the image and the input copy: rows and a 32 KiB window, not a second image
      const { peakBytesInUse, bytesInUse } = arena.stats();
      const rowBytes = Math.ceil((1500 * bitDepth * { 0: 1, 2: 3, 3: 1, 6: 4 }[colorType]) / 8);
      expect(peakBytesInUse - bytesInUse - bytes.length).toBeLessThan(4 * rowBytes + 160_000);
      expectSameBytes(image.toPixels(), pixels, `${colorType}/${bitDepth} interlaced ${interlaced}`);
      image.release();
      arena.checkHeap();
      arena.close();
    }
  });
});

// ── hostile input ─────────────────────────────────────────────────────────────

/** Rewrites the CRC of the chunk starting at `at` so that a change inside it reaches the decoder. */
function fixCrc(file: Uint8Array, at: number): void {
  const view = new DataView(file.buffer, file.byteOffset);
  const length = view.getUint32(at);
  view.setUint32(at + 8 + length, crc32(file.subarray(at + 4, at + 8 + length)));
}

/** Start offsets of the chunks of a PNG. */
function chunkOffsets(file: Uint8Array): number[] {
  const view = new DataView(file.buffer, file.byteOffset);
  const out: number[] = [];
  for (let at = 8; at + 12 <= file.length; at += 12 + view.getUint32(at)) out.push(at);
  return out;
}

describe('PNG decoding of hostile input', () => {
  it('refuses every truncation with DECODE_FAILED', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, debug: true });
    const before = footprint(arena);
    for (const file of [pngWrite(specOf(2, 8, 20, 10, 1, { chunkSizes: [40] })), pngWrite(specOf(3, 2, 20, 10, 2, { interlaced: true })), suite('basn6a16.png')]) {
      for (let cut = 1; cut < file.length; cut++) {
        expect(codeOf(() => arena.decode(file.subarray(0, cut), { format: 'png' })), `cut at ${cut}`).toBe('DECODE_FAILED');
      }
      expect(footprint(arena)).toEqual(before);
    }
    arena.checkHeap();
    arena.close();
  });

  it('refuses a bit flip in any byte: by CRC, or with the CRC fixed, by the stream\'s structure or its Adler-32', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, debug: true });
    const before = footprint(arena);
    const file = pngWrite(specOf(6, 8, 24, 16, 3, { chunkSizes: [100] }));
    const chunks = chunkOffsets(file);
    const random = seededRandom(99);
    let refused = 0, accepted = 0;
    for (let at = 8; at < file.length; at++) {
      const owner = chunks.filter((c) => c <= at).pop()!;
      const length = new DataView(file.buffer).getUint32(owner);
      for (const fixed of [false, true]) {
        const copy = file.slice();
        copy[at]! ^= 1 << random.int(0, 7);
        const inside = at >= owner + 8 && at < owner + 8 + length;
        if (fixed && !inside) continue;
        if (fixed) fixCrc(copy, owner);
        const code = codeOf(() => arena.decode(copy, { format: 'png' }));
        if (code === 'OK') accepted++; else { expect(['DECODE_FAILED', 'UNSUPPORTED', 'LIMIT_EXCEEDED', 'ARENA_FULL']).toContain(code); refused++; }
      }
      expect(footprint(arena)).toEqual(before);
    }
    // IHDR flips with a fixed CRC can make another valid header; the IDAT stream never passes a flip
    expect(refused).toBeGreaterThan(accepted * 10);
    for (let at = chunks[1]! + 8; at < chunks[2]!; at += 7) {
      const copy = file.slice();
      copy[at]! ^= 0x10;
      fixCrc(copy, chunks[1]!);
      expect(codeOf(() => arena.decode(copy)), `flip at ${at}`).toBe('DECODE_FAILED');
    }
    arena.checkHeap();
    arena.close();
  });

  it('refuses lying chunk lengths and broken chunk order', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, debug: true });
    const before = footprint(arena);
    const spec = specOf(3, 8, 16, 16, 4, { chunkSizes: [60] });
    const file = pngWrite(spec);
    const chunks = chunkOffsets(file);
    for (const at of chunks) {
      for (const length of [0, 1, 12, 0x7fffffff, 0x80000000, 0xffffffff, file.length]) {
        if (length === new DataView(file.buffer).getUint32(at)) continue;
        const copy = file.slice();
        new DataView(copy.buffer).setUint32(at, length);
        expect(['DECODE_FAILED', 'UNSUPPORTED']).toContain(codeOf(() => arena.decode(copy)));
      }
    }
    const ihdr = file.subarray(8, 33), plte = file.subarray(chunks[1]!, chunks[2]!);
    const idat = concat(chunks.slice(2, -1).map((c, i, all) => file.subarray(c, all[i + 1] ?? chunks[chunks.length - 1]!)));
    const iend = chunk('IEND', new Uint8Array(0));
    const text = chunk('tEXt', new TextEncoder().encode('a\0b'));
    const orders: Array<[string, Uint8Array[], string]> = [
      ['no IEND', [ihdr, plte, idat], 'DECODE_FAILED'],
      ['no IDAT', [ihdr, plte, iend], 'DECODE_FAILED'],
      ['no PLTE for a palette', [ihdr, idat, iend], 'DECODE_FAILED'],
      ['PLTE twice', [ihdr, plte, plte, idat, iend], 'DECODE_FAILED'],
      ['IHDR twice', [ihdr, ihdr, plte, idat, iend], 'DECODE_FAILED'],
      ['PLTE after IDAT', [ihdr, plte, idat, plte, iend], 'DECODE_FAILED'],
      ['IDATs apart', [ihdr, plte, file.subarray(chunks[2]!, chunks[3]!), text, concat(chunks.slice(3, -1).map((c, i, all) => file.subarray(c, all[i + 1] ?? chunks[chunks.length - 1]!))), iend], 'DECODE_FAILED'],
      ['tRNS before PLTE', [ihdr, chunk('tRNS', Uint8Array.of(1, 2)), plte, idat, iend], 'DECODE_FAILED'],
      ['an unknown critical chunk', [ihdr, chunk('ABCD', new Uint8Array(3)), plte, idat, iend], 'UNSUPPORTED'],
      ['ancillary chunks anywhere, even with bad CRCs', [ihdr, text, plte, text.map((v, i) => (i === text.length - 1 ? v ^ 1 : v)), idat, text, iend], 'OK'],
      ['data after IEND', [ihdr, plte, idat, iend, new Uint8Array(100)], 'OK'],
    ];
    for (const [what, parts, code] of orders) {
      expect(codeOf(() => arena.decode(concat([SIGNATURE, ...parts]))), what).toBe(code);
      expect(footprint(arena), what).toEqual(before);
    }
    arena.checkHeap();
    arena.close();
  });

  it('checks the pixel limit from IHDR before allocating anything', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, debug: true });
    const file = pngWrite(specOf(2, 8, 100, 50, 5));
    const allocated = arena.stats().allocated;
    expect(codeOf(() => arena.decode(file, { maxPixels: 4999 }))).toBe('LIMIT_EXCEEDED');
    // a header claiming 2^31-1 × 2^31-1 pixels, with nothing behind it
    const huge = file.slice();
    new DataView(huge.buffer).setUint32(16, 0x7fffffff);
    new DataView(huge.buffer).setUint32(20, 0x7fffffff);
    fixCrc(huge, 8);
    expect(codeOf(() => arena.decode(huge))).toBe('LIMIT_EXCEEDED');
    // each failed call allocated only its input copy (one block, freed)
    expect(arena.stats().allocated - allocated).toBe(2);
    expect(codeOf(() => arena.decode(file, { maxPixels: 5000 }))).toBe('OK');
    const wide = file.slice();
    new DataView(wide.buffer).setUint32(16, 0x7fffffff);
    new DataView(wide.buffer).setUint32(20, 1);
    fixCrc(wide, 8);
    expect(['ARENA_FULL', 'DECODE_FAILED']).toContain(codeOf(() => arena.decode(wide, { maxPixels: 2 ** 40 })));
    expect(arena.stats().bytesInUse).toBe(0);
    arena.checkHeap();
    arena.close();
  });

  it('stops a decompression bomb at the image\'s size', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, debug: true });
    // 1x1 RGB whose stream inflates to 64 MiB of zeros
    const stream = deflateSync(new Uint8Array(64 << 20), { level: 9 });
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, 1);
    new DataView(ihdr.buffer).setUint32(4, 1);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const bomb = concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', stream), chunk('IEND', new Uint8Array(0))]);
    const start = performance.now();
    expect(codeOf(() => arena.decode(bomb))).toBe('DECODE_FAILED');
    expect(performance.now() - start).toBeLessThan(1000);
    expect(arena.stats().bytesInUse).toBe(0);
    arena.close();
  });

  it('refuses streams that end early, run long, or fail their Adler-32', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, debug: true });
    const spec = specOf(0, 8, 10, 10, 6, { filters: [0] });
    const raw = new Uint8Array(110);
    for (let y = 0; y < 10; y++) raw.set(spec.samples.subarray(y * 10, y * 10 + 10), y * 11 + 1);
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, 10);
    new DataView(ihdr.buffer).setUint32(4, 10);
    ihdr.set([8, 0, 0, 0, 0], 8);
    const png = (stream: Uint8Array) => concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', stream), chunk('IEND', new Uint8Array(0))]);
    expect(codeOf(() => arena.decode(png(deflateSync(raw))))).toBe('OK');
    expect(codeOf(() => arena.decode(png(deflateSync(raw.subarray(0, 109)))))).toBe('DECODE_FAILED');
    expect(codeOf(() => arena.decode(png(deflateSync(concat([raw, new Uint8Array(1)])))))).toBe('DECODE_FAILED');
    const badAdler = deflateSync(raw);
    badAdler[badAdler.length - 1]! ^= 1;
    expect(codeOf(() => arena.decode(png(badAdler)))).toBe('DECODE_FAILED');
    const filterFive = raw.slice();
    filterFive[11] = 5;
    expect(codeOf(() => arena.decode(png(deflateSync(filterFive))))).toBe('DECODE_FAILED');
    // a preset dictionary (FDICT) is not allowed in PNG
    const dictionary = deflateSync(raw, { dictionary: Uint8Array.of(1, 2, 3) });
    expect(codeOf(() => arena.decode(png(dictionary)))).toBe('DECODE_FAILED');
    expect(arena.stats().bytesInUse).toBe(0);
    arena.close();
  });
});
