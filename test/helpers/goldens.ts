// Golden comparisons against Pillow: load a family's cases, build their inputs in an
// arena, and compare our output with Pillow's sample by sample.
import { expect } from 'vitest';
import type { Arena, Image } from '../../dist/node.js';
import { loadGoldens, type GoldenFamily, type GoldenImage } from '../goldens/load.js';

export { loadGoldens };

/** Makes (once per arena) the arena image of each golden input. */
export function inputImages(arena: Arena, inputs: Map<string, GoldenImage>) {
  const made = new Map<string, Image>();
  return {
    get(input: string | { name: string }): Image {
      const name = typeof input === 'string' ? input : input.name;
      let image = made.get(name);
      if (!image) {
        const golden = inputs.get(name);
        if (!golden) throw new Error(`no golden input ${name}`);
        image = arena.fromPixels(golden.mode, golden.width, golden.height, golden.pixels);
        made.set(name, image);
      }
      return image;
    },
    releaseAll(): void {
      made.forEach((image) => image.release());
      made.clear();
    },
  };
}

export interface Difference {
  samples: number;
  equal: number;
  maxDifference: number;
  first?: string;
}

export function compareSamples(actual: Uint8Array, expected: Uint8Array, width = 0, bands = 1): Difference {
  let equal = 0, maxDifference = 0, first: string | undefined;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (d === 0) { equal++; continue; }
    if (d > maxDifference) maxDifference = d;
    if (first === undefined) {
      const pixel = Math.floor(i / bands);
      first = `sample ${i} (x ${width ? pixel % width : '?'}, y ${width ? Math.floor(pixel / width) : '?'}, band ${i % bands}): ${actual[i]} instead of ${expected[i]}`;
    }
  }
  return { samples: expected.length, equal, maxDifference, first };
}

const BANDS: Record<string, number> = { L: 1, LA: 2, RGB: 3, RGBA: 4 };

/**
 * Checks an output image against Pillow's. `exact`: every sample equal; otherwise the
 * project's goal: no sample off by more than 1, and at least 99.9% of them equal.
 * Returns the difference so that callers can sum it up over a family.
 */
export function expectLikePillow(name: string, output: Image, expected: GoldenImage, exact: boolean): Difference {
  expect([output.mode, output.width, output.height], `${name}: mode and size`).toEqual([expected.mode, expected.width, expected.height]);
  const difference = compareSamples(output.toPixels(), expected.pixels, expected.width, BANDS[expected.mode]);
  if (exact) {
    expect(difference.equal, `${name}: ${difference.first}`).toBe(difference.samples);
  } else {
    expect(difference.maxDifference, `${name}: ${difference.first}`).toBeLessThanOrEqual(1);
    expect(difference.equal / Math.max(1, difference.samples), `${name}: ${difference.first}`).toBeGreaterThanOrEqual(0.999);
  }
  return difference;
}

/** The cases of a family, grouped for it.each. */
export function casesOf(family: GoldenFamily) {
  return loadGoldens(family);
}
