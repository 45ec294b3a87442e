// Worker of test/cache.test.ts: allocates and frees page blocks in phases.
import { parentPort, workerData } from 'node:worker_threads';
import { Arena } from '../../dist/node.js';
import { seededRandom } from '../helpers/random.mjs';

const arena = await Arena.attach(workerData.shared);
const random = seededRandom(workerData.seed);
parentPort.on('message', async (message) => {
  if (message.type === 'close') { arena.close(); parentPort.postMessage({ type: 'closed' }); return; }
  const held = [];
  for (let i = 0; i < message.operations; i++) {
    if (held.length < 20 && (held.length === 0 || random.next() < 0.5)) {
      held.push(arena.alloc(random.pick([4096, 8192, 20000, 65536, 100000, 262144])));
    } else {
      arena.free(held.splice(random.int(0, held.length - 1), 1)[0]);
    }
    if (i % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  held.forEach((b) => arena.free(b));
  parentPort.postMessage({ type: 'phase' });
});
parentPort.postMessage({ type: 'ready' });
