// Worker of test/handles.test.ts: adopts image handles (some raced for by two workers),
// checks each image's pixels, passes some on, makes images of its own for the main
// thread, and releases everything it holds.
import { parentPort, workerData } from 'node:worker_threads';
import { Arena, ArenaError } from '../../dist/node.js';
import { seededRandom } from '../helpers/random.mjs';

const arena = await Arena.attach(workerData.shared);
const random = seededRandom(workerData.seed);
const report = { adopted: 0, lost: 0, badPixels: 0, passed: 0, made: 0, errors: [] };

function expectedPixel(id) {
  return [id & 255, (id >> 8) & 255, 7, 255];
}

parentPort.on('message', (message) => {
  try {
    if (message.type === 'handle') {
      let image;
      try {
        image = arena.adopt(message.handle);
      } catch (error) {
        if (error instanceof ArenaError && error.code === 'INVALID_HANDLE') { report.lost++; return; }
        throw error;
      }
      report.adopted++;
      const pixels = image.toPixels();
      const [r, g, b, a] = expectedPixel(message.id);
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i] !== r || pixels[i + 1] !== g || pixels[i + 2] !== b || pixels[i + 3] !== a) { report.badPixels++; break; }
      }
      if (message.hops > 0 && random.next() < 0.5) {
        parentPort.postMessage({ type: 'pass', id: message.id, hops: message.hops - 1, handle: image.share() });
        report.passed++;
      }
      image.release();
    } else if (message.type === 'make') {
      for (let i = 0; i < message.count; i++) {
        const id = message.firstId + i;
        const image = arena.image('RGBA', 1 + (id % 40), 1 + (id % 17), { fill: expectedPixel(id) });
        parentPort.postMessage({ type: 'made', id, handle: image.share() });
        image.release();
        report.made++;
      }
    } else if (message.type === 'finish') {
      arena.close();
      parentPort.postMessage({ type: 'report', report });
    }
  } catch (error) {
    report.errors.push(String(error?.stack ?? error));
  }
});
parentPort.postMessage({ type: 'ready' });
