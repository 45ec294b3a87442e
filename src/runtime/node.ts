// Node.js: the core is read from the package's dist folder and compiled once per thread;
// pool workers are worker_threads running dist/pool-worker-node.js.

import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { cachedLoader, type Runtime, type WorkerLimits, type WorkerPort } from './runtime.js';
import type { FromWorker, WorkerStart } from '../pool/protocol.js';

function spawnPoolWorker(start: WorkerStart, limits?: WorkerLimits): WorkerPort {
  const worker = new Worker(new URL('./pool-worker-node.js', import.meta.url), { workerData: start, resourceLimits: limits });
  let reason = 'the worker exited';
  let exited = false;
  const exitListeners: Array<(reason: string, stopped: boolean) => void> = [];
  worker.on('error', (error) => { reason = `the worker threw: ${error?.stack ?? error}`; });
  // A message that cannot be read would leave its job waiting for ever: the worker is of no
  // more use, and its exit settles the job.
  worker.on('messageerror', () => {
    reason = 'the worker threw: it sent a message that could not be read';
    void worker.terminate();
  });
  worker.on('exit', (code) => {
    exited = true;
    if (!reason.startsWith('the worker threw')) reason = `the worker exited with code ${code}`;
    exitListeners.forEach((listener) => listener(reason, true));
  });
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', (message: FromWorker) => listener(message)),
    onExit: (listener) => { exitListeners.push(listener); },
    terminate: async () => { if (!exited) await worker.terminate(); },
  };
}

export const nodeRuntime: Runtime = {
  name: 'node',
  canShare: () => typeof SharedArrayBuffer === 'function',
  loadCore: cachedLoader(async (variant) => {
    const bytes = await readFile(new URL(`./pixel-arena.${variant}.wasm`, import.meta.url));
    return WebAssembly.compile(bytes);
  }),
  spawnPoolWorker,
  cores: () => availableParallelism(),
  resolveTasks: (tasks) => {
    if (tasks instanceof URL) return tasks.href;
    if (/^[a-z][a-z0-9+.-]*:/i.test(tasks) && !/^[a-z]:[\\/]/i.test(tasks)) return tasks; // already a URL
    return pathToFileURL(isAbsolute(tasks) ? tasks : resolve(tasks)).href;
  },
};
