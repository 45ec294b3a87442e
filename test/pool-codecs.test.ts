// pool.decode and pool.encode run the codecs in workers and give exactly what the arena's
// own decode and encode give; bad input fails as it does there, and nothing is left behind.
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Arena, Pool, type Image } from '../dist/node.js';

const jpegDir = new URL('./fixtures/jpeg/corpus/', import.meta.url);
const pngDir = new URL('./fixtures/pngsuite/', import.meta.url);
const jpegs = readdirSync(jpegDir).filter((name) => name.endsWith('.jpg')).sort().slice(0, 40)
  .map((name) => ({ name, bytes: new Uint8Array(readFileSync(new URL(name, jpegDir))) }));
const pngs = readdirSync(pngDir).filter((name) => /^[^x].*\.png$/.test(name)).sort().slice(0, 40)
  .map((name) => ({ name, bytes: new Uint8Array(readFileSync(new URL(name, pngDir))) }));

let arena: Arena;
let pool: Pool;

beforeAll(async () => {
  arena = await Arena.create({ maxBytes: 256 << 20 });
  pool = await Pool.create({ arena, workers: 3 });
});
afterAll(async () => {
  await pool.close();
  expect(arena.stats().imagesLive).toBe(0);
  arena.checkHeap();
  arena.close();
});

function expectSame(a: Image, b: Image): void {
  expect([b.mode, b.width, b.height]).toEqual([a.mode, a.width, a.height]);
  expect(Buffer.compare(b.toPixels(), a.toPixels())).toBe(0);
}

describe('pool.decode and pool.encode', () => {
  it('decode: the pixels of arena.decode for every file, many at once on 3 workers', async () => {
    const files = [...jpegs, ...pngs];
    const decoded = await Promise.allSettled(files.map(({ bytes }) => pool.decode(bytes)));
    files.forEach(({ name, bytes }, i) => {
      const result = decoded[i]!;
      let here: Image | undefined;
      let error: unknown;
      try { here = arena.decode(bytes); } catch (e) { error = e; }
      if (result.status === 'rejected') {
        // Refused in a worker exactly when refused here (unsupported files of the corpus).
        expect({ name, code: result.reason.code }).toEqual({ name, code: (error as { code: string }).code });
        return;
      }
      expect(error, name).toBeUndefined();
      expectSame(here!, result.value);
      here!.release();
      result.value.release();
    });
    expect(decoded.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(70);
    expect(arena.stats().imagesLive).toBe(0);
  });

  it('decode: reduce, autoOrient and mode as arena.decode takes them', async () => {
    const oriented = jpegs.find(({ name }) => /orient/.test(name)) ?? jpegs[0]!;
    for (const options of [{ reduce: 2 as const }, { reduce: 8 as const, mode: 'L' as const }, { autoOrient: true }, { mode: 'RGBA' as const }]) {
      const here = arena.decode(oriented.bytes, options);
      const there = await pool.decode(oriented.bytes, options);
      expectSame(here, there);
      here.release();
      there.release();
    }
  });

  it('encode: the bytes of image.encode for PNG, JPEG and QOI with their options', async () => {
    const photo = arena.decode(readFileSync(new URL('./fixtures/photos/coffee_300x200.png', import.meta.url)));
    const grey = photo.convert('L');
    const cases = [
      [photo, 'png', { level: 9, filter: 'paeth' }], [grey, 'png', undefined], [photo, 'jpeg', { quality: 90, subsampling: '4:4:4' }],
      [photo, 'jpeg', { progressive: true, optimize: true }], [grey, 'jpeg', undefined], [photo, 'qoi', undefined],
    ] as const;
    const encoded = await Promise.all(cases.map(([image, format, options]) => pool.encode(image, format, options)));
    cases.forEach(([image, format, options], i) => {
      expect(encoded[i]).toBeInstanceOf(Uint8Array);
      expect(Buffer.compare(encoded[i]!, image.encode(format, options))).toBe(0);
    });
    photo.release();
    grey.release();
    expect(arena.stats().imagesLive).toBe(0);
  });

  it('fails as the arena does for bad input and options, leaving nothing behind', async () => {
    const before = arena.stats();
    const truncated = jpegs.find(({ name }) => name.startsWith('baseline'))?.bytes ?? jpegs[0]!.bytes;
    await expect(pool.decode(truncated.subarray(0, truncated.length >> 1))).rejects.toMatchObject({ code: 'DECODE_FAILED' });
    await expect(pool.decode(new Uint8Array(0))).rejects.toMatchObject({ code: 'DECODE_FAILED' });
    await expect(pool.decode(new Uint8Array([1, 2, 3, 4, 5]))).rejects.toMatchObject({ code: 'DECODE_FAILED' });
    await expect(pool.decode('abc' as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(pool.decode(pngs[0]!.bytes, { reduce: 3 as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(pool.decode(pngs[0]!.bytes, { maxPixels: 4 })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    const image = arena.image('RGB', 3, 3);
    await expect(pool.encode(image, 'gif' as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(pool.encode(image, 'jpeg', { quality: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const empty = arena.image('RGB', 0, 3);
    await expect(pool.encode(empty, 'jpeg')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', operation: 'encode(jpeg)' });
    empty.release();
    image.release();
    await expect(pool.encode(image, 'png')).rejects.toMatchObject({ code: 'INVALID_HANDLE' });
    const aborted = AbortSignal.abort('stop');
    await expect(pool.decode(pngs[0]!.bytes, { signal: aborted })).rejects.toMatchObject({ code: 'ABORTED' });
    const after = arena.stats();
    expect([after.imagesLive, after.bytesInUse]).toEqual([before.imagesLive, before.bytesInUse]);
    arena.checkHeap();
  });

  it('a decode too large for the arena fails at once, without waiting for memory', async () => {
    const small = await Arena.create({ maxBytes: 4 << 20 });
    const smallPool = await Pool.create({ arena: small, workers: 1, memoryTimeout: 60_000 });
    try {
      // 2048 × 2048 RGB: 16 MiB of pixels in a 4 MiB arena.
      const big = arena.image('RGB', 2048, 2048, { fill: [10, 20, 30] });
      const bytes = big.encode('png', { level: 1 });
      big.release();
      const start = Date.now();
      await expect(smallPool.decode(bytes)).rejects.toMatchObject({ code: 'ARENA_FULL' });
      expect(Date.now() - start).toBeLessThan(10_000);
      expect(small.stats().imagesLive).toBe(0);
    } finally {
      await smallPool.close();
      small.checkHeap();
      small.close();
    }
  });
});
