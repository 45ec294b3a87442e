// The script of a pool worker under Node.js (worker_threads).
import { parentPort, workerData } from 'node:worker_threads';
import { installRuntime } from '../runtime/runtime.js';
import { nodeRuntime } from '../runtime/node.js';
import { startWorker } from '../pool/worker.js';
import type { ToWorker, WorkerPrestart, WorkerStart } from '../pool/protocol.js';

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
