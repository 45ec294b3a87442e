// A thread terminated anywhere, inside a core call included, and then reclaimed leaves the
// arena whole: every image reference it held, every temporary of a kernel it was running,
// every operation it was in the middle of, finished or undone. Workers outnumber the cores
// and are terminated at random moments while they make, share, transform and release images.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { Arena } from '../dist/node.js';
import { seededRandom } from './helpers/random.mjs';

export async function terminateAtRandom({ workers, rounds, seed, debug }: { workers: number; rounds: number; seed: number; debug: boolean }) {
  const arena = await Arena.create({ maxBytes: 256 << 20, blocksMax: 16, debug });
  const random = seededRandom(seed);
  let reclaimed = 0;
  for (let round = 0; round < rounds; round++) {
    await Promise.all(Array.from({ length: workers }, async (_, w) => {
      const token = arena.nextToken();
      const worker = new Worker(new URL('./workers/churn-worker.mjs', import.meta.url), {
        workerData: { shared: arena.shared, token, seed: seed * 1000 + round * 100 + w },
      });
      worker.on('error', () => {});
      let attached!: () => void;
      const ready = new Promise<void>((resolve) => { attached = resolve; });
      worker.on('message', (message) => {
        if (message.type === 'attached') attached();
        // Handles it shared: the main thread takes them.
        if (message.type !== 'handle') return;
        try {
          const image = arena.adopt(message.handle);
          image.release();
        } catch { /* its sender was reclaimed first: the handle went with it */ }
      });
      const exited = new Promise((resolve) => worker.on('exit', resolve));
      await ready;
      await new Promise((resolve) => setTimeout(resolve, random.int(0, 30)));
      await worker.terminate();
      await exited;
      const id = arena.attachmentOfToken(token);
      if (id >= 0) reclaimed += arena.reclaim(id) >= 0 ? 1 : 0;
    }));
    const heap = arena.checkHeap();
    const stats = arena.stats();
    if (heap.liveBlocks !== 0 || stats.imagesLive !== 0 || stats.bytesInUse !== 0 || stats.attachments !== 1) {
      throw new Error(`round ${round}: ${JSON.stringify({ heap, stats })}`);
    }
  }
  arena.close();
  return { reclaimed };
}

describe('termination at any moment', () => {
  it('leaves nothing behind when workers are terminated inside core calls and reclaimed', async () => {
    const workers = availableParallelism() * 3;
    const { reclaimed } = await terminateAtRandom({ workers, rounds: 5, seed: 7, debug: true });
    expect(reclaimed).toBe(workers * 5);
  }, 120_000);
});
