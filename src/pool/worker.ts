// The worker side of a pool: attach to the pool's arena, load the tasks module, and run
// what the pool sends, one job at a time. Runtime differences (how messages arrive) stay
// in the two entries, src/entry/pool-worker-node.ts and pool-worker-web.ts.
//
// Every job ends with exactly one 'done' or 'failed' message, and with every reference
// the job took here released: its adopted arguments, and the images of its result once
// they are on their way (or at once, if the result cannot be sent).

import { Arena, coreOf } from '../arena.js';
import { canNeverFit, serializeError } from '../errors.js';
import { imageAddress, type Image, type ImageHandle } from '../image.js';
import { runBand } from '../kernels/stages.js';
import { checkImages, decode, encode, imagesIn, unsendable } from './marshal.js';
import type { FromWorker, ToWorker, WorkerStart } from './protocol.js';

/** What a task function receives besides its arguments. */
export interface TaskContext {
  /** This worker's attachment to the pool's arena. */
  readonly arena: Arena;
  /** Fires when the job's AbortSignal fires in the caller. */
  readonly signal: AbortSignal;
}

export type TaskFunction = (args: any, context: TaskContext) => unknown;

export interface Port {
  /** Throws when the message cannot be cloned (DataCloneError). */
  post(message: FromWorker): void;
  onMessage(listener: (message: ToWorker) => void): void;
  /** Ends the worker once it has nothing left to do. */
  close(): void;
}

/**
 * Releases each image once (the same Image may appear twice among args and results), and
 * goes on past one that fails, so that a failure path never stops halfway.
 */
function releaseAll(images: Iterable<Image>): void {
  for (const image of new Set(images)) {
    try {
      if (!image.released) image.release();
    } catch {
      // Its arena was closed in this thread, or it was reclaimed: nothing left to release.
    }
  }
}

export async function startWorker(port: Port, start: WorkerStart): Promise<void> {
  // The pool finds this thread's slot by its token, whenever it dies.
  const arena = await Arena.attach(start.arena, { token: start.token });
  const tasks: Record<string, unknown> = start.tasks === undefined ? {} : await import(/* @vite-ignore */ start.tasks);
  const aborts = new Map<number, AbortController>();

  function fail(job: number, error: unknown): void {
    const neverFits = canNeverFit(error);
    try {
      port.post({ type: 'failed', job, error: serializeError(error), neverFits });
    } catch {
      // An error whose fields cannot be cloned (a thrown object with a strange name): its text.
      port.post({ type: 'failed', job, error: { name: 'Error', message: String(error) }, neverFits });
    }
  }

  /**
   * Runs a task and sends its result. The images of the result are handed over: they
   * travel as handles, and this worker's references to them (and to the arguments) go
   * before the caller hears of the result. If the result cannot be sent, its handles are
   * taken back, which frees what nobody else holds, and the job fails instead.
   */
  async function runTask(job: number, name: string, encodedArgs: unknown): Promise<void> {
    const what = `task '${name}'`;
    const adopted: Image[] = [];
    const handedOver: Image[] = [];
    const shared: ImageHandle[] = [];
    const controller = new AbortController();
    aborts.set(job, controller);
    try {
      const task = Object.hasOwn(tasks, name) ? tasks[name] : undefined;
      if (typeof task !== 'function') {
        throw Object.assign(new Error(`the tasks module has no function named '${name}'`), { code: 'INVALID_ARGUMENT', name: 'ArenaError' });
      }
      const args = decode(encodedArgs, arena, adopted);
      const value = await (task as TaskFunction)(args, { arena, signal: controller.signal });
      try {
        handedOver.push(...checkImages(value, arena, 'the result', what));
      } catch (error) {
        handedOver.push(...imagesIn(value));
        throw error;
      }
      const result = handedOver.length === 0 ? value : encode(value, shared);
      releaseAll([...adopted, ...handedOver]);
      try {
        port.post({ type: 'done', job, result });
      } catch (error) {
        throw unsendable(error, 'the result', what);
      }
    } catch (error) {
      for (const handle of shared) {
        try { arena.discard(handle); } catch { /* reclaimed meanwhile: nothing to take back */ }
      }
      releaseAll([...adopted, ...handedOver]);
      fail(job, error);
    } finally {
      aborts.delete(job);
    }
  }

  function runBandJob(message: Extract<ToWorker, { type: 'band' }>): void {
    const adopted: Image[] = [];
    try {
      const source = arena.adopt(message.source);
      adopted.push(source);
      const target = arena.adopt(message.target);
      adopted.push(target);
      runBand(coreOf(arena), message.stage, imageAddress(target), imageAddress(source), message.start, message.end, 'pool');
      releaseAll(adopted);
      port.post({ type: 'done', job: message.job, result: null });
    } catch (error) {
      releaseAll(adopted);
      fail(message.job, error);
    }
  }

  port.onMessage((message) => {
    switch (message.type) {
      case 'task': void runTask(message.job, message.task, message.args); break;
      case 'band': runBandJob(message); break;
      case 'abort': aborts.get(message.job)?.abort(); break;
      case 'close':
        arena.close();
        port.post({ type: 'closed' });
        port.close();
        break;
      case 'start': break;
    }
  });
  port.post({ type: 'ready', attachmentId: arena.attachmentId });
}
