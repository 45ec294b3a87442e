// ARENA_FULL: what the arena can hold before it says so, and that it recovers: the cache
// and empty slabs are flushed before a request fails, a failed image leaves nothing
// behind, and freed memory serves requests of other sizes.
import { describe, expect, it } from 'vitest';
import { Arena, ArenaError, type Block } from '../dist/node.js';
import { seededRandom } from './helpers/random.mjs';

/** Allocates and frees at random (3 allocations to 2 frees) until the first ARENA_FULL. */
async function utilisationAtFirstFull(seed: number, maxSize: number, maxBytes: number) {
  const random = seededRandom(seed);
  const arena = await Arena.create({ maxBytes, blocksMax: 64 });
  const live: Array<{ block: Block; requested: number }> = [];
  let requested = 0;
  for (;;) {
    if (live.length > 0 && random.next() < 0.4) {
      const [entry] = live.splice(random.int(0, live.length - 1), 1);
      arena.free(entry!.block);
      requested -= entry!.requested;
      continue;
    }
    const size = random.logInt(16, maxSize);
    try {
      live.push({ block: arena.alloc(size), requested: size });
      requested += size;
    } catch (error) {
      expect((error as ArenaError).code).toBe('ARENA_FULL');
      break;
    }
  }
  const heap = arena.checkHeap();
  arena.close();
  return requested / ((heap.freePages + heap.pagesHeld) * 4096);
}

describe('ARENA_FULL', () => {
  it.each([
    ['16 B .. 8 MiB', 8 << 20],
    ['16 B .. 1 MiB', 1 << 20],
  ])('holds at least 90%% of the heap in live requested bytes at the first ARENA_FULL (%s, 1 GiB)', async (_, maxSize) => {
    const figures: number[] = [];
    for (const seed of [1, 2, 3, 4]) figures.push(await utilisationAtFirstFull(seed, maxSize, 1 << 30));
    console.log(`utilisation at first ARENA_FULL, sizes up to ${maxSize} B: ${figures.map((f) => f.toFixed(3)).join(' ')}`);
    for (const f of figures) expect(f).toBeGreaterThanOrEqual(0.9);
  });

  it('flushes the block cache before failing', async () => {
    const arena = await Arena.create({ maxBytes: 64 << 20, blocksMax: 1000 });
    const blocks = Array.from({ length: 50 }, () => arena.alloc(1 << 20));
    blocks.forEach((b) => arena.free(b));
    expect(arena.stats().blocksCached).toBe(50);
    const big = arena.alloc(48 << 20); // only fits once the cached megabytes go back to the heap
    expect(arena.stats().blocksCached).toBeLessThan(50);
    arena.free(big);
    arena.checkHeap();
    arena.close();
  });

  it('gives the pages of freed small blocks to a large request', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20 });
    const small: Block[] = [];
    for (;;) {
      try { small.push(arena.alloc(100)); } catch (error) {
        expect((error as ArenaError).code).toBe('ARENA_FULL');
        break;
      }
    }
    expect(small.length).toBeGreaterThan(80_000);
    small.forEach((b) => arena.free(b));
    const big = arena.alloc(12 << 20);
    expect(arena.checkHeap().liveBlocks).toBe(1);
    arena.free(big);
    arena.close();
  });

  it('leaves nothing behind when an image does not fit, and recovers when memory is freed', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, blockSize: 64 << 10, debug: true });
    const filler = arena.alloc(10 << 20);
    const before = arena.stats();
    // Needs ~7.6 MB in 64 KiB blocks: a few blocks fit, then the arena is full.
    expect(() => arena.image('RGBA', 1900, 1000)).toThrow(expect.objectContaining({ code: 'ARENA_FULL' }));
    const after = arena.stats();
    expect(after.blocksInUse).toBe(before.blocksInUse);
    expect(after.bytesInUse).toBe(before.bytesInUse);
    expect(after.imagesLive).toBe(0);
    arena.checkHeap();
    expect(() => arena.alloc(12 << 20)).toThrow(expect.objectContaining({ code: 'ARENA_FULL' }));
    arena.free(filler);
    // The image and the staging block of toPixels() fit together once the filler is gone.
    const image = arena.image('RGBA', 1900, 1000, { fill: 1 });
    expect(image.toPixels()[7_599_999]).toBe(1);
    image.release();
    expect(arena.checkHeap().liveBlocks).toBe(0);
    arena.close();
  });

  it('reuses freed memory of one size for requests of any other size', async () => {
    const options = { maxBytes: 32 << 20, blocksMax: 8 };
    const fill = (arena: Arena, size: number) => {
      const blocks: Block[] = [];
      for (;;) {
        try { blocks.push(arena.alloc(size)); } catch (error) {
          expect((error as ArenaError).code).toBe('ARENA_FULL');
          return blocks;
        }
      }
    };
    const arena = await Arena.create(options);
    const random = seededRandom(5);
    for (let round = 0; round < 30; round++) {
      // Fill with one size, free everything, and the next size must fit as many blocks as
      // it would in a fresh arena: no memory stays tied to the sizes that went before.
      const size = random.logInt(64, 4 << 20);
      const fresh = await Arena.create(options);
      const capacity = fill(fresh, size).length;
      fresh.close();
      const blocks = fill(arena, size);
      expect(blocks.length, `round ${round}, size ${size}`).toBeGreaterThanOrEqual(Math.floor(capacity * 0.98));
      blocks.forEach((b) => arena.free(b));
    }
    arena.checkHeap();
    arena.close();
  });
});
