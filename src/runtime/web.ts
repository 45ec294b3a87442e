// Browsers, Deno and Bun: the core is fetched next to the module and compiled streaming.
// Each URL is written out literally so that bundlers see and copy the files.

import { cachedLoader, type CoreVariant, type Runtime, type WorkerPort } from './runtime.js';
import type { FromWorker, WorkerStart } from '../pool/protocol.js';

function coreUrl(variant: CoreVariant): URL {
  switch (variant) {
    case 'shared': return new URL('./pixel-arena.shared.wasm', import.meta.url);
    case 'plain': return new URL('./pixel-arena.plain.wasm', import.meta.url);
    case 'shared.debug': return new URL('./pixel-arena.shared.debug.wasm', import.meta.url);
    case 'plain.debug': return new URL('./pixel-arena.plain.debug.wasm', import.meta.url);
  }
}

async function compile(variant: CoreVariant): Promise<WebAssembly.Module> {
  const url = coreUrl(variant);
  if (url.protocol === 'file:') {
    // Deno and Bun load local files without fetch's content-type rules.
    const fs = await import(/* @vite-ignore */ 'node:fs/promises');
    return WebAssembly.compile(await fs.readFile(url));
  }
  const response = fetch(url);
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(response);
    } catch {
      // A server without the application/wasm content type: compile from bytes.
    }
  }
  return WebAssembly.compile(await (await fetch(url)).arrayBuffer());
}

function spawnPoolWorker(start: WorkerStart): WorkerPort {
  // Written out literally so that bundlers see the worker and bundle it.
  const worker = new Worker(new URL('./pool-worker.js', import.meta.url), { type: 'module' });
  let gone = false;
  const exitListeners: Array<(reason: string, stopped: boolean) => void> = [];
  const exit = (reason: string) => {
    if (gone) return;
    gone = true;
    // A request, not a completion: the worker may still run for a moment.
    worker.terminate();
    exitListeners.forEach((listener) => listener(reason, false));
  };
  // A web worker that throws at top level stays alive but is of no use: treat it as gone.
  worker.addEventListener('error', (event) => { event.preventDefault(); exit(`the worker threw: ${event.message}`); });
  worker.addEventListener('messageerror', () => exit('the worker sent a message that could not be read'));
  // Bun tells when a worker has ended (browsers and Deno do not).
  worker.addEventListener('close', () => exit('the worker ended'));
  worker.postMessage(start);
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
      listener(event.data);
      if (event.data.type === 'closed') exit('the worker closed');
      // A web worker has no exit event: one that ends by itself says so first.
      if (event.data.type === 'exiting') exit(event.data.reason);
    }),
    onExit: (listener) => { exitListeners.push(listener); },
    terminate: async () => exit('the worker was terminated'),
  };
}

export const webRuntime: Runtime = {
  name: 'web',
  // terminate() asks; the worker may run on for a moment (Bun: milliseconds).
  exitMeansStopped: false,
  canShare: () => typeof SharedArrayBuffer === 'function'
    && (typeof globalThis.crossOriginIsolated !== 'boolean' || globalThis.crossOriginIsolated),
  loadCore: cachedLoader(compile),
  spawnPoolWorker: typeof Worker === 'function' ? spawnPoolWorker : undefined,
  cores: () => Math.max(1, (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2),
  resolveTasks: (tasks) => new URL(tasks, typeof location === 'object' ? location.href : import.meta.url).href,
};
