// Worker of test/jpeg-encode.test.ts: adopts an image handle, encodes the image in this
// thread's instance of the core, and sends the file back.
import { parentPort, workerData } from 'node:worker_threads';
import { Arena } from '../../dist/node.js';

const arena = await Arena.attach(workerData.shared);
const image = arena.adopt(workerData.handle);
const files = workerData.options.map((options) => image.encode('jpeg', options));
image.release();
arena.close();
parentPort.postMessage({ files });
