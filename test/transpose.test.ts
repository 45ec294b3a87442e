// transpose and crop against Pillow (exact: pixels move unchanged), plus properties that
// need no reference: round trips, identities, images spanning many blocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena, type Image, type Mode, type TransposeMethod } from '../dist/node.js';
import { randomImage } from './helpers/images.js';
import { loadGoldens, inputImages, expectLikePillow } from './helpers/goldens.js';

const transposeGoldens = loadGoldens('transpose');
const cropGoldens = loadGoldens('crop');
let arena: Arena;
let inputs: ReturnType<typeof inputImages>;
let cropInputs: ReturnType<typeof inputImages>;

beforeAll(async () => {
  arena = await Arena.create({ maxBytes: 256 << 20, debug: true });
  inputs = inputImages(arena, transposeGoldens.inputs);
  cropInputs = inputImages(arena, cropGoldens.inputs);
});
afterAll(() => {
  inputs.releaseAll();
  cropInputs.releaseAll();
  expect(arena.stats().imagesLive).toBe(0);
  arena.checkHeap();
  arena.close();
});

describe('transpose like Pillow', () => {
  it.each(transposeGoldens.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const output = inputs.get(c.inputs.input).transpose((c.args as { method: TransposeMethod }).method);
    expectLikePillow(name, output, c.output, true);
    output.release();
  });
});

describe('crop like Pillow', () => {
  it.each(cropGoldens.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const output = cropInputs.get(c.inputs.input).crop((c.args as { box: [number, number, number, number] }).box);
    expectLikePillow(name, output, c.output, true);
    output.release();
  });

  it.each(cropGoldens.rejects.map((r) => [r.call, r] as const))('rejects %s', (_, r) => {
    const image = cropInputs.get(r.input);
    expect(() => image.crop((r.args as { box: [number, number, number, number] }).box))
      .toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('rounds half to even and rejects bad boxes', () => {
    const image = arena.fromPixels('L', 4, 1, new Uint8Array([1, 2, 3, 4]));
    const cut = image.crop([0.5, 0, 2.5, 1]); // Python: round(0.5) = 0, round(2.5) = 2
    expect(cut.toPixels()).toEqual(new Uint8Array([1, 2]));
    cut.release();
    expect(() => image.crop([0, 0, 1] as never)).toThrow('Expected array of 4 finite numbers [x0, y0, x1, y1] for box but received [0, 0, 1] of type object');
    expect(() => image.crop([0, 0, NaN, 1])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => image.transpose('rotate45' as TransposeMethod)).toThrow("Expected one of 'flipLeftRight', 'flipTopBottom', 'rotate90', 'rotate180', 'rotate270', 'transpose', 'transverse' for method but received 'rotate45' of type string");
    image.release();
  });
});

const modes: Mode[] = ['L', 'LA', 'RGB', 'RGBA'];
const imageArbitrary = fc.record({
  mode: fc.constantFrom(...modes),
  width: fc.integer({ min: 1, max: 70 }),
  height: fc.integer({ min: 1, max: 70 }),
  seed: fc.integer(),
});

describe('geometry properties', () => {
  const inverse: Record<TransposeMethod, TransposeMethod> = {
    flipLeftRight: 'flipLeftRight', flipTopBottom: 'flipTopBottom', rotate90: 'rotate270', rotate180: 'rotate180',
    rotate270: 'rotate90', transpose: 'transpose', transverse: 'transverse',
  };

  it('undoes every transpose with its inverse', () => {
    fc.assert(fc.property(imageArbitrary, fc.constantFrom(...(Object.keys(inverse) as TransposeMethod[])), (spec, method) => {
      const image = randomImage(arena, spec);
      const there = image.transpose(method);
      const back = there.transpose(inverse[method]);
      expect(back.toPixels()).toEqual(image.toPixels());
      [image, there, back].forEach((i) => i.release());
    }), { numRuns: 150 });
  });

  it('four quarter turns are the identity; rotate90 twice is rotate180', () => {
    fc.assert(fc.property(imageArbitrary, (spec) => {
      const image = randomImage(arena, spec);
      let turned = image.transpose('rotate90');
      const half = turned.transpose('rotate90');
      const direct = image.transpose('rotate180');
      expect(half.toPixels()).toEqual(direct.toPixels());
      for (let i = 0; i < 3; i++) { const next = turned.transpose('rotate90'); turned.release(); turned = next; }
      expect(turned.toPixels()).toEqual(image.toPixels());
      [image, turned, half, direct].forEach((i) => i.release());
    }), { numRuns: 60 });
  });

  it('crop of the full box is the identity', () => {
    fc.assert(fc.property(imageArbitrary, (spec) => {
      const image = randomImage(arena, spec);
      const same = image.crop([0, 0, spec.width, spec.height]);
      expect(same.toPixels()).toEqual(image.toPixels());
      image.release();
      same.release();
    }), { numRuns: 80 });
  });

  it('gives the same bytes for images made of many blocks', async () => {
    const small = await Arena.create({ maxBytes: 64 << 20, blockSize: 4096, alignment: 1 });
    fc.assert(fc.property(imageArbitrary, fc.constantFrom(...(Object.keys(inverse) as TransposeMethod[])),
      fc.tuple(fc.integer({ min: -10, max: 40 }), fc.integer({ min: -10, max: 40 }), fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 80 })),
      (spec, method, [x, y, w, h]) => {
        const one = randomImage(arena, { ...spec, width: spec.width * 3 + 100 });
        const many = randomImage(small, { ...spec, width: spec.width * 3 + 100 });
        const a = one.transpose(method), b = many.transpose(method);
        expect(b.toPixels()).toEqual(a.toPixels());
        const c = one.crop([x, y, x + w, y + h]), d = many.crop([x, y, x + w, y + h]);
        expect(d.toPixels()).toEqual(c.toPixels());
        [one, many, a, b, c, d].forEach((i) => i.release());
      }), { numRuns: 60 });
    small.checkHeap();
    small.close();
  });
});
