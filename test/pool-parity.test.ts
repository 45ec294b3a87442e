// The pool gives what one thread gives: every kernel of the table on images of no pixels,
// of many 4 KiB blocks, on more workers than rows; pool.decode's results and errors (code,
// message, operation) for damaged files of every format; any arguments a caller may pass to
// a kernel, refused or not, alike. And the operation an error names, across threads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena, Pool, type Image, type Mode } from '../dist/node.js';
import { noise, randomImage } from './helpers/images.js';

let arena: Arena;
let pool: Pool;

beforeAll(async () => {
  arena = await Arena.create({ maxBytes: 256 << 20, blockSize: 4096, debug: true });
  pool = await Pool.create({ arena, workers: 7, tasks: new URL('./fixtures/tasks/edges.mjs', import.meta.url) });
});
afterAll(async () => {
  await pool.close();
  expect(arena.stats().imagesLive).toBe(0);
  expect(arena.checkHeap().liveBlocks).toBe(0);
  arena.close();
});

/** `{ image: [mode, w, h, pixels as hex] }`, `{ bytes: hex }` or `{ code, message, operation }`. */
async function described(make: () => unknown): Promise<unknown> {
  try {
    const value = await make();
    if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString('hex') };
    const image = value as Image;
    const result = { image: [image.mode, image.width, image.height, Buffer.from(image.toPixels()).toString('hex')] };
    image.release();
    return result;
  } catch (error) {
    const { code, message, operation } = error as { code?: string; message: string; operation?: string };
    return { code, message, operation };
  }
}

const KERNEL_NAMES = ['resize', 'transpose', 'crop', 'convert', 'reduce', 'boxBlur', 'gaussianBlur', 'alphaComposite', 'paste'] as const;
type KernelName = (typeof KERNEL_NAMES)[number];

/** The same kernel call on one thread and on the pool. */
function both(name: KernelName, image: Image, args: unknown[]): Promise<[unknown, unknown]> {
  const single = (image as unknown as Record<string, (...a: unknown[]) => Image>)[name]!.bind(image);
  const pooled = (pool as unknown as Record<string, (...a: unknown[]) => Promise<Image>>)[name]!.bind(pool);
  return Promise.all([described(() => single(...args)), described(() => pooled(image, ...args))]);
}

describe('the pool gives what one thread gives', () => {
  it('every kernel on images with no pixels, one pixel, and many 4 KiB blocks, on 7 workers', async () => {
    const modes: Mode[] = ['L', 'LA', 'RGB', 'RGBA'];
    let made = 0;
    for (const [width, height] of [[0, 0], [0, 5], [5, 0], [1, 1], [3, 2], [1500, 9], [9, 700]] as const) {
      for (const mode of modes) {
        const image = randomImage(arena, { mode, width, height, seed: width * 31 + height });
        const over = randomImage(arena, { mode: 'RGBA', width: Math.max(1, width >> 1), height: Math.max(1, height >> 1), seed: 7 });
        const calls: Array<[KernelName, unknown[]]> = [
          ['resize', [5, 3, { filter: 'lanczos' }]], ['resize', [2000, 11, { filter: 'bicubic', reducingGap: 2 }]],
          ['resize', [7, 900, { filter: 'nearest' }]], ['transpose', ['rotate90']], ['transpose', ['transverse']],
          ['crop', [[-2, -1, 4, 3]]], ['crop', [[1, 1, 1, 1]]], ['convert', ['RGBA']], ['convert', ['L']],
          ['reduce', [[3, 2]]], ['boxBlur', [2.5]], ['gaussianBlur', [4]], ['alphaComposite', [over, [1, 1]]],
          ['paste', [over, [-1, 2]]], ['paste', [over, [0, 0], over]], ['paste', [7, [0, 0, 2, 2]]],
        ];
        for (const [name, args] of calls) {
          const target = name === 'alphaComposite' ? randomImage(arena, { mode: 'RGBA', width, height, seed: 3 }) : image;
          const [single, pooled] = await both(name, target, args);
          if ('image' in (single as object)) made++;
          expect(pooled, `${name}(${JSON.stringify(args.filter((a) => typeof a !== 'object' || Array.isArray(a)))}) on ${mode} ${width}×${height}`).toEqual(single);
          if (target !== image) target.release();
        }
        image.release();
        over.release();
      }
    }
    expect(made).toBeGreaterThan(300); // most calls make an image; the rest are refused alike
  });

  it('pool.decode: the image or the error of arena.decode, for truncated and bit-flipped PNG, JPEG and QOI', async () => {
    const image = arena.fromPixels('RGB', 40, 30, noise(40 * 30 * 3, 9));
    const files = {
      png: image.encode('png'), jpeg: image.encode('jpeg', { progressive: true }), baseline: image.encode('jpeg'), qoi: image.encode('qoi'),
    };
    image.release();
    let state = 5;
    const random = (n: number) => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return (state >>> 8) % n; };
    const kinds: string[] = [];
    for (const [format, bytes] of Object.entries(files)) {
      const variants: Uint8Array[] = [];
      for (let n = 1; n < bytes.length; n += Math.max(1, bytes.length >> 5)) variants.push(bytes.subarray(0, n));
      for (let k = 0; k < 60; k++) {
        const damaged = bytes.slice();
        for (let j = 0; j <= random(4); j++) damaged[random(damaged.length)]! ^= 1 << random(8);
        variants.push(damaged);
      }
      const pooled = await Promise.all(variants.map((v) => described(() => pool.decode(v))));
      for (let i = 0; i < variants.length; i++) {
        expect(pooled[i], `${format} variant ${i}`).toEqual(await described(() => arena.decode(variants[i]!)));
      }
      kinds.push(...pooled.map((p) => ('image' in (p as object) ? 'image' : 'error')));
    }
    // Both kinds were met: damaged files that still decode (JPEG, QOI), and refusals.
    expect(new Set(kinds)).toEqual(new Set(['image', 'error']));
  });

  it('any arguments to any kernel: the pool refuses what one thread refuses, with the same code and message', async () => {
    const image = randomImage(arena, { mode: 'RGBA', width: 20, height: 10, seed: 1 });
    const other = randomImage(arena, { mode: 'RGBA', width: 5, height: 5, seed: 2 });
    // The pool's methods take their own options after the kernel's arguments (a signal);
    // only as many arguments as the Image method takes are passed.
    const arity: Record<KernelName, number> = {
      resize: 3, transpose: 1, crop: 1, convert: 1, reduce: 2, boxBlur: 1, gaussianBlur: 1, alphaComposite: 3, paste: 3,
    };
    const value = fc.oneof(
      fc.constant(undefined), fc.constant(null), fc.integer({ min: -3, max: 30 }), fc.double(), fc.string({ maxLength: 3 }),
      fc.constantFrom<unknown>('lanczos', 'rotate90', 'L', 'RGB', 'bogus', other, [1, 2], [0, 0, 5, 5], [1, 2, 3, 4, 5], {},
        { filter: 'box' }, { box: [0, 0, 1, 1] }, { reducingGap: 2 }, { filter: 'x' }, [0.5, 0, 19.5, 10]),
      fc.array(fc.integer({ min: -2, max: 25 }), { maxLength: 5 }),
    );
    let made = 0;
    await fc.assert(fc.asyncProperty(fc.constantFrom(...KERNEL_NAMES), fc.array(value, { maxLength: 3 }), async (name, args) => {
      const [single, pooled] = await both(name, image, args.slice(0, arity[name]));
      expect(pooled).toEqual(single);
      if ('image' in (single as object)) made++;
    }), { numRuns: 400 });
    expect(made).toBeGreaterThan(20);
    image.release();
    other.release();
  });
});

describe('the operation an error names', () => {
  it('an unknown task: the error names run(...) as every other error of run() does', async () => {
    const error = await pool.run('noSuchTask').then(() => ({} as { code?: string; operation?: string }), (e: { code?: string; operation?: string }) => e);
    // Guards against (seen before the fix): 'Expected the name of a function the tasks module exports for task but received
    // 'noSuchTask' of type string', operation undefined (made in the worker without one).
    expect({ code: error.code, operation: error.operation }).toEqual({ code: 'INVALID_ARGUMENT', operation: "run('noSuchTask')" });
  });

  it('a kernel whose arena is closed under it names the kernel, not release()', async () => {
    const closing = await Arena.create({ maxBytes: 32 << 20 });
    const closingPool = await Pool.create({ arena: closing, workers: 3 });
    const image = randomImage(closing, { mode: 'RGBA', width: 2000, height: 1500, seed: 3 });
    const call = closingPool.gaussianBlur(image, 8);
    await new Promise((resolve) => setTimeout(resolve, 5));
    closing.close();
    const error = await call.then(() => undefined, (e: { code?: string; operation?: string }) => e);
    await closingPool.close();
    // Guards against (seen before the fix): INVALID_HANDLE "release(): this thread's attachment to the arena was reclaimed
    // (its calls are refused)", operation 'release()': the plan's release after the bands,
    // whereas every other call on a closed arena says "this arena was closed in this thread".
    expect({ code: error?.code, operation: error?.operation }).toEqual({ code: 'INVALID_HANDLE', operation: 'gaussianBlur()' });
  });
});
