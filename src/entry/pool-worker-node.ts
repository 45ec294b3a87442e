// The script of a pool worker under Node.js (worker_threads).
import { parentPort, workerData } from 'node:worker_threads';
import { installRuntime } from '../runtime/runtime.js';
import { nodeRuntime } from '../runtime/node.js';
import { startWorker } from '../pool/worker.js';
import type { ToWorker, WorkerPrestart, WorkerStart } from '../pool/protocol.js';

async function main(): Promise<void> {
  installRuntime(nodeRuntime);
  const port = parentPort!;
  const data = workerData as WorkerStart | WorkerPrestart;
  let start: WorkerStart;
  if (data.type === 'prestart') {
    // Started ahead of its pool (Pool.prestart): the tasks module loads while the pool's arena
    // is made, and the pool's first message is the start. A module that fails to load fails
    // again in startWorker, which reports it as any worker does.
    if (data.tasks !== undefined) import(/* @vite-ignore */ data.tasks).catch(() => {});
    start = await new Promise<WorkerStart>((resolve) => port.once('message', resolve));
  } else {
    start = data;
  }
  await startWorker({
    post: (message, transfer) => port.postMessage(message, transfer as never),
    onMessage: (listener) => port.on('message', (message: ToWorker) => listener(message)),
    close: () => port.close(),
  }, start);
}

// No top-level await: Node aborts the whole process (a V8 check fails) when it stops a worker
// whose module is still being evaluated asynchronously, as a process that exits while this
// worker waits for its start or attaches would (nodejs/node#53238). An error ends the worker
// as a failed top-level await would, with an 'error' event.
main().catch((error: unknown) => {
  process.nextTick(() => { throw error; });
});
