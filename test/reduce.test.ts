// reduce against Pillow (exact), against Reduce.c's formula written out here (random
// factors and boxes, so that the fast paths meet every edge), and properties: identity,
// images of many blocks, calls split by rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena, type Image, type Mode } from '../dist/node.js';
import { loadGoldens, inputImages, expectLikePillow } from './helpers/goldens.js';
import { BANDS, closeGoldenArena, openGoldenArena } from './helpers/images.js';
import { rawCore } from './helpers/core.js';

type Box = [number, number, number, number];
type Factor = number | [number, number];

const goldens = loadGoldens('reduce');
const modes: Mode[] = ['L', 'LA', 'RGB', 'RGBA'];
let arena: Arena;
let inputs: ReturnType<typeof inputImages>;

beforeAll(async () => {
  ({ arena, inputs } = await openGoldenArena(goldens.inputs));
});
afterAll(() => {
  closeGoldenArena(arena, inputs);
});

describe('reduce like Pillow', () => {
  it.each(goldens.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const output = inputs.get(c.inputs.input).reduce(c.args.factor, c.args.box);
    expectLikePillow(name, output, c.output, true);
    output.release();
  });

  it.each(goldens.rejects.map((r) => [r.call, r] as const))('rejects %s', (_, r) => {
    const image = inputs.get(r.input);
    const { factor, box } = r.args as { factor: Factor; box?: Box };
    expect(() => image.reduce(factor, box)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('names the argument and what it received', () => {
    const image = arena.fromPixels('RGB', 4, 3, new Uint8Array(36));
    const live = arena.stats().imagesLive;
    expect(() => image.reduce(0)).toThrow('Expected integer between 1 and 1073741823 for factor but received 0 of type number');
    expect(() => image.reduce(1.5)).toThrow('for factor but received 1.5 of type number');
    expect(() => image.reduce([2, -1])).toThrow('for factor[1] but received -1 of type number');
    expect(() => image.reduce([2, 2, 2] as never)).toThrow('Expected integer or array of 2 integers [x, y] for factor but received [2, 2, 2] of type object');
    expect(() => image.reduce('2' as never)).toThrow("for factor but received '2' of type string");
    expect(() => image.reduce(2, [0.5, 0, 2, 2])).toThrow('Expected array of 4 integers [x0, y0, x1, y1] for box but received [0.5, 0, 2, 2] of type object');
    expect(() => image.reduce(2, [0, 0, 2] as never)).toThrow('Expected array of 4 integers [x0, y0, x1, y1] for box but received [0, 0, 2] of type object');
    expect(() => image.reduce(2, [-1, 0, 2, 2])).toThrow('Expected non-empty box [x0, y0, x1, y1] within the 4×3 image for box but received [-1, 0, 2, 2] of type object');
    expect(() => image.reduce(2, [0, 0, 5, 2])).toThrow('Expected non-empty box [x0, y0, x1, y1] within the 4×3 image for box but received [0, 0, 5, 2] of type object');
    expect(() => image.reduce(2, [1, 1, 3, 1])).toThrow('Expected non-empty box [x0, y0, x1, y1] within the 4×3 image for box but received [1, 1, 3, 1] of type object');
    expect(() => image.reduce(1, [2, 0, 2, 3])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(arena.stats().imagesLive).toBe(live);
    image.release();
    expect(() => image.reduce(2)).toThrow(expect.objectContaining({ code: 'INVALID_HANDLE' }));
  });

  it('copies an empty image by factor 1, and refuses to reduce it otherwise', () => {
    const empty = arena.image('RGBA', 0, 3);
    const copy = empty.reduce(1);
    expect([copy.width, copy.height]).toEqual([0, 3]);
    expect(() => empty.reduce(2)).toThrow('non-empty box');
    [empty, copy].forEach((i) => i.release());
  });

  it('gives 1×1 for a factor larger than the image', () => {
    const image = arena.fromPixels('L', 3, 2, new Uint8Array([0, 10, 20, 30, 40, 51]));
    const one = image.reduce(1000);
    expect(one.toPixels()).toEqual(new Uint8Array([25])); // (151 + 3) * floor(2^24 / 6) >> 24
    [image, one].forEach((i) => i.release());
  });

  it('leaves nothing behind when the premultiplied copy does not fit', async () => {
    const small = await Arena.create({ maxBytes: 16 << 20 });
    const image = small.image('RGBA', 1000, 1500, { fill: [10, 20, 30, 128] });
    // Input and output fit; the premultiplied copy of the box does not.
    expect(() => image.reduce(1, [0, 0, 1000, 1499])).toThrow(expect.objectContaining({ code: 'ARENA_FULL' }));
    expect(small.stats().imagesLive).toBe(1);
    const half = image.reduce(2, [0, 0, 1000, 1499]);
    expect(half.toPixels().subarray(0, 4)).toEqual(new Uint8Array([9, 19, 29, 128])); // premultiplied round trip
    [image, half].forEach((i) => i.release());
    expect(small.stats().imagesLive).toBe(0);
    small.checkHeap();
    small.close();
  });
});

// ── a model of Pillow: premultiply (rgbA2rgba), reduce (Reduce.c), unpremultiply (rgba2rgbA)

function referenceReduce(mode: Mode, width: number, height: number, pixels: Uint8Array, [fx, fy]: [number, number], box: Box) {
  const bands = BANDS[mode];
  const alpha = mode === 'LA' || mode === 'RGBA';
  const whole = box[0] === 0 && box[1] === 0 && box[2] === width && box[3] === height;
  const source = pixels.slice();
  const premultiplied = alpha && !(fx === 1 && fy === 1 && whole);
  if (premultiplied) {
    for (let i = 0; i < source.length; i += bands) {
      const a = source[i + bands - 1]!;
      for (let b = 0; b < bands - 1; b++) { const t = source[i + b]! * a + 128; source[i + b] = ((t >> 8) + t) >> 8; }
    }
  }
  const [bx, by] = box;
  const bw = box[2] - bx, bh = box[3] - by;
  const outWidth = Math.ceil(bw / fx), outHeight = Math.ceil(bh / fy);
  const out = new Uint8Array(outWidth * outHeight * bands);
  for (let y = 0; y < outHeight; y++) for (let x = 0; x < outWidth; x++) {
    const x0 = bx + x * fx, x1 = Math.min(x0 + fx, bx + bw);
    const y0 = by + y * fy, y1 = Math.min(y0 + fy, by + bh);
    const d = (x1 - x0) * (y1 - y0);
    for (let b = 0; b < bands; b++) {
      let sum = 0;
      for (let sy = y0; sy < y1; sy++) for (let sx = x0; sx < x1; sx++) sum += source[(sy * width + sx) * bands + b]!;
      out[(y * outWidth + x) * bands + b] = Math.floor(((sum + Math.floor(d / 2)) * Math.floor(2 ** 24 / d)) / 2 ** 24);
    }
  }
  if (premultiplied) {
    for (let i = 0; i < out.length; i += bands) {
      const a = out[i + bands - 1]!;
      if (a === 0 || a === 255) continue;
      for (let b = 0; b < bands - 1; b++) out[i + b] = Math.min(255, Math.floor((255 * out[i + b]!) / a));
    }
  }
  return { width: outWidth, height: outHeight, pixels: out };
}

type Spec = { mode: Mode; width: number; height: number; seed: number };

const imageArbitrary = fc.record({
  mode: fc.constantFrom(...modes),
  width: fc.integer({ min: 1, max: 90 }),
  height: fc.integer({ min: 1, max: 30 }),
  seed: fc.integer(),
});
const factorArbitrary = fc.oneof(
  fc.constantFrom<Factor>(1, 2, 3, 4, [2, 1], [1, 2], [4, 2], [2, 4], [2, 3], [4, 3]),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })),
);

function randomPixels({ mode, width, height, seed }: Spec): Uint8Array {
  const pixels = new Uint8Array(width * height * BANDS[mode]);
  let s = seed >>> 0;
  for (let i = 0; i < pixels.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const v = s >>> 24;
    // Plenty of exact 0 and 255 (alpha edges), and bright values (sums near the top).
    pixels[i] = v < 24 ? 0 : v > 200 ? 255 : v;
  }
  return pixels;
}

function makeImage(target: Arena, spec: Spec): Image {
  return target.fromPixels(spec.mode, spec.width, spec.height, randomPixels(spec));
}

/** A box inside a spec's image, from four numbers in [0, 1). */
function boxIn(spec: Spec, [a, b, c, d]: number[]): Box {
  const x0 = Math.floor(a! * spec.width), y0 = Math.floor(b! * spec.height);
  const x1 = x0 + 1 + Math.floor(c! * (spec.width - x0)), y1 = y0 + 1 + Math.floor(d! * (spec.height - y0));
  return [x0, y0, x1, y1];
}
const fractions = fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 4, maxLength: 4 });
const pair = (factor: Factor): [number, number] => (Array.isArray(factor) ? factor : [factor, factor]);

describe('reduce properties', () => {
  it('follows the formula for random factors and boxes', () => {
    fc.assert(fc.property(imageArbitrary, factorArbitrary, fc.option(fractions), (spec, factor, where) => {
      const pixels = randomPixels(spec);
      const image = arena.fromPixels(spec.mode, spec.width, spec.height, pixels);
      const box = where ? boxIn(spec, where) : undefined;
      const output = image.reduce(factor, box);
      const expected = referenceReduce(spec.mode, spec.width, spec.height, pixels, pair(factor), box ?? [0, 0, spec.width, spec.height]);
      expect([output.mode, output.width, output.height]).toEqual([spec.mode, expected.width, expected.height]);
      expect(output.toPixels()).toEqual(expected.pixels);
      image.release();
      output.release();
    }), { numRuns: 300 });
  });

  it('stays exact on large blocks of bright pixels', () => {
    for (const mode of modes) {
      const spec = { mode, width: 700, height: 9, seed: 5 };
      const pixels = randomPixels(spec).map((v, i) => (i % 7 === 0 ? v : 255));
      const image = arena.fromPixels(mode, spec.width, spec.height, pixels);
      for (const factor of [[600, 9], [700, 1], [7, 9]] as [number, number][]) {
        const output = image.reduce(factor);
        expect(output.toPixels(), `${mode} ${factor}`).toEqual(referenceReduce(mode, spec.width, spec.height, pixels, factor, [0, 0, spec.width, spec.height]).pixels);
        output.release();
      }
      image.release();
    }
  });

  it('reduce by 1 is the identity', () => {
    fc.assert(fc.property(imageArbitrary, (spec) => {
      const image = makeImage(arena, spec);
      const same = image.reduce(1);
      const again = image.reduce([1, 1], [0, 0, spec.width, spec.height]);
      expect(same).not.toBe(image);
      expect(same.toPixels()).toEqual(image.toPixels());
      expect(again.toPixels()).toEqual(image.toPixels());
      [image, same, again].forEach((i) => i.release());
    }), { numRuns: 60 });
  });

  it('gives the same bytes for images made of many blocks', async () => {
    const small = await Arena.create({ maxBytes: 64 << 20, blockSize: 4096, alignment: 1 });
    fc.assert(fc.property(imageArbitrary, factorArbitrary, fc.option(fractions), (spec, factor, where) => {
      const wide = { ...spec, width: spec.width * 3 + 100 };
      const box = where ? boxIn(wide, where) : undefined;
      const one = makeImage(arena, wide), many = makeImage(small, wide);
      const a = one.reduce(factor, box), b = many.reduce(factor, box);
      expect(b.toPixels()).toEqual(a.toPixels());
      [one, many, a, b].forEach((i) => i.release());
    }), { numRuns: 60 });
    expect(small.stats().imagesLive).toBe(0);
    small.checkHeap();
    small.close();
  });

  it('gives the same bytes when the rows are computed in several calls', async () => {
    const raw = await rawCore(arena);
    fc.assert(fc.property(imageArbitrary, factorArbitrary, fractions, fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 2 }),
      (spec, factor, where, cuts) => {
        const [fx, fy] = pair(factor);
        const [x0, y0, x1, y1] = boxIn(spec, where);
        const width = Math.ceil((x1 - x0) / fx), height = Math.ceil((y1 - y0) / fy);
        const image = makeImage(arena, spec);
        const whole = arena.image(spec.mode, width, height);
        const pieces = arena.image(spec.mode, width, height);
        const source = raw.addressOf(image);
        const args = [fx, fy, x0, y0, x1 - x0, y1 - y0];
        raw.core.reduceImage!(raw.addressOf(whole), source, ...args, 0, height);
        const bounds = [0, ...cuts.map((c) => Math.min(c, height)).sort((a, b) => a - b), height];
        const target = raw.addressOf(pieces);
        for (let i = 1; i < bounds.length; i++) raw.core.reduceImage!(target, source, ...args, bounds[i - 1]!, bounds[i]!);
        expect(pieces.toPixels()).toEqual(whole.toPixels());
        [image, whole, pieces].forEach((i) => i.release());
      }), { numRuns: 80 });
    raw.close();
  });
});
