// A seeded single-thread fuzzer checked against a simple model: the live blocks never
// overlap, their bytes survive other operations, the counters equal the model's, double
// and stale frees are refused without harm, and the heap walk agrees at every checkpoint.
import { describe, expect, it } from 'vitest';
import { Arena, ArenaError, type Block } from '../dist/node.js';
import { seededRandom } from './helpers/random.mjs';

interface Live { block: Block; requested: number; id: number }

function fill(arena: Arena, live: Live): void {
  const words = new Int32Array(arena.memory.buffer, live.block.ptr, live.block.size >> 2);
  words.fill(live.id);
}

function intact(arena: Arena, live: Live): boolean {
  const words = new Int32Array(arena.memory.buffer, live.block.ptr, live.block.size >> 2);
  return words.every((w) => w === live.id);
}

async function fuzz(seed: number, options: { debug: boolean; shared: boolean; maxSize: number; operations: number }) {
  const random = seededRandom(seed);
  const blocksMax = random.int(0, 16);
  const arena = await Arena.create({ maxBytes: 48 << 20, blocksMax, debug: options.debug, shared: options.shared });
  const live: Live[] = [];
  const dead: Block[] = [];
  let allocated = 0, freed = 0, nextId = 1, full = 0, currentMax = blocksMax;

  const free = (index: number) => {
    const [entry] = live.splice(index, 1);
    expect(intact(arena, entry!), `block ${entry!.id} kept its bytes`).toBe(true);
    arena.free(entry!.block);
    dead.push(entry!.block);
    freed++;
  };

  for (let op = 0; op < options.operations; op++) {
    const roll = random.next();
    if (roll < 0.5 || live.length === 0) {
      const requested = random.logInt(1, options.maxSize);
      try {
        const block = arena.alloc(requested);
        expect(block.size).toBeGreaterThanOrEqual(requested);
        const entry = { block, requested, id: nextId++ };
        fill(arena, entry);
        live.push(entry);
        allocated++;
      } catch (error) {
        expect((error as ArenaError).code).toBe('ARENA_FULL');
        full++;
        while (live.length > 4) free(random.int(0, live.length - 1));
      }
    } else if (roll < 0.9) {
      free(random.int(0, live.length - 1));
    } else if (roll < 0.95 && dead.length > 0) {
      // A double or stale free: refused, and nothing changes.
      const before = arena.stats();
      const stale = random.pick(dead);
      expect(() => arena.free(stale)).toThrow(expect.objectContaining({ code: 'DOUBLE_FREE' }));
      expect(() => arena.view(stale)).toThrow(expect.objectContaining({ code: 'INVALID_HANDLE' }));
      const after = arena.stats();
      expect(after.blocksInUse).toBe(before.blocksInUse);
      expect(after.freed).toBe(before.freed);
    } else if (roll < 0.98) {
      currentMax = random.int(0, 16);
      arena.setBlocksMax(currentMax);
      expect(arena.stats().blocksCached).toBeLessThanOrEqual(currentMax);
    } else {
      const keep = random.int(0, 4);
      arena.clearCache(keep);
      expect(arena.stats().blocksCached).toBeLessThanOrEqual(keep);
    }

    if (op % 97 === 0 || op === options.operations - 1) {
      const stats = arena.stats();
      expect(stats.blocksInUse).toBe(live.length);
      expect(stats.bytesInUse).toBe(live.reduce((n, e) => n + e.block.size, 0));
      expect(stats.allocated).toBe(allocated);
      expect(stats.freed).toBe(freed);
      expect(stats.blocksCached).toBeLessThanOrEqual(currentMax);
      expect(stats.reused).toBeLessThanOrEqual(allocated);
      const sorted = live.map((e) => e.block).sort((a, b) => a.ptr - b.ptr);
      for (let i = 1; i < sorted.length; i++) {
        expect(sorted[i - 1]!.ptr + sorted[i - 1]!.size, 'live blocks do not overlap').toBeLessThanOrEqual(sorted[i]!.ptr);
      }
      const heap = arena.checkHeap();
      expect(heap.liveBlocks).toBe(live.length);
      expect(heap.cachedBlocks).toBe(stats.blocksCached);
    }
  }
  while (live.length > 0) free(live.length - 1);
  const heap = arena.checkHeap();
  expect(heap.liveBlocks).toBe(0);
  expect(arena.stats().bytesInUse).toBe(0);
  arena.close();
  return { allocated, full };
}

describe('seeded allocator fuzzer', () => {
  it.each([
    [1, true, true, 4096],
    [2, true, false, 64 << 10],
    [3, false, true, 8 << 20],
    [4, false, false, 2 << 20],
    [5, true, true, 16 << 20],
  ])('seed %i (debug %s, shared %s, sizes up to %i)', async (seed, debug, shared, maxSize) => {
    const { allocated, full } = await fuzz(seed, { debug, shared, maxSize, operations: 4000 });
    expect(allocated).toBeGreaterThan(1000);
    if (maxSize >= 8 << 20) expect(full).toBeGreaterThan(0); // the arena filled up and recovered
  });
});
