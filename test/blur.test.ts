// boxBlur and gaussianBlur against Pillow (exact), against a plain model of Pillow's
// BoxBlur.c on random images, and properties: radius 0, constant images, images of many
// blocks, and the kernels split into row and column bands as a pool would split them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena, type Image, type Mode } from '../dist/node.js';
import { loadGoldens, inputImages, expectLikePillow } from './helpers/goldens.js';
import { BANDS, closeGoldenArena, noise, openGoldenArena, randomImage } from './helpers/images.js';
import { rawCore } from './helpers/core.js';
import { expectSameBytes } from './helpers/bytes.js';

const goldens = loadGoldens('blur');
let arena: Arena;
let inputs: ReturnType<typeof inputImages>;

beforeAll(async () => {
  ({ arena, inputs } = await openGoldenArena(goldens.inputs));
});
afterAll(() => {
  closeGoldenArena(arena, inputs);
});

const f = Math.fround;

// ── a plain model of BoxBlur.c, on packed bands (every band is blurred on its own) ──

function passWeights(radius: number) {
  const r = Math.trunc(radius);
  const ww = Math.trunc(f(f(16777216) / f(f(radius * 2) + 1)));
  const fw = ((16777216 - (2 * r + 1) * ww) >>> 0) >>> 1;
  return { r, ww, fw };
}

function boxPass(line: number[], radius: number): number[] {
  const { r, ww, fw } = passWeights(radius);
  const n = line.length;
  const at = (i: number) => line[Math.min(Math.max(i, 0), n - 1)]!;
  const prefix = [0];
  for (const v of line) prefix.push(prefix[prefix.length - 1]! + v);
  // Σ at(i) for i in lo..hi: the parts before 0 and past n - 1 repeat the edge samples.
  const sum = (lo: number, hi: number) => {
    const before = Math.max(0, Math.min(hi, -1) - lo + 1);
    const after = Math.max(0, hi - Math.max(lo, n) + 1);
    const a = Math.max(lo, 0), b = Math.min(hi, n - 1);
    return before * line[0]! + after * line[n - 1]! + (b >= a ? prefix[b + 1]! - prefix[a]! : 0);
  };
  return line.map((_, x) => Math.floor((ww * sum(x - r, x + r) + fw * (at(x - r - 1) + at(x + r + 1)) + 2 ** 23) / 2 ** 24) & 0xff);
}

function modelBlur(pixels: Uint8Array, width: number, height: number, bands: number, radius: number, passes: number): Uint8Array {
  const out = Uint8Array.from(pixels);
  const index = (x: number, y: number, b: number) => (y * width + x) * bands + b;
  for (let b = 0; b < bands; b++) {
    for (let y = 0; y < height; y++) {
      let line = Array.from({ length: width }, (_, x) => out[index(x, y, b)]!);
      for (let p = 0; p < passes; p++) line = boxPass(line, radius);
      line.forEach((v, x) => { out[index(x, y, b)] = v; });
    }
    for (let x = 0; x < width; x++) {
      let line = Array.from({ length: height }, (_, y) => out[index(x, y, b)]!);
      for (let p = 0; p < passes; p++) line = boxPass(line, radius);
      line.forEach((v, y) => { out[index(x, y, b)] = v; });
    }
  }
  return out;
}

/** BoxBlur.c's sigma → box radius for `passes` passes (float variables, double constants). */
function gaussianBoxRadius(sigma: number, passes: number): number {
  const sigma2 = f(f(sigma * sigma) / passes);
  const L = f(Math.sqrt(12.0 * sigma2 + 1.0));
  const l = f(Math.floor((L - 1.0) / 2.0));
  let a = f(f(f(2 * l) + 1) * f(f(l * f(l + 1)) - f(3 * sigma2)));
  a = f(a / f(6 * f(sigma2 - f(f(l + 1) * f(l + 1)))));
  return f(l + a);
}

const spec = fc.record({
  mode: fc.constantFrom<Mode>('L', 'LA', 'RGB', 'RGBA'),
  width: fc.integer({ min: 1, max: 90 }),
  height: fc.integer({ min: 1, max: 40 }),
  seed: fc.integer(),
});
type Spec = { mode: Mode; width: number; height: number; seed: number };

const radiusArbitrary = fc.oneof(
  fc.integer({ min: 0, max: 12 }),
  fc.double({ min: 0, max: 30, noNaN: true }),
  fc.integer({ min: 30, max: 200 }),
);

function blurBy(image: Image, kind: 'box' | 'gaussian', radius: number): Image {
  return kind === 'box' ? image.boxBlur(radius) : image.gaussianBlur(radius);
}

describe('blur like Pillow', () => {
  it.each(goldens.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const image = inputs.get(c.inputs.input);
    const output = c.op === 'box_blur' ? image.boxBlur(c.args.radius) : image.gaussianBlur(c.args.radius);
    expectLikePillow(name, output, c.output, true);
    expectSameBytes(image.toPixels(), c.inputs.input.pixels, `${name}: input unchanged`);
    output.release();
  });

  it('refuses every radius Pillow refuses', () => {
    for (const r of goldens.rejects) {
      const image = inputs.get(r.input);
      const radius = (r.args as { radius: number }).radius;
      expect(() => (r.op === 'box_blur' ? image.boxBlur(radius) : image.gaussianBlur(radius)), r.call)
        .toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('rejects radii that are not finite numbers from 0 to 2^24', () => {
    const image = arena.image('RGB', 3, 2);
    expect(() => image.boxBlur(-1)).toThrow('Expected number between 0 and 16777216 for radius but received -1 of type number');
    expect(() => image.gaussianBlur(-0.5)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    for (const bad of [NaN, Infinity, 2 ** 24 + 1, '2', undefined, null]) {
      expect(() => image.boxBlur(bad as number)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    for (const bad of [NaN, -Infinity, '2', null]) {
      expect(() => image.gaussianBlur(bad as number)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    image.release();
  });

  it('defaults gaussianBlur to radius 2', () => {
    const c = goldens.cases.find((g) => g.op === 'gaussian_blur' && g.args.radius === 2)!;
    const output = inputs.get(c.inputs.input).gaussianBlur();
    expectLikePillow(c.name, output, c.output, true);
    output.release();
  });
});

describe('blur against a model of BoxBlur.c', () => {
  it('matches on random images and radii', () => {
    fc.assert(fc.property(spec, radiusArbitrary, fc.constantFrom<'box' | 'gaussian'>('box', 'gaussian'), (s, radius, kind) => {
      const image = randomImage(arena, s);
      const before = image.toPixels();
      const output = blurBy(image, kind, radius);
      const [boxRadius, passes] = kind === 'box' ? [f(radius), 1] : [gaussianBoxRadius(f(radius), 3), 3];
      expectSameBytes(output.toPixels(), modelBlur(before, s.width, s.height, BANDS[s.mode], boxRadius, passes));
      expectSameBytes(image.toPixels(), before);
      image.release();
      output.release();
    }), { numRuns: 120 });
  });

  it('matches where columns are split into strips, the last one overlapping', () => {
    // A radius about half the height makes the rings the whole height and the strips the
    // narrowest (256 bytes): 67 RGBA pixels are 268 bytes, 300 L pixels 300, 70 RGB 280.
    for (const [mode, width] of [['RGBA', 67], ['L', 300], ['RGB', 70]] as const) {
      const height = 1200;
      const image = randomImage(arena, { mode, width, height, seed: width });
      const before = image.toPixels();
      const output = image.gaussianBlur(600);
      expectSameBytes(output.toPixels(), modelBlur(before, width, height, BANDS[mode], gaussianBoxRadius(600, 3), 3));
      image.release();
      output.release();
    }
  });
});

describe('blur properties', () => {
  it('blurs zero-width and zero-height images', () => {
    for (let size = 1; size < 200; size += 3) arena.fromPixels('L', size, 1, new Uint8Array(size).fill(0xff)).release();
    for (const [width, height] of [[0, 3], [3, 0], [0, 0]] as const) {
      for (const mode of ['L', 'RGBA'] as const) {
        const empty = arena.image(mode, width, height);
        const box = empty.boxBlur(2), gauss = empty.gaussianBlur(5);
        expect([box.width, box.height, gauss.width, gauss.height]).toEqual([width, height, width, height]);
        [empty, box, gauss].forEach((i) => i.release());
      }
    }
  });

  it('radius 0 is the identity', () => {
    fc.assert(fc.property(spec, (s) => {
      const image = randomImage(arena, s);
      const box = image.boxBlur(0), gauss = image.gaussianBlur(0);
      expectSameBytes(box.toPixels(), image.toPixels());
      expectSameBytes(gauss.toPixels(), image.toPixels());
      [image, box, gauss].forEach((i) => i.release());
    }), { numRuns: 60 });
  });

  it('a constant image stays the same constant', () => {
    fc.assert(fc.property(spec, radiusArbitrary, fc.constantFrom<'box' | 'gaussian'>('box', 'gaussian'),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), (s, radius, kind, colour) => {
        const fill = colour.slice(0, BANDS[s.mode]);
        const image = arena.image(s.mode, s.width, s.height, { fill });
        const output = blurBy(image, kind, radius);
        expectSameBytes(output.toPixels(), image.toPixels());
        image.release();
        output.release();
      }), { numRuns: 80 });
  });

  it('gives the same bytes for images made of many blocks', async () => {
    const small = await Arena.create({ maxBytes: 64 << 20, blockSize: 4096, alignment: 1 });
    fc.assert(fc.property(spec, radiusArbitrary, fc.constantFrom<'box' | 'gaussian'>('box', 'gaussian'), (s, radius, kind) => {
      const wide = { ...s, width: s.width * 3 + 100 };
      const one = randomImage(arena, wide);
      const many = randomImage(small, wide);
      const a = blurBy(one, kind, radius), b = blurBy(many, kind, radius);
      expectSameBytes(b.toPixels(), a.toPixels());
      [one, many, a, b].forEach((i) => i.release());
    }), { numRuns: 40 });
    expect(small.stats().imagesLive).toBe(0);
    small.checkHeap();
    small.close();
  });

  it('gives the same bytes when rows and columns are split into bands', async () => {
    const raw = await rawCore(arena);
    const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 2 });
    fc.assert(fc.property(spec, radiusArbitrary, fc.constantFrom(1, 3), cuts, cuts, (s, radius, passes, rowCuts, columnCuts) => {
      const image = randomImage(arena, s);
      const whole = arena.image(s.mode, s.width, s.height), split = arena.image(s.mode, s.width, s.height);
      const middleWhole = arena.image(s.mode, s.width, s.height), middleSplit = arena.image(s.mode, s.width, s.height);
      const [source, target, targetSplit, middle, middleParts] = [image, whole, split, middleWhole, middleSplit].map((i) => raw.addressOf(i));
      const r = f(radius);
      expect(raw.core.blurRows!(middle!, source!, r, passes, 0, s.height)).toBe(0);
      expect(raw.core.blurColumns!(target!, middle!, r, passes, 0, s.width)).toBe(0);
      const bounds = (parts: number[], size: number) => [0, ...parts.map((p) => Math.floor(p * size)).sort((a, b) => a - b), size];
      const rows = bounds(rowCuts, s.height), columns = bounds(columnCuts, s.width);
      for (let i = 0; i + 1 < rows.length; i++) expect(raw.core.blurRows!(middleParts!, source!, r, passes, rows[i]!, rows[i + 1]!)).toBe(0);
      for (let i = 0; i + 1 < columns.length; i++) {
        expect(raw.core.blurColumns!(targetSplit!, middleParts!, r, passes, columns[i]!, columns[i + 1]!)).toBe(0);
      }
      expectSameBytes(middleSplit.toPixels(), middleWhole.toPixels());
      expectSameBytes(split.toPixels(), whole.toPixels());
      [image, whole, split, middleWhole, middleSplit].forEach((i) => i.release());
    }), { numRuns: 60 });
    raw.close();
  });
});
