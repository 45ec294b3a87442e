// Images in the arena: creation and fill, packed pixels in and out, images made of many
// blocks, the reference rules of share/adopt/release, and no pixel of an earlier image
// ever showing through a new one.
import { describe, expect, it } from 'vitest';
import { Arena, ArenaError, type Mode } from '../dist/node.js';
import { seededRandom } from './helpers/random.mjs';

const PACKED: Record<Mode, number> = { L: 1, LA: 2, RGB: 3, RGBA: 4 };
const MODES: Mode[] = ['L', 'LA', 'RGB', 'RGBA'];

function randomPixels(mode: Mode, width: number, height: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  return Uint8Array.from({ length: width * height * PACKED[mode] }, () => random.int(0, 255));
}

describe('images', () => {
  it.each(MODES)('round-trips %s pixels for odd sizes, one block and many', async (mode) => {
    for (const blockSize of [16 << 20, 4096]) {
      for (const alignment of [1, 16, 64]) {
        const arena = await Arena.create({ maxBytes: 32 << 20, blockSize, alignment, debug: true });
        for (const [w, h] of [[1, 1], [7, 3], [13, 11], [37, 29], [1100, 5], [3, 700]] as const) {
          const pixels = randomPixels(mode, w, h, w * 31 + h);
          const image = arena.fromPixels(mode, w, h, pixels);
          expect([image.mode, image.width, image.height]).toEqual([mode, w, h]);
          expect(image.toPixels()).toEqual(pixels);
          image.release();
        }
        const heap = arena.checkHeap();
        expect(heap.liveBlocks).toBe(0);
        arena.close();
      }
    }
  });

  it('splits an image into blocks of whole rows, at most blockSize each, as Pillow', async () => {
    const arena = await Arena.create({ maxBytes: 64 << 20, blockSize: 4096, alignment: 16 });
    const before = arena.stats().blocksInUse;
    const image = arena.image('RGBA', 100, 100); // 400-byte rows: 10 rows per 4096-byte block
    expect(arena.stats().blocksInUse - before).toBe(10 + 1); // ten row blocks and the header
    image.release();
    const wide = arena.image('RGBA', 2000, 3); // a row larger than a block still gets one block per row
    expect(arena.stats().blocksInUse - before).toBe(3 + 1);
    wide.release();
    arena.close();
    const big = await Arena.create({ maxBytes: 128 << 20 });
    const photo = big.image('RGBA', 3000, 2000); // 24 MB: two blocks of at most 16 MiB
    expect(big.stats().blocksInUse).toBe(2 + 1);
    expect(big.stats().bytesInUse).toBeGreaterThanOrEqual(3000 * 2000 * 4);
    photo.release();
    big.close();
  });

  it.each([
    ['L', 7, [7]], ['L', [200], [200]], ['LA', [10, 20], [10, 20]], ['LA', 9, [9, 9]],
    ['RGB', [1, 2, 3], [1, 2, 3]], ['RGBA', [1, 2, 3, 4], [1, 2, 3, 4]], ['RGBA', 255, [255, 255, 255, 255]],
  ] as const)('fills %s with %j', async (mode, fill, pixel) => {
    const arena = await Arena.create({ maxBytes: 8 << 20, blockSize: 4096 });
    const image = arena.image(mode, 33, 70, { fill: fill as number | number[] });
    const expected = new Uint8Array(33 * 70 * pixel.length);
    for (let i = 0; i < expected.length; i++) expected[i] = pixel[i % pixel.length]!;
    expect(image.toPixels()).toEqual(expected);
    image.release();
    arena.close();
  });

  it('never shows the pixels of an earlier image', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, blocksMax: 64, blockSize: 8192 });
    for (let round = 0; round < 20; round++) {
      const [w, h] = round % 2 ? [64, 64] : [5, 3];
      const dirty = arena.fromPixels('RGBA', w, h, new Uint8Array(w * h * 4).fill(0xab));
      dirty.release();
      const fresh = arena.image('RGBA', w, h);
      expect(fresh.toPixels().every((v) => v === 0)).toBe(true);
      fresh.release();
      const block = arena.alloc(w * h * 4);
      arena.view(block).fill(0xcd);
      arena.free(block);
      const again = arena.image('L', w * 2, h * 2);
      expect(again.toPixels().every((v) => v === 0)).toBe(true);
      again.release();
    }
    expect(arena.stats().reused).toBeGreaterThan(0); // the cache handed the same blocks back
    arena.close();
  });

  it('accepts empty images and rejects bad sizes, modes, fills and pixel buffers', async () => {
    const arena = await Arena.create({ maxBytes: 8 << 20, maxPixels: 1000 });
    for (const [w, h] of [[0, 0], [0, 5], [5, 0]] as const) {
      const empty = arena.image('RGB', w, h);
      expect(empty.toPixels().length).toBe(0);
      empty.release();
    }
    const bad = (f: () => unknown, code: string, message: string) => {
      try { f(); } catch (error) {
        expect(error).toBeInstanceOf(ArenaError);
        expect((error as ArenaError).code).toBe(code);
        expect((error as ArenaError).message).toBe(message);
        return;
      }
      throw new Error('expected a throw');
    };
    bad(() => arena.image('CMYK' as Mode, 1, 1), 'INVALID_ARGUMENT', "Expected one of 'L', 'LA', 'RGB', 'RGBA' for mode but received 'CMYK' of type string");
    bad(() => arena.image('L', -1, 1), 'INVALID_ARGUMENT', 'Expected integer between 0 and 1073741823 for width but received -1 of type number');
    bad(() => arena.image('L', 1, 2.5), 'INVALID_ARGUMENT', 'Expected integer between 0 and 1073741823 for height but received 2.5 of type number');
    bad(() => arena.image('L', 100, 11), 'LIMIT_EXCEEDED', "100×11 is 1100 pixels, more than the arena's limit of 1000 (options.maxPixels)");
    bad(() => arena.image('RGB', 1, 1, { fill: [1, 2] }), 'INVALID_ARGUMENT', 'Expected integer 0..255 or array of 3 integers 0..255 (mode RGB) for options.fill but received [1, 2] of type object');
    bad(() => arena.image('RGB', 1, 1, { fill: [1, 2, 256] }), 'INVALID_ARGUMENT', 'Expected integer between 0 and 255 for options.fill[2] but received 256 of type number');
    bad(() => arena.fromPixels('LA', 2, 2, new Uint8Array(7)), 'INVALID_ARGUMENT', 'Expected ArrayBufferView of 8 bytes (2×2 LA) for pixels but received a Uint8Array of 7 bytes');
    bad(() => arena.fromPixels('L', 2, 2, [1, 2, 3, 4] as unknown as Uint8Array), 'INVALID_ARGUMENT', 'Expected ArrayBufferView of 4 bytes (2×2 L) for pixels but received [1, 2, 3, 4] of type object');
    expect(arena.stats().imagesLive).toBe(0);
    arena.checkHeap();
    arena.close();
  });

  it('counts references: share, adopt once, release, dispose', async () => {
    const arena = await Arena.create({ maxBytes: 8 << 20, debug: true });
    const image = arena.fromPixels('L', 2, 2, new Uint8Array([1, 2, 3, 4]));
    const handle = image.share();
    expect(JSON.parse(JSON.stringify(handle))).toEqual(handle); // a plain value
    const adopted = arena.adopt(handle);
    expect(() => arena.adopt(handle)).toThrow(expect.objectContaining({ code: 'INVALID_HANDLE' }));
    image.release();
    expect(() => image.release()).toThrow(expect.objectContaining({ code: 'DOUBLE_FREE' }));
    expect(() => image.toPixels()).toThrow(expect.objectContaining({ code: 'INVALID_HANDLE' }));
    expect(() => image.share()).toThrow(expect.objectContaining({ code: 'INVALID_HANDLE' }));
    expect(adopted.toPixels()).toEqual(new Uint8Array([1, 2, 3, 4])); // still alive: one reference left
    expect(arena.stats().imagesLive).toBe(1);
    {
      using scoped = adopted;
      expect(scoped.width).toBe(2);
    }
    expect(adopted.released).toBe(true);
    expect(arena.stats().imagesLive).toBe(0);
    const unadopted = arena.image('L', 1, 1);
    const forgotten = unadopted.share();
    unadopted.release();
    expect(arena.stats().imagesLive).toBe(1); // the handle in flight keeps it alive
    arena.adopt(forgotten).release();
    expect(arena.stats().imagesLive).toBe(0);
    const heap = arena.checkHeap();
    expect(heap.liveReferences).toBe(0);
    expect(() => arena.adopt({ kind: 'pixel-arena/image', arena: forgotten.arena, record: 12345, tag: 1, mode: 'L', width: 1, height: 1 }))
      .toThrow(expect.objectContaining({ code: 'INVALID_HANDLE' }));
    expect(() => arena.adopt({} as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    arena.close();
  });
});
