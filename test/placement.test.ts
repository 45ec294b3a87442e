// Where the heap puts pages that stay. Slab pages and image-record chunks are never moved
// and (records) never given back: taken while a large block sat low in the heap, they used
// to land just above it (best fit), so that once the block was freed the free memory was
// cut in two for good, and a request for most of the arena found no run in an arena that
// was otherwise empty. They now gather at the bottom of the heap, below the data.
import { describe, expect, it } from 'vitest';
import { Arena } from '../dist/node.js';

const MiB = 2 ** 20;

describe('pages that stay gather at the bottom of the heap', () => {
  // 64 MiB, and 16 MiB as `thumbs --max-memory 16M` makes (its heap once kept no bottom pages).
  it.each([
    { arena: 64, large: 30, big: 40 },
    { arena: 16, large: 8, big: 14 },
  ])('records and slab pages taken beside a large block do not split the memory once it is freed ($arena MiB)', async ({ arena: arenaMiB, large: largeMiB, big: bigMiB }) => {
    const arena = await Arena.create({ maxBytes: arenaMiB * MiB, blocksMax: 0 });
    const others: Arena[] = [];
    try {
      // A large block first, low in the heap, as a worker's first decode is.
      const large = arena.alloc(largeMiB * MiB);
      // Then eight other threads' first images and small blocks: each takes its own page
      // of image records and its own slab pages.
      const held = [];
      for (let i = 0; i < 8; i++) {
        const other = await Arena.attach(arena.shared);
        others.push(other);
        held.push({ other, image: other.image('RGB', 8, 8), block: other.alloc(100) });
      }
      arena.free(large);
      // Nearly all of the arena is free again: a request for most of it must find a run.
      const big = arena.alloc(bigMiB * MiB);
      expect(big.size).toBeGreaterThanOrEqual(bigMiB * MiB);
      arena.free(big);
      for (const { other, image, block } of held) {
        image.release();
        other.free(block);
      }
      expect(arena.checkHeap().liveBlocks).toBe(0);
    } finally {
      for (const other of others) other.close();
      arena.close();
    }
  });

  it('once the bottom pages are full, a page that stays goes best fit, not to the start of a gap beside data', async () => {
    // 128 MiB: 32,510 heap pages, the bottom 256 kept for pages that stay.
    const arena = await Arena.create({ maxBytes: 128 * MiB, blocksMax: 0 });
    try {
      const page = (block: { ptr: number }) => block.ptr >>> 12;
      const smalls: ReturnType<Arena['alloc']>[] = [];
      const slabPages = new Set<number>();
      const small = () => {
        const block = arena.alloc(40);
        smalls.push(block);
        slabPages.add(page(block));
      };
      while (slabPages.size < 256) small();
      const report = arena.checkHeap();
      const heapPages = report.freePages + report.pagesHeld;
      const P = 4096;
      // Data D, a gap G of 2000 pages, data E, a one-page gap, and the rest held.
      const d = arena.alloc(4000 * P), g = arena.alloc(2000 * P), e = arena.alloc(4000 * P), one = arena.alloc(P);
      const rest = arena.alloc((heapPages - 256 - 10_001 - 100) * P);
      arena.free(g);
      arena.free(one);
      const before = slabPages.size;
      while (slabPages.size === before) small();
      // The new slab page fills the one-page gap: D, G and E free again make one run.
      arena.free(d);
      arena.free(e);
      const big = arena.alloc(10_000 * P);
      arena.free(big);
      arena.free(rest);
      for (const block of smalls) arena.free(block);
      expect(arena.checkHeap().liveBlocks).toBe(0);
    } finally {
      arena.close();
    }
  });

  it('a data block still takes the bottom of the heap when nothing above it is left', async () => {
    const arena = await Arena.create({ maxBytes: 64 * MiB, blocksMax: 0 });
    try {
      // Nearly all of the heap (16,190 pages) in one block: 16,128 pages, more than lie
      // above the 64 pages kept for metadata, so it can only start at the bottom.
      const whole = arena.alloc(63 * MiB);
      arena.free(whole);
      expect(arena.checkHeap().liveBlocks).toBe(0);
    } finally {
      arena.close();
    }
  });
});
