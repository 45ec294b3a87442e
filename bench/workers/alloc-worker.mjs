// Worker of the allocator throughput benchmark: alloc+free pairs of mixed sizes until told
// to stop, lock-free or behind the global lock.
import { parentPort, workerData } from 'node:worker_threads';
import { Arena } from '../../dist/node.js';
import { Locked } from '../lib/locked.mjs';

const { shared, lock, control, sizes, locked, hold } = workerData;
const arena = await Arena.attach(shared);
const target = locked ? new Locked(arena, lock) : arena;
const flags = new Int32Array(control); // [0]: start, [1]: stop
const held = [];
for (let i = 0; i < hold; i++) held.push(target.alloc(sizes[i % sizes.length]));
parentPort.postMessage('ready');
Atomics.wait(flags, 0, 0);
let pairs = 0;
let next = workerData.seed;
while (Atomics.load(flags, 1) === 0) {
  for (let i = 0; i < 256; i++) {
    next = (next * 1103515245 + 12345) >>> 0;
    target.free(target.alloc(sizes[next % sizes.length]));
  }
  pairs += 256;
}
held.forEach((b) => target.free(b));
arena.close();
parentPort.postMessage(pairs);
