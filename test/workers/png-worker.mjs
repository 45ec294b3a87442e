// Worker of test/png-workers.test.ts: decodes the PNGs it is sent into the shared arena
// and hands the images back as handles (or their error codes).
import { parentPort, workerData } from 'node:worker_threads';
import { Arena, ArenaError } from '../../dist/node.js';

const arena = await Arena.attach(workerData.shared);
parentPort.on('message', (message) => {
  if (message.type === 'close') {
    arena.close();
    parentPort.postMessage({ type: 'closed' });
    return;
  }
  const results = message.files.map((bytes) => {
    try {
      const image = arena.decode(bytes);
      const handle = image.share();
      image.release();
      return { handle };
    } catch (error) {
      if (!(error instanceof ArenaError)) throw error;
      return { code: error.code };
    }
  });
  parentPort.postMessage({ type: 'done', results });
});
parentPort.postMessage({ type: 'ready' });
