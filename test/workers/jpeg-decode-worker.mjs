// Worker of test/jpeg-decode-worker.test.ts: attaches to the arena it is given, decodes
// the files it is sent (one of them with reduce), and hands each image back as a handle;
// a file that fails comes back as its error code.
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { Arena } from '../../dist/node.js';

const arena = await Arena.attach(workerData.shared);

parentPort.on('message', ({ path, reduce }) => {
  if (path === undefined) {
    arena.close();
    parentPort.close();
    return;
  }
  try {
    const image = arena.decode(readFileSync(path), { reduce });
    parentPort.postMessage({ path, reduce, handle: image.share() });
    image.release();
  } catch (error) {
    parentPort.postMessage({ path, reduce, code: error.code ?? String(error) });
  }
});
parentPort.postMessage({ ready: true });
