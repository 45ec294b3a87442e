// Memory growth while other workers hold views: views made before a growth keep working,
// blocks past the old end are visible everywhere, and the memory grows only as far as
// the blocks need.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { Arena } from '../dist/node.js';

describe('memory growth', () => {
  it('keeps every thread\'s views valid while workers grow the memory', async () => {
    const arena = await Arena.create({ maxBytes: 512 << 20, blocksMax: 0 });
    const startLength = arena.memory.buffer.byteLength;
    const mine = arena.alloc(100_000);
    const myView = arena.view(mine);
    myView.fill(0x77);
    const size = 3 << 20;
    const results = await Promise.all([1, 2, 3, 4].map((id) => new Promise<any>((resolve, reject) => {
      const worker = new Worker(new URL('./workers/growth-worker.mjs', import.meta.url), {
        workerData: { shared: arena.shared, id, blocks: 20, size },
      });
      worker.on('message', resolve);
      worker.on('error', reject);
    })));
    for (const r of results) {
      expect(r.bad).toBe(0);
      expect(r.lastLength).toBeGreaterThan(r.firstLength);
    }
    // The view made here before any growth still reads what it wrote.
    expect(myView.every((v) => v === 0x77)).toBe(true);
    // Blocks the workers made past the old end are readable here through fresh views.
    for (const r of results) {
      for (const { block, value } of r.blocks) {
        const view = arena.view(block);
        expect(view[view.length - 1]).toBe(value);
        arena.free(block);
      }
    }
    arena.free(mine);
    const stats = arena.stats();
    expect(stats.bytesCommitted).toBeGreaterThan(startLength + 4 * 20 * size);
    // Grown as far as the peak needed; threads that grew at the same moment may each have
    // added their own request and one 1 MiB step on top (five threads here).
    expect(stats.bytesCommitted).toBeLessThanOrEqual(startLength + stats.peakBytesInUse + 5 * (size + (1 << 20)));
    expect(stats.bytesCommitted).toBe(arena.memory.buffer.byteLength);
    arena.checkHeap();
    arena.close();
  });

  it('grows a plain (unshared) memory and refreshes its views', async () => {
    const arena = await Arena.create({ maxBytes: 64 << 20, shared: false });
    const first = arena.alloc(1000);
    arena.view(first).fill(9);
    const big = arena.alloc(32 << 20); // grows the memory: the old ArrayBuffer is detached
    expect(arena.view(first).every((v) => v === 9)).toBe(true);
    arena.view(big)[0] = 1;
    const image = arena.image('RGBA', 1000, 1000, { fill: 3 });
    expect(image.toPixels()[3_999_999]).toBe(3);
    image.release();
    arena.free(big);
    arena.free(first);
    arena.checkHeap();
    arena.close();
  });
});
