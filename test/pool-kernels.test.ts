// Band-parallel kernels give exactly the bytes of the single-thread ones: odd sizes, more
// workers than rows (or columns), every mode, images made of many blocks.
import { Worker } from 'node:worker_threads';
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

  it('transpose, crop, alphaComposite and paste: the same bytes', async () => {
    const methods = ['flipLeftRight', 'flipTopBottom', 'rotate90', 'rotate180', 'rotate270', 'transpose', 'transverse'] as const;
    const coordinate = fc.integer({ min: -20, max: 60 });
    await fc.assert(fc.asyncProperty(fc.constantFrom(...modes), size, fc.integer({ min: 1, max: 40 }), fc.integer(), fc.constantFrom(...methods),
      coordinate, coordinate, fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 }), fc.boolean(),
      async (mode, width, height, seed, method, x, y, w, h, masked) => {
        const image = randomImage(arena, { mode, width, height, seed });
        const over = randomImage(arena, { mode: 'RGBA', width: w + 1, height: h + 1, seed: seed + 1 });
        const base = randomImage(arena, { mode: 'RGBA', width, height, seed: seed + 2 });
        const mask = randomImage(arena, { mode: 'L', width: w + 1, height: h + 1, seed: seed + 3 });
        await same(image.transpose(method), pool.transpose(image, method));
        await same(image.crop([x, y, x + w, y + h]), pool.crop(image, [x, y, x + w, y + h]));
        await same(base.alphaComposite(over, [x, y]), pool.alphaComposite(base, over, [x, y]));
        await same(image.paste(over, [x, y], masked ? mask : undefined), pool.paste(image, over, [x, y], masked ? mask : undefined));
        await same(image.paste([9, 8, 7, 6].slice(0, mode === 'L' ? 1 : mode === 'LA' ? 2 : 4), [x, y, x + w, y + h]),
          pool.paste(image, [9, 8, 7, 6].slice(0, mode === 'L' ? 1 : mode === 'LA' ? 2 : 4), [x, y, x + w, y + h]));
        for (const i of [image, over, base, mask]) i.release();
      }), { numRuns: 40 });
  });

  it('band messages carry handles and numbers only: the coefficient tables are read from the arena', async () => {
    const sent: Array<Record<string, unknown>> = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, message: unknown, transfer?: never) {
      sent.push(message as Record<string, unknown>);
      return post.call(this, message, transfer);
    };
    const image = randomImage(arena, { mode: 'RGBA', width: 640, height: 480, seed: 5 });
    try {
      await same(image.resize(301, 207, { filter: 'lanczos' }), pool.resize(image, 301, 207, { filter: 'lanczos' }));
    } finally {
      Worker.prototype.postMessage = post;
      image.release();
    }
    const bands = sent.filter((message) => message.type === 'band');
    expect(bands.length).toBe(5);
    const holdsBuffer = (value: unknown): boolean => ArrayBuffer.isView(value) || value instanceof ArrayBuffer
      || (typeof value === 'object' && value !== null && Object.values(value).some(holdsBuffer));
    expect(bands.filter(holdsBuffer)).toEqual([]);
    // Every band gets a handle to the plan's data block instead; each message stays small
    // (a 301-wide lanczos table alone is over 20 KB).
    expect(bands.every((band) => band.data !== undefined)).toBe(true);
    expect(bands.every((band) => JSON.stringify(band).length < 1000)).toBe(true);
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
