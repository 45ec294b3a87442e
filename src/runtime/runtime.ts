// What differs between JavaScript runtimes, behind one small interface. Each build
// entry (src/entry/*.ts) installs the adapter of its runtime; package.json export
// conditions pick the entry.

import type { FromWorker, ToWorker, WorkerStart } from '../pool/protocol.js';
import { unsupported } from '../errors.js';

/** Heap limits of a worker in megabytes (Node's worker resourceLimits; other runtimes ignore them). */
export interface WorkerLimits {
  maxOldGenerationSizeMb?: number;
  maxYoungGenerationSizeMb?: number;
  codeRangeSizeMb?: number;
  stackSizeMb?: number;
}

/** A pool worker as the pool sees it, whatever the runtime. */
export interface WorkerPort {
  /** Throws when the message cannot be cloned (DataCloneError): then the worker got nothing. */
  post(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /**
   * Called once, when the worker is gone: it exited, threw at top level, or was
   * terminated. `stopped`: the host says the thread has stopped running (Node's 'exit');
   * false where a terminated worker may still run for a moment (browsers, Deno, Bun).
   */
  onExit(listener: (reason: string, stopped: boolean) => void): void;
  terminate(): Promise<void>;
}

/** The four builds of the core: shared or plain memory, with or without invariant checks. */
export type CoreVariant = 'shared' | 'plain' | 'shared.debug' | 'plain.debug';

export interface Runtime {
  readonly name: string;
  /**
   * Does a worker's exit event mean its thread has stopped running (Node)? Where it does
   * not (browsers, Deno, Bun), a shared arena tracks its threads' calls by default.
   */
  readonly exitMeansStopped: boolean;
  /** Can this runtime share a WebAssembly.Memory with other threads? */
  canShare(): boolean;
  /** The compiled core of a variant (compiled once per thread and cached). */
  loadCore(variant: CoreVariant): Promise<WebAssembly.Module>;
  /** Starts a pool worker; undefined where the runtime has no workers. */
  spawnPoolWorker?(start: WorkerStart, limits?: WorkerLimits): WorkerPort;
  /**
   * Starts `count` pool workers before their pool exists; spawnPoolWorker hands them out
   * to the pool whose tasks and limits match. Returns how many started. Undefined where
   * starting a worker is quick, or the runtime cannot leave an idle worker unreferenced.
   */
  prestartPoolWorkers?(count: number, tasks: string | undefined, limits?: WorkerLimits): number;
  /** Cores to use by default. */
  cores(): number;
  /** The URL a worker imports for a tasks module given as a path or URL. */
  resolveTasks(tasks: string | URL): string;
}

let installed: Runtime | undefined;

export function installRuntime(runtime: Runtime): void {
  installed = runtime;
}

export function runtime(): Runtime {
  if (installed === undefined) throw unsupported('pixel-arena', 'no runtime adapter installed (import the package entry, not src files)');
  return installed;
}

/** Caches one compilation per variant. */
export function cachedLoader(compile: (variant: CoreVariant) => Promise<WebAssembly.Module>): Runtime['loadCore'] {
  const cache = new Map<CoreVariant, Promise<WebAssembly.Module>>();
  return (variant) => {
    let module = cache.get(variant);
    if (module === undefined) {
      module = compile(variant);
      cache.set(variant, module);
      module.catch(() => cache.delete(variant));
    }
    return module;
  };
}
