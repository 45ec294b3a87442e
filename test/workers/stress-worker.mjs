// One worker of the allocator stress test (test/helpers/stress.mjs drives it).
//
// It allocates blocks of random sizes, stamps each with (worker, sequence), frees its own
// blocks after checking their stamps, and gives some blocks to other workers, which
// check the stamps and free them. Every hand-out is also claimed in the ownership ledger.

import { parentPort, workerData } from 'node:worker_threads';
import { Arena, ArenaError } from '../../dist/node.js';
import { seededRandom } from '../helpers/random.mjs';
import { Ledger, stamp, stampIntact } from '../helpers/ownership.mjs';

const { shared, ledger: ledgerBuffers, worker, workers, seed, operations, minSize, maxSize, giveShare, holdMax, sizes, zeroHeads } = workerData;
const arena = await Arena.attach(shared);
const ledger = new Ledger(ledgerBuffers, worker);
const random = seededRandom(seed);
const live = [];
const result = { worker, allocated: 0, freed: 0, given: 0, received: 0, full: 0, badStamps: [], errors: [] };
let sequence = 0;

// A page block whose first words stay zero (as any zero-filled row): a slab page handed out
// again as such a block is what a stray slab CAS would write into.
const zeroHead = (view) => new Uint8Array(view.buffer, view.byteOffset + 8, 56);

function release(entry) {
  const view = arena.view(entry.block);
  if (!stampIntact(view, entry.owner, entry.sequence) || (zeroHeads && view.byteLength > 2040 && zeroHead(view).some((b) => b !== 0))) {
    result.badStamps.push(`block ${entry.block.ptr}+${entry.block.size} of worker ${entry.owner} #${entry.sequence}`);
  }
  ledger.unclaim(entry.block, entry.owner);
  arena.free(entry.block);
  result.freed++;
}

function allocateOne() {
  const size = sizes ? sizes[random.int(0, sizes.length - 1)] : random.logInt(minSize, maxSize);
  let block;
  try {
    block = arena.alloc(size);
  } catch (error) {
    if (error instanceof ArenaError && error.code === 'ARENA_FULL') {
      result.full++;
      // Make room: free half of what this worker holds.
      for (let i = live.length >> 1; i > 0; i--) release(live.splice(random.int(0, live.length - 1), 1)[0]);
      return;
    }
    throw error;
  }
  if (block.size < size) result.errors.push(`alloc(${size}) gave ${block.size} bytes`);
  ledger.claim(block);
  const entry = { block, owner: worker, sequence: ++sequence };
  stamp(arena.view(block), worker, entry.sequence);
  if (zeroHeads && block.size > 2040) zeroHead(arena.view(block)).fill(0);
  result.allocated++;
  live.push(entry);
}

function step() {
  const roll = random.next();
  if (live.length === 0 || (roll < 0.55 && live.length < holdMax)) {
    allocateOne();
  } else if (roll < 0.55 + giveShare && workers > 1) {
    const entry = live.splice(random.int(0, live.length - 1), 1)[0];
    let to = random.int(1, workers - 1);
    if (to >= worker) to++;
    parentPort.postMessage({ type: 'give', to, entry });
    result.given++;
  } else {
    release(live.splice(random.int(0, live.length - 1), 1)[0]);
  }
}

parentPort.on('message', (message) => {
  try {
    if (message.type === 'give') {
      result.received++;
      release(message.entry);
    } else if (message.type === 'finish') {
      while (live.length > 0) release(live.pop());
      result.conflicts = ledger.conflicts;
      arena.close();
      parentPort.postMessage({ type: 'result', result });
    }
  } catch (error) {
    result.errors.push(String(error && error.stack || error));
  }
});

for (let done = 0; done < operations; done++) {
  try {
    step();
  } catch (error) {
    result.errors.push(String(error && error.stack || error));
    break;
  }
  // Let messages from other workers in now and then.
  if (done % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
}
parentPort.postMessage({ type: 'done' });
