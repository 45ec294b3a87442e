// Drives the allocator stress test: several workers over one arena (more workers than
// cores), random sizes, blocks freed by other workers than their allocator, ownership
// ledger and stamps, and a heap walk at the end.

import { Worker } from 'node:worker_threads';
import { Arena } from '../../dist/node.js';
import { createLedger } from './ownership.mjs';

/**
 * @param {{ workers?: number, operations?: number, seed?: number, maxBytes?: number, minSize?: number, maxSize?: number,
 *   giveShare?: number, holdMax?: number, blocksMax?: number, debug?: boolean, sizes?: number[], zeroHeads?: boolean }} options
 */
export async function runStress({
  workers = 6, operations = 3000, seed = 1, maxBytes = 256 * 1024 * 1024, minSize = 16,
  maxSize = 8 * 1024 * 1024, giveShare = 0.15, holdMax = 48, blocksMax = 32, debug = true, sizes, zeroHeads = false,
} = {}) {
  const arena = await Arena.create({ maxBytes, blocksMax, debug });
  const ledger = createLedger(maxBytes);
  const started = performance.now();
  const threads = [];
  const results = [];
  let done = 0;
  await new Promise((resolve, reject) => {
    for (let w = 1; w <= workers; w++) {
      const thread = new Worker(new URL('../workers/stress-worker.mjs', import.meta.url), {
        workerData: {
          shared: arena.shared, ledger, worker: w, workers, seed: seed * 1000 + w, operations,
          minSize, maxSize, giveShare, holdMax, sizes, zeroHeads,
        },
      });
      thread.on('error', reject);
      thread.on('message', (message) => {
        if (message.type === 'give') {
          threads[message.to - 1].postMessage(message);
        } else if (message.type === 'done') {
          // A worker's gifts all reached us before its 'done', and we forwarded them
          // before sending 'finish': every gift arrives before the 'finish' behind it.
          if (++done === workers) for (const t of threads) t.postMessage({ type: 'finish' });
        } else if (message.type === 'result') {
          results.push(message.result);
          if (results.length === workers) resolve();
        }
      });
      threads.push(thread);
    }
  });
  await Promise.all(threads.map((t) => t.terminate()));
  const elapsed = performance.now() - started;
  const heap = arena.checkHeap();
  const stats = arena.stats();
  arena.close();
  return { results, heap, stats, elapsed };
}
