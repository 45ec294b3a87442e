// Worker of test/termination.test.ts: works the arena without pause (images made, shared,
// transformed, released; kernels with their scratch blocks) until it is terminated,
// anywhere, inside a core call or not.
import { parentPort, workerData } from 'node:worker_threads';
import { Arena } from '../../dist/node.js';
import { seededRandom } from '../helpers/random.mjs';

const arena = await Arena.attach(workerData.shared, { token: workerData.token });
const random = seededRandom(workerData.seed);
const modes = ['L', 'LA', 'RGB', 'RGBA'];
parentPort.postMessage({ type: 'attached', id: arena.attachmentId });
const held = [];
for (;;) {
  const roll = random.next();
  if (held.length < 6 && roll < 0.35) {
    held.push(arena.image(modes[random.int(0, 3)], random.int(1, 300), random.int(1, 200), { fill: random.int(0, 255) }));
  } else if (held.length > 0 && roll < 0.5) {
    parentPort.postMessage({ type: 'handle', handle: held[random.int(0, held.length - 1)].share() });
  } else if (held.length > 0 && roll < 0.75) {
    const image = held[random.int(0, held.length - 1)];
    const op = random.int(0, 3);
    const made = op === 0 ? image.resize(random.int(1, 200), random.int(1, 200), { filter: 'lanczos' })
      : op === 1 ? image.transpose('rotate90') : op === 2 ? image.gaussianBlur(2) : image.convert('RGBA');
    held.push(made);
  } else if (held.length > 0) {
    held.splice(random.int(0, held.length - 1), 1)[0].release();
  }
  if (random.next() < 0.05) await new Promise((resolve) => setImmediate(resolve));
}
