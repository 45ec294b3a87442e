// Node.js: the core is read from the package's dist folder and compiled once per thread;
// pool workers are worker_threads running dist/pool-worker-node.js. A worker thread takes
// tens of milliseconds to boot, so they may be started before their pool (Pool.prestart).

import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { cachedLoader, type Runtime, type WorkerLimits, type WorkerPort } from './runtime.js';
import type { FromWorker, WorkerPrestart, WorkerStart } from '../pool/protocol.js';

const WORKER_SCRIPT = new URL('./pool-worker-node.js', import.meta.url);

/**
 * Workers started ahead of their pool (Pool.prestart), waiting for a WorkerStart message.
 * They are unreferenced until a pool takes them, so they never keep the process alive; one
 * that dies or fails while it waits leaves the list, and one that no pool takes within
 * SPARE_IDLE_MS is ended.
 */
interface Spare { worker: Worker; key: string; timer: ReturnType<typeof setTimeout> }
const spares: Spare[] = [];
/** How long a prestarted worker waits for a pool before it is ended. */
const SPARE_IDLE_MS = 60_000;

/** What a spare must match to serve a pool: the same tasks module and heap limits. */
function spareKey(tasks: string | undefined, limits: WorkerLimits | undefined): string {
  const named = Object.entries(limits ?? {}).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([tasks ?? null, named]);
}

function dropSpare(spare: Spare): void {
  const index = spares.indexOf(spare);
  if (index >= 0) spares.splice(index, 1);
  clearTimeout(spare.timer);
}

/** Tops the spares of these tasks and limits up to `count`; returns how many it started. */
function prestartPoolWorkers(count: number, tasks: string | undefined, limits?: WorkerLimits): number {
  const key = spareKey(tasks, limits);
  const waiting = spares.filter((spare) => spare.key === key).length;
  for (let i = waiting; i < count; i++) {
    const prestart: WorkerPrestart = { type: 'prestart', tasks };
    const worker = new Worker(WORKER_SCRIPT, { workerData: prestart, resourceLimits: limits });
    worker.unref();
    const spare: Spare = {
      worker, key,
      timer: setTimeout(() => { dropSpare(spare); void worker.terminate(); }, SPARE_IDLE_MS),
    };
    spare.timer.unref?.();
    // A spare that fails is dropped; a pool that took it already hears of it through its own listeners.
    worker.on('error', () => dropSpare(spare));
    worker.on('exit', () => dropSpare(spare));
    spares.push(spare);
  }
  return Math.max(0, count - waiting);
}

/** A waiting spare for these tasks and limits (taken off the list), or undefined. */
function takeSpare(key: string): Worker | undefined {
  const spare = spares.find((s) => s.key === key);
  if (spare !== undefined) dropSpare(spare);
  return spare?.worker;
}

function spawnPoolWorker(start: WorkerStart, limits?: WorkerLimits): WorkerPort {
  const spare = takeSpare(spareKey(start.tasks, limits));
  const worker = spare ?? new Worker(WORKER_SCRIPT, { workerData: start, resourceLimits: limits });
  if (spare !== undefined) {
    spare.ref();
    spare.postMessage(start);
  }
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
  exitMeansStopped: true,
  canShare: () => typeof SharedArrayBuffer === 'function',
  loadCore: cachedLoader(async (variant) => {
    const bytes = await readFile(new URL(`./pixel-arena.${variant}.wasm`, import.meta.url));
    return WebAssembly.compile(bytes);
  }),
  spawnPoolWorker,
  prestartPoolWorkers,
  cores: () => availableParallelism(),
  resolveTasks: (tasks) => {
    if (tasks instanceof URL) return tasks.href;
    if (/^[a-z][a-z0-9+.-]*:/i.test(tasks) && !/^[a-z]:[\\/]/i.test(tasks)) return tasks; // already a URL
    return pathToFileURL(isAbsolute(tasks) ? tasks : resolve(tasks)).href;
  },
};
