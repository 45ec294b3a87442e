// Worker of test/cache.test.ts: allocates page blocks and hands them to the main thread,
// which frees them (a producer whose blocks another thread frees).
import { parentPort, workerData } from 'node:worker_threads';
import { Arena } from '../../dist/node.js';

const arena = await Arena.attach(workerData.shared);
parentPort.on('message', (message) => {
  if (message === 'close') { arena.close(); parentPort.postMessage('closed'); return; }
  parentPort.postMessage(Array.from({ length: 4 }, () => arena.alloc(65536)));
});
parentPort.postMessage('ready');
