// The script of a pool worker in browsers, Deno and Bun (a module Worker); the pool
// sends its start message first.
import { installRuntime } from '../runtime/runtime.js';
import { webRuntime } from '../runtime/web.js';
import { startWorker } from '../pool/worker.js';
import type { ToWorker, WorkerStart } from '../pool/protocol.js';

installRuntime(webRuntime);
const scope = globalThis as unknown as {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
};
const queued: ToWorker[] = [];
let deliver: ((message: ToWorker) => void) | undefined;
scope.addEventListener('message', (event: MessageEvent) => {
  const message = event.data as ToWorker;
  if (message.type === 'start') {
    void startWorker({
      post: (m, transfer) => scope.postMessage(m, transfer ?? []),
      onMessage: (listener) => { deliver = listener; queued.splice(0).forEach(listener); },
      close: () => scope.close(),
    }, message as WorkerStart);
  } else if (deliver) {
    deliver(message);
  } else {
    queued.push(message);
  }
});
