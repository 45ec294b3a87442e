// Band-parallel kernels give exactly the bytes of the single-thread ones: odd sizes, more
// workers than rows (or columns), every mode, images made of many blocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena, Pool, type Filter, type Image, type Mode } from '../dist/node.js';
import { randomImage } from './helpers/images.js';

let arena: Arena;
let pool: Pool;

beforeAll(async () => {
  arena = await Arena.create({ maxBytes: 512 << 20, blockSize: 64 << 10 });
  pool = await Pool.create({ arena, workers: 5 });
});
afterAll(async () => {
  await pool.close();
  expect(arena.stats().imagesLive).toBe(0);
  arena.checkHeap();
  arena.close();
});

const modes: Mode[] = ['L', 'LA', 'RGB', 'RGBA'];
const filters: Filter[] = ['nearest', 'box', 'bilinear', 'hamming', 'bicubic', 'lanczos'];

async function same(single: Image, parallel: Promise<Image>): Promise<void> {
  const other = await parallel;
  expect([other.mode, other.width, other.height]).toEqual([single.mode, single.width, single.height]);
  expect(Buffer.compare(other.toPixels(), single.toPixels())).toBe(0);
  single.release();
  other.release();
}

const size = fc.integer({ min: 1, max: 97 });

describe('band-parallel kernels', () => {
  it('resize: the same bytes, filters, boxes and reducing gaps included', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...modes), size, size, size, size, fc.constantFrom(...filters), fc.integer(),
      fc.option(fc.constantFrom(1.5, 2, 3), { nil: undefined }),
      async (mode, width, height, outWidth, outHeight, filter, seed, reducingGap) => {
        const image = randomImage(arena, { mode: mode, width: width * 3, height: height, seed: seed });
        const options = { filter, reducingGap, box: [0.5, 0, width * 3 - 0.25, height] as [number, number, number, number] };
        await same(image.resize(outWidth, outHeight, options), pool.resize(image, outWidth, outHeight, options));
        image.release();
      }), { numRuns: 60 });
  });

  it('convert, reduce, boxBlur and gaussianBlur: the same bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...modes), fc.constantFrom(...modes), size, fc.integer({ min: 1, max: 4 }), fc.integer(),
      fc.integer({ min: 1, max: 5 }), fc.double({ min: 0, max: 12, noNaN: true }),
      async (mode, to, width, height, seed, factor, radius) => {
        const image = randomImage(arena, { mode: mode, width: width, height: height, seed: seed });
        await same(image.convert(to), pool.convert(image, to));
        await same(image.reduce([factor, 2]), pool.reduce(image, [factor, 2]));
        await same(image.boxBlur(radius), pool.boxBlur(image, radius));
        await same(image.gaussianBlur(radius), pool.gaussianBlur(image, radius));
        image.release();
      }), { numRuns: 60 });
  });

  it('rejects bad arguments as the single-thread kernels do, leaving nothing behind', async () => {
    const image = randomImage(arena, { mode: 'RGB', width: 10, height: 10, seed: 1 });
    await expect(pool.resize(image, 0, 5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(pool.reduce(image, 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(pool.resize({} as Image, 5, 5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const other = await Arena.create({ maxBytes: 4 << 20 });
    const foreign = other.image('L', 2, 2);
    await expect(pool.convert(foreign, 'RGB')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    foreign.release();
    other.close();
    image.release();
    expect(arena.stats().imagesLive).toBe(0);
  });
});
