// JPEG decoding against Pillow 9.4 (test/goldens/jpeg-decode.json): every file of the
// corpus at full size and at reduce 2, 4 and 8 (Pillow's draft()), the benchmark
// photographs and scikit-image's, the probe's fields, EXIF orientation applied as
// ImageOps.exif_transpose, and the files the decoder refuses (as Pillow does).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Arena } from '../dist/node.js';
import { loadJpegGoldens, jpegPath, expectDecode, held, type JpegDecodeGolden, type JpegProbeGolden } from './helpers/jpeg.js';
import { SLOTS_BASE, SLOT_SIZE, SLOT_STATS } from '../src/layout.js';

const goldens = loadJpegGoldens();
const REDUCTIONS = [1, 2, 4, 8] as const;
/** Files neither Pillow nor this library decodes. */
const REFUSED = new Set(['corpus/lossless_sof3.jpg', 'corpus/precision_12.jpg', 'corpus/sample_3x1_2x1_fractional.jpg']);

let arena: Arena;
let fast: Arena;

beforeAll(async () => {
  arena = await Arena.create({ maxBytes: 256 << 20, debug: true });
  fast = await Arena.create({ maxBytes: 1 << 30 });
});

afterAll(() => {
  for (const a of [arena, fast]) {
    expect(a.stats().imagesLive).toBe(0);
    a.checkHeap();
    a.close();
  }
});

const decodable = goldens.filter((g) => !REFUSED.has(g.name));

describe('decode like Pillow', () => {
  const corpus = decodable.filter((g) => g.name.startsWith('corpus/'));
  it.each(corpus.map((g) => [g.name, g] as const))('%s', (name, golden) => {
    const bytes = readFileSync(jpegPath(name)!);
    for (const reduce of REDUCTIONS) {
      const expected = golden.decode[reduce];
      expect('error' in expected, `Pillow decodes ${name} at reduce ${reduce}`).toBe(false);
      const image = arena.decode(bytes, { reduce });
      try {
        expectDecode(`${name} reduce ${reduce}`, image, expected as JpegDecodeGolden);
      } finally {
        image.release();
      }
    }
  });

  const photos = decodable.filter((g) => !g.name.startsWith('corpus/'));
  it.each(photos.map((g) => [g.name, g] as const))('%s (from another encoder)', (name, golden) => {
    const path = jpegPath(name);
    if (!path) return; // scikit-image is not installed here
    const bytes = readFileSync(path);
    for (const reduce of REDUCTIONS) {
      const image = fast.decode(bytes, { reduce });
      try {
        expectDecode(`${name} reduce ${reduce}`, image, golden.decode[reduce] as JpegDecodeGolden);
      } finally {
        image.release();
      }
    }
  });
});

describe('probe like Pillow', () => {
  it.each(goldens.filter((g) => jpegPath(g.name)).map((g) => [g.name, g] as const))('%s', (name, golden) => {
    const bytes = readFileSync(jpegPath(name)!);
    const before = held(arena);
    if ('error' in golden.probe) {
      expect(() => arena.probe(bytes)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    } else {
      const p = golden.probe as JpegProbeGolden;
      expect(arena.probe(bytes)).toEqual({
        format: 'jpeg', width: p.width, height: p.height, mode: p.mode, progressive: p.progressive,
        subsampling: p.subsampling, orientation: p.orientation, hasIcc: p.hasIcc, components: p.components,
      });
    }
    expect(held(arena)).toEqual(before);
  });
});

describe('the probe in the core', () => {
  // INFO_* of assembly/codecs/common.ts that the public ImageInfo does not carry.
  const INFO_BIT_DEPTH = 4, INFO_SAMPLING = 7, INFO_COMPONENTS = 10, INFO_COLOR = 11;
  it.each([
    ['gray', 1, 0, [0x11]], ['sample_2x2', 3, 1, [0x22, 0x11, 0x11]], ['rgb', 3, 2, [0x11, 0x11, 0x11]],
    ['cmyk', 4, 3, [0x11, 0x11, 0x11, 0x11]], ['ycck_420_odd', 4, 4, [0x22, 0x11, 0x11, 0x22]],
    ['rgb_with_jfif', 3, 1, [0x11, 0x11, 0x11]], ['rgb_ids_only', 3, 2, [0x11, 0x11, 0x11]],
    ['ycc_other_ids', 3, 1, [0x22, 0x11, 0x11]], ['sample_2x1_1x2_1x1', 3, 1, [0x21, 0x12, 0x11]],
  ] as const)('%s: components, colour transform, sampling bytes, 8 bits; nothing allocated', async (name, components, color, sampling) => {
    const instance = await WebAssembly.instantiate(arena.shared.module, {
      env: { memory: arena.memory, abort: () => { throw new Error('core abort'); } },
    });
    const core = instance.exports as unknown as Record<string, (...args: number[]) => number>;
    const id = core.attach!();
    try {
      const bytes = readFileSync(jpegPath(`corpus/${name}.jpg`)!);
      const input = core.scratchAllocate!(bytes.length) >>> 0;
      new Uint8Array(arena.memory.buffer, input, bytes.length).set(bytes);
      const before = held(arena);
      const allocated = arena.stats().allocated;
      expect(core.jpegProbe!(input, bytes.length)).toBe(0);
      expect(arena.stats().allocated).toBe(allocated);
      expect(held(arena)).toEqual(before);
      const info = new Float64Array(arena.memory.buffer, SLOTS_BASE + (id & 0xff) * SLOT_SIZE + SLOT_STATS, 12);
      expect(info[INFO_COMPONENTS]).toBe(components);
      expect(info[INFO_COLOR]).toBe(color);
      expect(info[INFO_BIT_DEPTH]).toBe(8);
      expect(info[INFO_SAMPLING]).toBe(sampling.reduce((v, byte, i) => v + byte * 2 ** (8 * i), 0));
      core.scratchRelease!(input);
    } finally {
      arena.reclaim(id);
    }
  });
});

describe('EXIF orientation', () => {
  const oriented = goldens.filter((g) => g.oriented);
  it('covers orientations 2..8 in both byte orders', () => {
    expect(oriented.map((g) => g.name).filter((n) => n.startsWith('corpus/orientation_')).length).toBe(14);
  });

  it.each(oriented.filter((g) => jpegPath(g.name)).map((g) => [g.name, g] as const))('%s with autoOrient', (name, golden) => {
    const image = arena.decode(readFileSync(jpegPath(name)!), { autoOrient: true });
    const expected = golden.oriented!;
    expectDecode(name, image, { mode: 'RGB', width: expected.width, height: expected.height, sha256: expected.sha256 });
    image.release();
  });

  it('leaves the pixels as stored without autoOrient', () => {
    const golden = goldens.find((g) => g.name === 'corpus/orientation_6_le.jpg')!;
    const image = arena.decode(readFileSync(jpegPath(golden.name)!));
    expectDecode(golden.name, image, golden.decode[1] as JpegDecodeGolden);
    image.release();
  });
});

describe('refused files', () => {
  it.each([...REFUSED].map((n) => [n] as const))('%s is UNSUPPORTED, nothing kept', (name) => {
    const bytes = readFileSync(jpegPath(name)!);
    const before = held(arena);
    for (const reduce of REDUCTIONS) {
      expect(() => arena.decode(bytes, { reduce })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    }
    expect(held(arena)).toEqual(before);
  });

  it('are the files Pillow refuses too', () => {
    for (const name of REFUSED) expect('error' in goldens.find((g) => g.name === name)!.decode[1]).toBe(true);
  });
});

describe('decode options at the edge', () => {
  it('converts on the way out with `mode`', () => {
    const golden = goldens.find((g) => g.name === 'corpus/gray.jpg')!;
    const bytes = readFileSync(jpegPath(golden.name)!);
    const gray = arena.decode(bytes);
    const rgb = arena.decode(bytes, { mode: 'RGB' });
    const converted = gray.convert('RGB');
    expect(rgb.mode).toBe('RGB');
    expect(rgb.toPixels()).toEqual(converted.toPixels());
    for (const image of [gray, rgb, converted]) image.release();
  });

  it('gives the state room for skip tables (4 × 32 KiB) only where they may be read: a sequential Huffman frame at reduce 8', async () => {
    /** Bytes held at the peak of one decode beyond the image it leaves (state, work, the input's copy). */
    const extra = async (name: string, reduce: 1 | 8) => {
      const fresh = await Arena.create({ maxBytes: 64 << 20 });
      try {
        const image = fresh.decode(readFileSync(jpegPath(name)!), { reduce });
        const stats = fresh.stats();
        image.release();
        return stats.peakBytesInUse - stats.bytesInUse;
      } finally {
        fresh.close();
      }
    };
    const baseline1 = await extra('corpus/gray.jpg', 1), baseline8 = await extra('corpus/gray.jpg', 8);
    // 96×64 gray: the state without the tables is about 61 KiB, the work and the input a few.
    expect(baseline1).toBeLessThan(96 << 10);
    expect(baseline8 - baseline1).toBeGreaterThanOrEqual(120 << 10);
    expect(baseline8 - baseline1).toBeLessThanOrEqual(136 << 10);
    const progressive1 = await extra('corpus/hubble_crop_progressive.jpg', 1);
    expect(await extra('corpus/hubble_crop_progressive.jpg', 8)).toBeLessThanOrEqual(progressive1);
  });

  it('applies maxPixels from the header, for the full size whatever `reduce`', () => {
    const bytes = readFileSync(jpegPath('corpus/sample_2x2.jpg')!);
    const before = held(arena);
    expect(() => arena.decode(bytes, { maxPixels: 97 * 67 - 1 })).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
    expect(() => arena.decode(bytes, { maxPixels: 97 * 67 - 1, reduce: 8 })).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
    expect(held(arena)).toEqual(before);
    arena.decode(bytes, { maxPixels: 97 * 67 }).release();
  });
});
