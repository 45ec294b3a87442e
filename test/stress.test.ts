// Multi-worker allocator stress: more workers than cores, random sizes 16 B .. 8 MiB,
// ownership stamps written into every block and checked when it is freed, a share of
// blocks freed by another worker, an ownership ledger outside the allocator, and a heap
// walk at the end: nothing leaked, nothing handed out twice. (`npm run stress` runs the
// long version.)
import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { runStress } from './helpers/stress.mjs';

describe('allocator under concurrent workers', () => {
  it.each([
    { name: 'debug core, 6 workers, 16 B .. 8 MiB', workers: 6, debug: true, maxSize: 8 << 20, maxBytes: 256 << 20, seed: 11 },
    { name: 'release core, 8 workers, arena often full', workers: 8, debug: false, maxSize: 8 << 20, maxBytes: 96 << 20, seed: 12 },
    { name: 'debug core, 6 workers, small blocks only', workers: 6, debug: true, maxSize: 2040, maxBytes: 32 << 20, seed: 13 },
    {
      // Blocks of 1–2 KiB (two or three to a slab) mostly freed by other workers, beside
      // page blocks whose first words stay zero: the pattern of the slab double hand-out.
      name: 'release core, 8 workers, 1,272-byte blocks freed by others beside zero-headed pages', workers: 8, debug: false,
      maxSize: 4096, maxBytes: 32 << 20, seed: 14, sizes: [1272, 1272, 1272, 2000, 3500, 4000], zeroHeads: true, giveShare: 0.4,
    },
  ])('$name', async ({ workers, debug, maxSize, maxBytes, seed, sizes, zeroHeads, giveShare }) => {
    expect(workers).toBeGreaterThan(availableParallelism());
    const { results, heap, stats } = await runStress({
      workers, debug, maxSize, maxBytes, seed, operations: 10000, blocksMax: 24, sizes, zeroHeads, giveShare,
    });
    const total = (key: string) => results.reduce((n: number, r: Record<string, number>) => n + r[key]!, 0);
    for (const r of results) {
      expect(r.errors).toEqual([]);
      expect(r.badStamps).toEqual([]);   // no block was written by two owners
      expect(r.conflicts).toEqual([]);   // the ledger never saw a block handed out twice
    }
    expect(total('allocated')).toBeGreaterThan(workers * 1500);
    expect(total('received')).toBe(total('given'));
    expect(total('freed')).toBe(total('allocated'));
    expect(heap.liveBlocks).toBe(0);     // nothing leaked
    expect(stats.blocksInUse).toBe(0);
    expect(stats.bytesInUse).toBe(0);
    expect(stats.allocated).toBe(total('allocated'));
    expect(stats.freed).toBe(total('freed'));
    expect(stats.blocksCached).toBeLessThanOrEqual(24);
    if (maxBytes === 96 << 20) expect(total('full')).toBeGreaterThan(0); // ARENA_FULL happened and was recovered from
  });
});
