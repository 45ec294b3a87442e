// The script of a pool worker in browsers, Deno and Bun (a module Worker); the pool
// sends its start message first. A web Worker has no exit event the pool could listen to:
// a worker that ends itself (self.close(), Deno.exit(), process.exit() in Bun) first says
// so, so that the pool fails its job, reclaims it and starts another.
import { installRuntime } from '../runtime/runtime.js';
import { webRuntime } from '../runtime/web.js';
import { startWorker } from '../pool/worker.js';
import type { FromWorker, ToWorker, WorkerStart } from '../pool/protocol.js';

installRuntime(webRuntime);
const scope = globalThis as unknown as {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close?(): void;
  Deno?: { exit(code?: number): never };
  process?: { exit(code?: number): never };
};

/** Wraps an ending function of the runtime so that the pool hears of the end first. */
function announce<F extends (...args: never[]) => unknown>(end: F, reason: (...args: Parameters<F>) => string): F {
  return ((...args: Parameters<F>) => {
    try {
      scope.postMessage({ type: 'exiting', reason: reason(...args) } satisfies FromWorker, []);
    } catch {
      // Nothing to tell it with: the pool finds out when the job never answers.
    }
    return end(...args);
  }) as F;
}

// Bun's workers have no self.close(): they end with process.exit().
const close = typeof scope.close === 'function' ? scope.close.bind(scope) : () => { scope.process?.exit(0); };
/** Replaces `owner[name]` by `wrapped`, where the runtime lets it be replaced. */
function replace<T extends object>(owner: T | undefined, name: keyof T, wrapped: () => unknown): void {
  if (owner === undefined) return;
  try {
    Object.defineProperty(owner, name, { value: wrapped(), configurable: true, writable: true });
  } catch {
    // Frozen here: that way of ending goes unannounced.
  }
}
if (typeof scope.close === 'function') replace(scope, 'close', () => announce(close, () => 'the worker closed itself'));
replace(scope.Deno, 'exit', () => announce(scope.Deno!.exit.bind(scope.Deno), (code) => `the worker exited with code ${code ?? 0}`));
if (typeof scope.process?.exit === 'function') {
  replace(scope.process, 'exit', () => announce(scope.process!.exit.bind(scope.process), (code) => `the worker exited with code ${code ?? 0}`));
}

const queued: ToWorker[] = [];
let deliver: ((message: ToWorker) => void) | undefined;
scope.addEventListener('message', (event: MessageEvent) => {
  const message = event.data as ToWorker;
  if (message.type === 'start') {
    void startWorker({
      post: (m, transfer) => scope.postMessage(m, transfer ?? []),
      onMessage: (listener) => { deliver = listener; queued.splice(0).forEach(listener); },
      close: () => close(),
    }, message as WorkerStart);
  } else if (deliver) {
    deliver(message);
  } else {
    queued.push(message);
  }
});
