// Worker of test/reclaim.test.ts: takes image references in every way and then dies the
// way it is told to, without releasing anything.
import { parentPort, workerData } from 'node:worker_threads';
import { Arena } from '../../dist/node.js';

const arena = await Arena.attach(workerData.shared);
const held = [];
for (let i = 0; i < 5; i++) held.push(arena.image('RGB', 40, 30, { fill: i }));
held.push(arena.adopt(workerData.handle));                   // adopted from the main thread
const unadopted = held[0].share();                           // shared, never adopted by anyone
parentPort.postMessage({ type: 'attached', id: arena.attachmentId, forMain: held[1].share(), unadopted });
parentPort.once('message', () => {
  switch (workerData.death) {
    case 'throw': throw new Error('worker fell over');
    case 'exit': process.exit(3);
    case 'busy': for (let i = 0; ; i = (i + 1) % 7) held[i % 2].width; // spins in JS until terminated
    case 'close': arena.close(); parentPort.postMessage({ type: 'closed' }); break;
  }
});
