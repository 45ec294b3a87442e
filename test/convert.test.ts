// convert against Pillow (exact), against the formulas of Convert.c written out here, and
// properties: round trips, copies, images of many blocks, calls split by rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena, type Image, type Mode } from '../dist/node.js';
import { loadGoldens, inputImages, expectLikePillow } from './helpers/goldens.js';
import { BANDS, closeGoldenArena, noise, openGoldenArena, randomImage } from './helpers/images.js';
import { rawCore } from './helpers/core.js';

const goldens = loadGoldens('convert');
const modes: Mode[] = ['L', 'LA', 'RGB', 'RGBA'];
let arena: Arena;
let inputs: ReturnType<typeof inputImages>;

beforeAll(async () => {
  ({ arena, inputs } = await openGoldenArena(goldens.inputs));
});
afterAll(() => {
  closeGoldenArena(arena, inputs);
});

describe('convert like Pillow', () => {
  it.each(goldens.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const output = inputs.get(c.inputs.input).convert(c.args.mode);
    expectLikePillow(name, output, c.output, true);
    output.release();
  });

  it('rejects what Pillow rejects, and modes it does not know', () => {
    for (const r of goldens.rejects) {
      const image = inputs.get(r.input);
      expect(() => image.convert((r.args as { mode: Mode }).mode), r.call).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    const image = arena.fromPixels('L', 2, 1, new Uint8Array([1, 2]));
    expect(() => image.convert('CMYK' as Mode)).toThrow("Expected one of 'L', 'LA', 'RGB', 'RGBA' for mode but received 'CMYK' of type string");
    expect(() => image.convert(undefined as unknown as Mode)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    image.release();
    expect(() => image.convert('RGB')).toThrow(expect.objectContaining({ code: 'INVALID_HANDLE' }));
  });
});

const imageArbitrary = fc.record({
  mode: fc.constantFrom(...modes),
  width: fc.integer({ min: 1, max: 70 }),
  height: fc.integer({ min: 1, max: 40 }),
  seed: fc.integer(),
});
type Spec = { mode: Mode; width: number; height: number; seed: number };

function randomPixels({ mode, width, height, seed }: Spec): Uint8Array {
  return noise(width * height * BANDS[mode], seed);
}

/** Convert.c's per-pixel formulas on packed pixels. */
function referenceConvert(from: Mode, to: Mode, pixels: Uint8Array): Uint8Array {
  const count = pixels.length / BANDS[from];
  const out = new Uint8Array(count * BANDS[to]);
  const luma = (r: number, g: number, b: number) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
  for (let i = 0; i < count; i++) {
    const p = pixels.subarray(i * BANDS[from], (i + 1) * BANDS[from]);
    let l: number, rgb: [number, number, number], alpha: number;
    if (from === 'L' || from === 'LA') {
      l = p[0]!;
      rgb = [l, l, l];
      alpha = from === 'LA' ? p[1]! : 255;
    } else {
      l = luma(p[0]!, p[1]!, p[2]!);
      rgb = [p[0]!, p[1]!, p[2]!];
      alpha = from === 'RGBA' ? p[3]! : 255;
    }
    const value = { L: [l], LA: [l, alpha], RGB: rgb, RGBA: [...rgb, alpha] }[to];
    if (from === to) out.set(p, i * BANDS[to]);
    else out.set(value, i * BANDS[to]);
  }
  return out;
}

describe('convert properties', () => {
  it('follows the formulas for every pair of modes', () => {
    fc.assert(fc.property(imageArbitrary, fc.constantFrom(...modes), (spec, to) => {
      const pixels = randomPixels(spec);
      const image = arena.fromPixels(spec.mode, spec.width, spec.height, pixels);
      const output = image.convert(to);
      expect([output.mode, output.width, output.height]).toEqual([to, spec.width, spec.height]);
      expect(output.toPixels()).toEqual(referenceConvert(spec.mode, to, pixels));
      image.release();
      output.release();
    }), { numRuns: 200 });
  });

  it('RGB → RGBA → RGB and L → RGB → L are the identity', () => {
    fc.assert(fc.property(imageArbitrary, (spec) => {
      for (const [mode, via] of [['RGB', 'RGBA'], ['L', 'RGB']] as const) {
        const image = randomImage(arena, { ...spec, mode });
        const there = image.convert(via);
        const back = there.convert(mode);
        expect(back.toPixels()).toEqual(image.toPixels());
        [image, there, back].forEach((i) => i.release());
      }
    }), { numRuns: 100 });
  });

  it('to the same mode is a copy: a new image with the same pixels', () => {
    fc.assert(fc.property(imageArbitrary, (spec) => {
      const image = randomImage(arena, spec);
      const copy = image.convert(spec.mode);
      expect(copy).not.toBe(image);
      expect(copy.toPixels()).toEqual(image.toPixels());
      image.release();
      expect(copy.toPixels().length).toBe(spec.width * spec.height * BANDS[spec.mode]);
      copy.release();
    }), { numRuns: 60 });
  });

  it('handles empty images', () => {
    const empty = arena.image('RGBA', 0, 3);
    const flat = arena.image('RGB', 5, 0);
    const a = empty.convert('L'), b = flat.convert('LA');
    expect([a.width, a.height, b.width, b.height]).toEqual([0, 3, 5, 0]);
    [empty, flat, a, b].forEach((i) => i.release());
  });

  it('gives the same bytes for images made of many blocks', async () => {
    const small = await Arena.create({ maxBytes: 64 << 20, blockSize: 4096, alignment: 1 });
    fc.assert(fc.property(imageArbitrary, fc.constantFrom(...modes), (spec, to) => {
      const wide = { ...spec, width: spec.width * 3 + 100 };
      const one = randomImage(arena, wide), many = randomImage(small, wide);
      const a = one.convert(to), b = many.convert(to);
      expect(b.toPixels()).toEqual(a.toPixels());
      [one, many, a, b].forEach((i) => i.release());
    }), { numRuns: 60 });
    expect(small.stats().imagesLive).toBe(0);
    small.checkHeap();
    small.close();
  });

  it('gives the same bytes when the rows are computed in several calls', async () => {
    const raw = await rawCore(arena);
    fc.assert(fc.property(imageArbitrary, fc.constantFrom(...modes), fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 2 }),
      (spec, to, cuts) => {
        const image = randomImage(arena, spec);
        const whole = arena.image(to, spec.width, spec.height);
        const pieces = arena.image(to, spec.width, spec.height);
        const source = raw.addressOf(image);
        raw.core.convertImage!(raw.addressOf(whole), source, 0, spec.height);
        const bounds = [0, ...cuts.map((c) => Math.min(c, spec.height)).sort((x, y) => x - y), spec.height];
        const target = raw.addressOf(pieces);
        for (let i = 1; i < bounds.length; i++) raw.core.convertImage!(target, source, bounds[i - 1]!, bounds[i]!);
        expect(pieces.toPixels()).toEqual(whole.toPixels());
        [image, whole, pieces].forEach((i) => i.release());
      }), { numRuns: 80 });
    raw.close();
  });
});
