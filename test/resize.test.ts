// resize against Pillow: every filter, mode, up- and downscale, 1-pixel sizes, fractional
// boxes, reducing gaps, the output-equals-input and crop shortcuts; then properties that
// need no reference, and images made of many blocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena, type Image, type Mode, type Filter } from '../dist/node.js';
import { loadGoldens, inputImages, expectLikePillow, type Difference } from './helpers/goldens.js';
import { closeGoldenArena, openGoldenArena, randomImage } from './helpers/images.js';

const goldens = loadGoldens('resize');
let arena: Arena;
let inputs: ReturnType<typeof inputImages>;
const totals = new Map<string, Difference>();

beforeAll(async () => {
  ({ arena, inputs } = await openGoldenArena(goldens.inputs));
});
afterAll(() => {
  const lines = [...totals].map(([key, d]) => `${key}: ${d.equal}/${d.samples} equal, max diff ${d.maxDifference}`);
  console.log(`resize vs Pillow 9.4\n${lines.join('\n')}`);
  closeGoldenArena(arena, inputs);
});

type ResizeArgs = { size: [number, number]; filter?: Filter; box?: [number, number, number, number]; reducing_gap?: number };

describe('resize like Pillow', () => {
  it.each(goldens.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const args = c.args as ResizeArgs;
    const output = inputs.get(c.inputs.input).resize(args.size[0], args.size[1], {
      filter: args.filter, box: args.box, reducingGap: args.reducing_gap,
    });
    const difference = expectLikePillow(name, output, c.output, true);
    const key = `${args.filter ?? 'bicubic'} ${c.output.mode}`;
    const total = totals.get(key) ?? { samples: 0, equal: 0, maxDifference: 0 };
    totals.set(key, {
      samples: total.samples + difference.samples, equal: total.equal + difference.equal,
      maxDifference: Math.max(total.maxDifference, difference.maxDifference),
    });
    output.release();
  });

  it.each(goldens.rejects.map((r) => [r.call, r] as const))('rejects %s', (_, r) => {
    const args = r.args as ResizeArgs;
    expect(() => inputs.get(r.input).resize(args.size[0], args.size[1], { filter: args.filter, box: args.box, reducingGap: args.reducing_gap }))
      .toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

const modes: Mode[] = ['L', 'LA', 'RGB', 'RGBA'];
const filters: Filter[] = ['nearest', 'box', 'bilinear', 'hamming', 'bicubic', 'lanczos'];

describe('resize properties', () => {
  it('nearest to the same size is the identity; so is any filter without a box', () => {
    fc.assert(fc.property(fc.constantFrom(...modes), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), fc.integer(), fc.constantFrom(...filters),
      (mode, width, height, seed, filter) => {
        const image = randomImage(arena, { mode: mode, width: width, height: height, seed: seed });
        const nearest = image.resize(width, height, { filter: 'nearest', box: [0, 0, width, height] });
        const same = image.resize(width, height, { filter });
        expect(nearest.toPixels()).toEqual(image.toPixels());
        expect(same.toPixels()).toEqual(image.toPixels());
        [image, nearest, same].forEach((i) => i.release());
      }), { numRuns: 80 });
  });

  it('a constant image stays constant under every filter and scale', () => {
    fc.assert(fc.property(fc.constantFrom<Mode>('L', 'RGB'), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 120 }), fc.constantFrom(...filters), fc.integer({ min: 0, max: 255 }),
      (mode, width, height, outWidth, outHeight, filter, value) => {
        const image = arena.image(mode, width, height, { fill: value });
        const out = image.resize(outWidth, outHeight, { filter });
        expect(out.toPixels().every((v) => v === value)).toBe(true);
        image.release();
        out.release();
      }), { numRuns: 100 });
  });

  it('gives the same bytes for images made of many blocks', async () => {
    const small = await Arena.create({ maxBytes: 256 << 20, blockSize: 4096, alignment: 1 });
    fc.assert(fc.property(fc.constantFrom(...modes), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 90 }),
      fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 120 }), fc.constantFrom(...filters), fc.integer(),
      (mode, width, height, outWidth, outHeight, filter, seed) => {
        const one = randomImage(arena, { mode: mode, width: width, height: height, seed: seed });
        const many = randomImage(small, { mode: mode, width: width, height: height, seed: seed });
        const box: [number, number, number, number] = [width * 0.1, height * 0.05, width * 0.93, height];
        const a = one.resize(outWidth, outHeight, { filter, box });
        const b = many.resize(outWidth, outHeight, { filter, box });
        expect(b.toPixels()).toEqual(a.toPixels());
        [one, many, a, b].forEach((i) => i.release());
      }), { numRuns: 60 });
    small.checkHeap();
    small.close();
  });

  it('validates its arguments and the pixel limit', async () => {
    const image = arena.image('RGB', 10, 10);
    expect(() => image.resize(0, 5)).toThrow('Expected integer between 1 and 1073741823 for width but received 0 of type number');
    expect(() => image.resize(5, 2.5)).toThrow('Expected integer between 1 and 1073741823 for height but received 2.5 of type number');
    expect(() => image.resize(5, 5, { filter: 'cubic' as Filter })).toThrow("Expected one of 'nearest', 'box', 'bilinear', 'hamming', 'bicubic', 'lanczos' for options.filter but received 'cubic' of type string");
    expect(() => image.resize(5, 5, { reducingGap: 0.5 })).toThrow('Expected number >= 1 for options.reducingGap but received 0.5 of type number');
    expect(() => image.resize(5, 5, { box: [0, 0, 11, 10] })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/within the 10×10 image for options.box but received \[0, 0, 11, 10\]/) }));
    const limited = await Arena.create({ maxBytes: 16 << 20, maxPixels: 10_000 });
    const small = limited.image('L', 10, 10);
    expect(() => small.resize(200, 200)).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
    small.release();
    expect(limited.stats().imagesLive).toBe(0);
    limited.close();
    image.release();
  });
});
