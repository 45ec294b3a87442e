// Worker of the demo: joins the arena, takes images as handles, and answers each with a
// new image made in the same memory: nothing is copied between the threads.
import { parentPort, workerData } from 'node:worker_threads';
import { Arena } from 'pixel-arena';

const arena = await Arena.attach(workerData.arena);
parentPort.on('message', (message) => {
  if (message === 'close') {
    arena.close();
    parentPort.close();
    return;
  }
  const image = arena.adopt(message.handle);
  // The mean colour of the image, as a 64×64 swatch.
  const pixels = image.toPixels();
  image.release();
  const sums = [0, 0, 0];
  for (let i = 0; i < pixels.length; i += 3) { sums[0] += pixels[i]; sums[1] += pixels[i + 1]; sums[2] += pixels[i + 2]; }
  const count = pixels.length / 3;
  const swatch = arena.image('RGB', 64, 64, { fill: sums.map((s) => Math.round(s / count)) });
  parentPort.postMessage({ id: message.id, handle: swatch.share(), worker: workerData.index });
  swatch.release(); // the handle carries its own reference
});
