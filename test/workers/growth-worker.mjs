// Worker of test/growth.test.ts: keeps views made before the memory grew and checks that
// they still read and write the same bytes while every worker grows the memory.
import { parentPort, workerData } from 'node:worker_threads';
import { Arena } from '../../dist/node.js';

const arena = await Arena.attach(workerData.shared);
const id = workerData.id;
const held = [];
let bad = 0;
const firstLength = arena.memory.buffer.byteLength;

for (let i = 0; i < workerData.blocks; i++) {
  const block = arena.alloc(workerData.size);
  const view = arena.view(block); // made over the memory as it is now
  view.fill((id * 16 + i) & 255);
  held.push({ block, view, value: (id * 16 + i) & 255 });
  // Every earlier view still sees its bytes, though the memory grew since it was made.
  for (const h of held) {
    if (h.view[0] !== h.value || h.view[h.view.length - 1] !== h.value) bad++;
  }
  if (i % 4 === 0) await new Promise((resolve) => setImmediate(resolve));
}
// A write through an old view is seen through a new one, and the reverse.
const oldest = held[0];
oldest.view[1] = 0x5a;
const fresh = arena.view(oldest.block);
if (fresh[1] !== 0x5a) bad++;
fresh[2] = 0xa5;
if (oldest.view[2] !== 0xa5) bad++;
parentPort.postMessage({
  bad, firstLength, lastLength: arena.memory.buffer.byteLength,
  blocks: held.map((h) => ({ block: h.block, value: h.value })),
});
arena.close();
