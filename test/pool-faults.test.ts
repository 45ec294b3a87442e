// Pool faults: workers that die in the middle of many jobs (throw at top level, exit,
// run out of heap) are replaced, their references reclaimed, only their own job fails;
// and under memory pressure (an arena smaller than the working set) every job finishes.
import { describe, expect, it } from 'vitest';
import { Arena, Pool } from '../dist/node.js';

const tasks = new URL('./fixtures/tasks/tasks.mjs', import.meta.url);

describe('pool faults', () => {
  it('loses nothing but the dead workers\' jobs among 60, leaks nothing, keeps its size', async () => {
    const arena = await Arena.create({ maxBytes: 128 << 20, debug: true });
    const pool = await Pool.create({ arena, workers: 3, tasks, resourceLimits: { maxOldGenerationSizeMb: 48 } });
    const held = arena.image('RGB', 50, 40);
    const deaths: Record<number, string> = { 13: 'crash', 29: 'exit', 44: 'exhaust' };
    const jobs = Array.from({ length: 60 }, (_, i) => {
      const death = deaths[i];
      if (death) return pool.run(death, { image: held, code: 5 }).then(() => 'survived', (e) => e.code);
      return pool.run('later', { value: i, ms: 5 + (i % 4) * 5 });
    });
    const results = await Promise.all(jobs);
    for (let i = 0; i < 60; i++) {
      expect(results[i], `job ${i}`).toBe(deaths[i] ? 'WORKER_FAILED' : i);
    }
    expect(pool.size).toBe(3);
    await waitUntil(() => arena.stats().attachments === 4); // three replacements attached
    // Each dead worker held the image it was given: reclaimed, not leaked.
    expect(arena.stats().reclaimed).toBeGreaterThanOrEqual(3);
    held.release();
    expect(arena.stats().imagesLive).toBe(0);
    expect(await pool.run('add', { a: 1, b: 2 })).toBe(3);
    await pool.close();
    expect(arena.stats().attachments).toBe(1);
    expect(arena.checkHeap().liveBlocks).toBe(0);
    arena.close();
  });

  it('finishes every job when the arena is smaller than the working set', async () => {
    // 32 MiB arena, jobs that each hold 10 MiB for a while, six workers: at most two or three
    // fit at once; the others hit ARENA_FULL and wait for memory.
    const arena = await Arena.create({ maxBytes: 32 << 20, blocksMax: 4 });
    const pool = await Pool.create({ arena, workers: 6, tasks });
    const jobs = Array.from({ length: 24 }, () => pool.run('allocate', { bytes: 10 << 20, holdMs: 15 }));
    expect(await Promise.all(jobs)).toEqual(new Array(24).fill(10 << 20));
    expect(arena.stats().imagesLive).toBe(0);
    await pool.close();
    arena.checkHeap();
    arena.close();
  });

  it('fails a job that never finds memory, after memoryTimeout', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20 });
    const pool = await Pool.create({ arena, workers: 1, tasks, memoryTimeout: 100 });
    const hog = arena.image('L', 12 << 20, 1);
    const started = Date.now();
    await expect(pool.run('allocate', { bytes: 8 << 20, holdMs: 1 })).rejects.toMatchObject({ code: 'ARENA_FULL' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    hog.release();
    expect(await pool.run('allocate', { bytes: 8 << 20, holdMs: 1 })).toBe(8 << 20);
    await pool.close();
    arena.close();
  });
});

async function waitUntil(condition: () => boolean, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
