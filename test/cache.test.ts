// The block cache (Pillow's blocks_max): the bound holds exactly while many workers free
// blocks at once and the bound itself changes under them; clearCache keeps what it is told.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { Arena, type Block } from '../dist/node.js';
import { seededRandom } from './helpers/random.mjs';

describe('block cache', () => {
  it('never holds more than blocksMax, whatever the workers do', async () => {
    const arena = await Arena.create({ maxBytes: 256 << 20, blocksMax: 10, debug: true });
    const random = seededRandom(3);
    const workers = Array.from({ length: 5 }, (_, i) => new Worker(new URL('./workers/cache-worker.mjs', import.meta.url), {
      workerData: { shared: arena.shared, seed: 40 + i },
    }));
    const next = (worker: Worker) => new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await Promise.all(workers.map(next));
    for (let phase = 0; phase < 8; phase++) {
      let running = workers.length;
      const phaseDone = Promise.all(workers.map((w) => next(w).then(() => { running--; })));
      workers.forEach((w) => w.postMessage({ type: 'run', operations: 20_000 }));
      // Change the bound again and again while the workers free blocks into the cache.
      let bound = 0;
      do {
        await new Promise((resolve) => setTimeout(resolve, 1));
        bound = random.int(0, 40);
        arena.setBlocksMax(bound);
      } while (running === workers.length);
      await phaseDone;
      const stats = arena.stats();
      const heap = arena.checkHeap(); // also checks cached + credits == blocksMax
      expect(stats.blocksCached).toBe(heap.cachedBlocks);
      expect(stats.blocksCached).toBeLessThanOrEqual(bound);
      expect(stats.blocksInUse).toBe(0);
    }
    expect(arena.stats().reused).toBeGreaterThan(1000);
    arena.setBlocksMax(3);
    expect(arena.stats().blocksCached).toBeLessThanOrEqual(3);
    arena.clearCache(1);
    expect(arena.stats().blocksCached).toBeLessThanOrEqual(1);
    arena.clearCache();
    expect(arena.stats().blocksCached).toBe(0);
    arena.checkHeap();
    await Promise.all(workers.map((w) => { const closed = next(w); w.postMessage({ type: 'close' }); return closed; }));
    await Promise.all(workers.map((w) => w.terminate()));
    expect(arena.stats().attachments).toBe(1);
    arena.close();
  });

  it('keeps serving a thread that frees what producers allocate (their credits come back to it)', async () => {
    // The producers take every block out of the cache and so earn its credit; the consumer
    // needs credits to cache what it frees. With the bound below what the producers' slots
    // may hold, the cache used to serve the first blocksMax allocations and then none.
    for (const producers of [1, 3]) {
      // 16: room for every block of a round (4 per producer), and no more than one
      // producer's slot may hold.
      const arena = await Arena.create({ maxBytes: 64 << 20, blocksMax: 16 });
      const workers = Array.from({ length: producers }, () => new Worker(new URL('./workers/producer-worker.mjs', import.meta.url), {
        workerData: { shared: arena.shared },
      }));
      await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
      for (let round = 0; round < 100; round++) {
        const batches = await Promise.all(workers.map((w) => new Promise<Block[]>((resolve) => {
          w.once('message', resolve);
          w.postMessage('more');
        })));
        for (const block of batches.flat()) arena.free(block);
      }
      const stats = arena.stats();
      expect(stats.allocated).toBe(400 * producers);
      expect(stats.reused / stats.allocated).toBeGreaterThan(0.9);
      expect(stats.blocksCached).toBeLessThanOrEqual(16);
      await Promise.all(workers.map((w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage('close'); })));
      await Promise.all(workers.map((w) => w.terminate()));
      arena.checkHeap();
      arena.close();
    }
  });

  it('with blocksMax 0 caches nothing, like Pillow\'s default', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, blocksMax: 0 });
    for (let i = 0; i < 50; i++) arena.free(arena.alloc(100_000));
    expect(arena.stats().blocksCached).toBe(0);
    expect(arena.stats().reused).toBe(0);
    arena.close();
  });

  it('hands a freed block of the same size straight back', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, blocksMax: 4 });
    const first = arena.alloc(300_000);
    arena.free(first);
    const second = arena.alloc(300_000);
    expect(second.ptr).toBe(first.ptr);
    expect(second.tag).not.toBe(first.tag);
    expect(() => arena.free(first)).toThrow(expect.objectContaining({ code: 'DOUBLE_FREE' })); // stale: same address, old tag
    expect(arena.stats().reused).toBe(1);
    arena.free(second);
    arena.close();
  });

  it('gives cached blocks back to the heap before it grows the memory', async () => {
    // Each request is of another size class than every cached block: without the flush the
    // memory would grow by each one (4 + 6 + … + 14 MiB); with it, the blocks merge back
    // into one run that serves the next request.
    const arena = await Arena.create({ maxBytes: 256 << 20, blocksMax: 64, debug: true });
    const committedAtStart = arena.stats().bytesCommitted;
    for (let mib = 4; mib <= 14; mib += 2) {
      const block = arena.alloc(mib << 20);
      arena.view(block).fill(mib, 0, 16);
      arena.free(block);
    }
    const stats = arena.stats();
    expect(stats.bytesCommitted - committedAtStart).toBeLessThanOrEqual((14 << 20) + (1 << 20));
    expect(stats.peakBytesInUse).toBeLessThanOrEqual((14 << 20) + (1 << 20));
    expect(stats.blocksCached).toBe(1); // the last one, as the cache keeps it
    arena.checkHeap();
    arena.close();
  });

  it('still grows the memory when the caches cannot make room, and keeps the cache when the memory has room', async () => {
    const arena = await Arena.create({ maxBytes: 256 << 20, blocksMax: 64 });
    const held = [arena.alloc(8 << 20), arena.alloc(8 << 20)];
    const small = arena.alloc(1 << 20);
    arena.free(small); // cached
    // 16 MiB fit nowhere in the committed memory, even with the cached MiB back in the heap.
    const big = arena.alloc(16 << 20);
    expect(arena.stats().bytesCommitted).toBeGreaterThanOrEqual(32 << 20);
    // A request that the committed memory holds leaves the cache alone.
    const again = arena.alloc(1 << 20);
    expect(arena.stats().reused).toBe(0); // the flush above emptied it: a fresh run
    arena.free(again);
    const reusedBefore = arena.stats().reused;
    const sameSize = arena.alloc(1 << 20);
    expect(arena.stats().reused).toBe(reusedBefore + 1);
    for (const block of [...held, big, sameSize]) arena.free(block);
    arena.checkHeap();
    arena.close();
  });

  it('grows the memory only past the committed end: a run that ends there fits, one page more flushes first', async () => {
    const PAGE = 4096;
    const arena = await Arena.create({ maxBytes: 256 << 20, blocksMax: 64, debug: true });
    const first = arena.alloc(64 * PAGE); // the heap's first run
    const committed = arena.stats().bytesCommitted;
    // Free pages the memory covers past it (it grows in steps of 1 MiB).
    const tail = (committed - (first.ptr + first.size)) / PAGE;
    expect(tail).toBeGreaterThanOrEqual(1);
    arena.free(first); // cached
    // One page more than the free tail: the cached run, flushed, merges with it.
    const more = arena.alloc((tail + 1) * PAGE);
    expect(more.ptr).toBe(first.ptr);
    expect(arena.stats()).toMatchObject({ bytesCommitted: committed, blocksCached: 0 });
    arena.free(more); // cached
    // Exactly the free tail left (63 pages, another size class): taken as it is.
    const exact = arena.alloc(63 * PAGE);
    expect(exact.ptr).toBe(more.ptr + more.size);
    expect(exact.ptr + exact.size).toBe(committed);
    expect(arena.stats()).toMatchObject({ bytesCommitted: committed, blocksCached: 1 });
    const bigger = arena.alloc(committed); // more than the whole committed memory: it grows
    expect(arena.stats().bytesCommitted).toBeGreaterThan(committed);
    for (const block of [exact, bigger]) arena.free(block);
    arena.checkHeap();
    arena.close();
  });
});
