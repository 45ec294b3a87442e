// The worker side of a pool: attach to the pool's arena, load the tasks module, and run
// what the pool sends, one job at a time. Runtime differences (how messages arrive) stay
// in the two entries, src/entry/pool-worker-node.ts and pool-worker-web.ts.
//
// Every job ends with exactly one 'done' or 'failed' message, and with every reference
// the job took here released: its adopted arguments, and the images of its result once
// they are on their way (or at once, if the result cannot be sent).

import { Arena } from '../arena.js';
import { canNeverFit, invalid, serializeError } from '../errors.js';
import { wrapImage, type Image, type ImageHandle } from '../image.js';
import { coreOf, imageAddress, rowAddress } from '../state.js';
import { decodeAt, encodeWith } from '../codecs/codecs.js';
import { runBand, tablesAddress } from '../kernels/executor.js';
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
  /** Throws when the message cannot be cloned (DataCloneError). `transfer`: buffers moved, not copied. */
  post(message: FromWorker, transfer?: Transferable[]): void;
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

  /**
   * Before a job's answer: this thread's active slabs go (an empty one back to the heap),
   * so that a job the pool runs next on the memory this one freed finds it in one piece.
   * Returns the bytes of the job's last request that found no memory (0: none), which the
   * pool waits for before it runs a job that ran out of memory again.
   */
  function endJob(): number {
    try {
      const exports = coreOf(arena).exports;
      exports.slabsRelease();
      return exports.shortfallTake() >>> 0;
    } catch {
      // The arena was closed in this thread, or reclaimed: it holds nothing.
      return 0;
    }
  }

  function fail(job: number, error: unknown): void {
    const shortfall = endJob() || undefined;
    const neverFits = canNeverFit(error);
    try {
      port.post({ type: 'failed', job, error: serializeError(error), neverFits, shortfall });
    } catch {
      // An error whose fields cannot be cloned (a thrown object with a strange name): its text.
      port.post({ type: 'failed', job, error: { name: 'Error', message: String(error) }, neverFits, shortfall });
    }
  }

  /**
   * Runs a task and sends its result. The images of the result are handed over: they
   * travel as handles, and this worker's references to them (and to the arguments) go
   * before the caller hears of the result. If the result cannot be sent, its handles are
   * taken back, which frees what nobody else holds, and the job fails instead.
   */
  async function runTask(job: number, name: string, encodedArgs: unknown): Promise<void> {
    const what = `run('${name}')`;
    const adopted: Image[] = [];
    const handedOver: Image[] = [];
    const shared: ImageHandle[] = [];
    const controller = new AbortController();
    aborts.set(job, controller);
    try {
      const task = Object.hasOwn(tasks, name) ? tasks[name] : undefined;
      if (typeof task !== 'function') {
        throw invalid('task', 'the name of a function the tasks module exports', name, what);
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
      announceLeaving();
      endJob();
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
      announceLeaving();
      fail(job, error);
    } finally {
      aborts.delete(job);
      if (leaving) port.close();
    }
  }

  /**
   * A task that closed this worker's attachment leaves a worker that can do nothing more:
   * it says so before its answer (so that the pool sends it no other job), and ends after
   * it; the pool starts another.
   */
  let leaving = false;
  function announceLeaving(): void {
    if (leaving || arenaOpen()) return;
    leaving = true;
    port.post({ type: 'exiting', reason: 'the task closed the worker\'s arena' });
  }

  function arenaOpen(): boolean {
    try {
      coreOf(arena);
      return true;
    } catch {
      return false;
    }
  }


  /** Decodes the bytes the pool put in an image of one row; hands the result over as a handle. */
  function runDecodeJob(message: Extract<ToWorker, { type: 'decode' }>): void {
    const adopted: Image[] = [];
    try {
      const input = arena.adopt(message.input);
      adopted.push(input);
      const core = coreOf(arena);
      const start = rowAddress(core, imageAddress(input, 'decode()'), 0);
      const image = decodeAt(arena, start, message.length, message.request, (reference) => wrapImage(arena, reference));
      let handle: ImageHandle;
      try {
        handle = image.share();
      } finally {
        image.release();
      }
      releaseAll(adopted);
      endJob();
      port.post({ type: 'done', job: message.job, result: { $pixelArenaImage: handle } });
    } catch (error) {
      releaseAll(adopted);
      fail(message.job, error);
    }
  }

  /** Encodes an image; the bytes go back with their buffer transferred, not copied. */
  function runEncodeJob(message: Extract<ToWorker, { type: 'encode' }>): void {
    let image: Image | undefined;
    try {
      image = arena.adopt(message.image);
      const bytes = encodeWith(image, message.request);
      releaseAll([image]);
      endJob();
      port.post({ type: 'done', job: message.job, result: bytes }, [bytes.buffer]);
    } catch (error) {
      if (image) releaseAll([image]);
      fail(message.job, error);
    }
  }

  function runBandJob(message: Extract<ToWorker, { type: 'band' }>): void {
    const adopted: Image[] = [];
    try {
      for (const handle of message.images) adopted.push(arena.adopt(handle));
      const data = message.data === undefined ? undefined : arena.adopt(message.data);
      if (data) adopted.push(data);
      const core = coreOf(arena);
      const what = `${message.what}()`;
      const [target, ...sources] = message.images.map((_, i) => imageAddress(adopted[i]!, what));
      runBand(core, message.stage, target!, sources, data ? tablesAddress(core, imageAddress(data, what)) : 0,
        message.start, message.end, message.what);
      releaseAll(adopted);
      endJob();
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
      case 'decode': runDecodeJob(message); break;
      case 'encode': runEncodeJob(message); break;
      case 'abort': aborts.get(message.job)?.abort(); break;
      case 'discard':
        for (const handle of message.handles) {
          try { arena.discard(handle); } catch { /* adopted after all, or reclaimed */ }
        }
        break;
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
