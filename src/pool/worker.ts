// The worker side of a pool: attach to the pool's arena, load the tasks module, and run
// what the pool sends, one job at a time. Runtime differences (how messages arrive) stay
// in the two entries, src/entry/pool-worker-node.ts and pool-worker-web.ts.

import { Arena, coreOf } from '../arena.js';
import { serializeError } from '../errors.js';
import { imageAddress, type Image } from '../image.js';
import { runBand } from '../kernels/stages.js';
import { decode, encode } from './marshal.js';
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
  post(message: FromWorker): void;
  onMessage(listener: (message: ToWorker) => void): void;
  /** Ends the worker once it has nothing left to do. */
  close(): void;
}

/** Releases each image once (the same Image may appear twice among args and results). */
function releaseAll(images: Iterable<Image>): void {
  for (const image of new Set(images)) if (!image.released) image.release();
}

export async function startWorker(port: Port, start: WorkerStart): Promise<void> {
  // The pool finds this thread's slot by its token, whenever it dies.
  const arena = await Arena.attach(start.arena, { token: start.token });
  const tasks: Record<string, unknown> = start.tasks === undefined ? {} : await import(/* @vite-ignore */ start.tasks);
  const aborts = new Map<number, AbortController>();

  async function runTask(job: number, name: string, encodedArgs: unknown): Promise<void> {
    const adopted: Image[] = [];
    const controller = new AbortController();
    aborts.set(job, controller);
    try {
      const task = tasks[name];
      if (typeof task !== 'function') {
        throw Object.assign(new Error(`the tasks module has no function named '${name}'`), { code: 'INVALID_ARGUMENT', name: 'ArenaError' });
      }
      const args = decode(encodedArgs, arena, adopted);
      const value = await (task as TaskFunction)(args, { arena, signal: controller.signal });
      // The task hands the images of its result over: they travel as handles, and this
      // worker's own references (to them and to the arguments) go.
      const resultImages: Image[] = [];
      const result = encode(value, [], resultImages);
      releaseAll([...adopted, ...resultImages]);
      port.post({ type: 'done', job, result });
    } catch (error) {
      releaseAll(adopted);
      port.post({ type: 'failed', job, error: serializeError(error) });
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
      port.post({ type: 'failed', job: message.job, error: serializeError(error) });
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
