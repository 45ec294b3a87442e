// The script of a pool worker under Node.js (worker_threads).
import { parentPort, workerData } from 'node:worker_threads';
import { installRuntime } from '../runtime/runtime.js';
import { nodeRuntime } from '../runtime/node.js';
import { startWorker } from '../pool/worker.js';
import type { ToWorker, WorkerStart } from '../pool/protocol.js';

installRuntime(nodeRuntime);
const port = parentPort!;
await startWorker({
  post: (message, transfer) => port.postMessage(message, transfer as never),
  onMessage: (listener) => port.on('message', (message: ToWorker) => listener(message)),
  close: () => port.close(),
}, workerData as WorkerStart);
