// Terminates workers at random moments while they work the arena (test/workers/churn-
// worker.mjs), reclaims each, and checks after every round that nothing is left behind.
import { Worker } from 'node:worker_threads';
import { Arena } from '../../dist/node.js';
import { seededRandom } from './random.mjs';

export async function terminateAtRandom({ workers, rounds, seed, debug }) {
  const arena = await Arena.create({ maxBytes: 256 << 20, blocksMax: 16, debug });
  const random = seededRandom(seed);
  let reclaimed = 0;
  for (let round = 0; round < rounds; round++) {
    await Promise.all(Array.from({ length: workers }, async (_, w) => {
      const token = arena.nextToken();
      const worker = new Worker(new URL('../workers/churn-worker.mjs', import.meta.url), {
        workerData: { shared: arena.shared, token, seed: seed * 1000 + round * 100 + w },
      });
      // A worker that fails before it attached is a failure of the run, not a wait for ever;
      // once attached, its errors are the terminations themselves.
      let attached, failed;
      const ready = new Promise((resolve, reject) => { attached = resolve; failed = reject; });
      worker.on('error', (error) => failed(error));
      worker.on('exit', (code) => failed(new Error(`worker ${w} exited with ${code} before it attached`)));
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

