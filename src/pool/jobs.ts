// A job: one message for one worker (a user task, one band of a kernel stage, a decode or
// an encode), its promise, and the handles made for its current attempt. Every way a job
// ends goes through `settle`, and every handle a worker did not adopt is discarded, so
// nothing made for a job outlives it.

import type { Arena } from '../arena.js';
import type { Image, ImageHandle } from '../image.js';
import type { ToWorker } from './protocol.js';
import type { WorkerState } from './supervisor.js';
import { decode, encode, markersIn } from './marshal.js';

/** What a job sends: a ToWorker message without its job number. */
export type JobMessage = ToWorker extends infer M ? M extends { readonly job: number } ? Omit<M, 'job'> : never : never;

export interface Job {
  readonly id: number;
  /** The call, for messages: `run('thumbnail')`, `resize()`. */
  readonly what: string;
  /**
   * Makes the message of one attempt, sharing the job's images afresh into `handles` (a
   * worker that adopts handles uses them up, so a job run again needs new ones).
   */
  readonly prepare: (handles: ImageHandle[]) => JobMessage;
  /** Handles of the current attempt that its worker may not have adopted: discarded when it ends otherwise. */
  handles: ImageHandle[];
  /**
   * Turns the worker's answer into the call's value, synchronously as the answer arrives
   * (adopting the Images of a result before anything else can happen to them). Default:
   * the answer as is.
   */
  readonly receive?: (result: unknown) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly signal: AbortSignal | undefined;
  /** Called once when the job settles (the scheduler stops watching its signal). */
  onSettle?: () => void;
  worker?: WorkerState;
  settled: boolean;
  /** Set while the job waits for memory: the time of its first ARENA_FULL. */
  fullSince?: number;
  /** The release count when it last failed for memory: it runs again once that moves. */
  fullAtReleases?: number;
  /**
   * The bytes of the request its last attempt could not place, when its worker knew them:
   * it runs again only once the arena has as many bytes free, SHORTFALL_RETRY_MS after it
   * failed, or alone, while no job runs.
   */
  shortfall?: number;
  /** When it last failed for memory (Date.now()). */
  fullAt?: number;
  /** The release count when it was last sent to a worker. */
  startedAtReleases?: number;
  /** The pool's count of job starts at its last start (MemoryWaits). */
  startIndex?: number;
  /** No other job was running when it last started. */
  startedAlone?: boolean;
  /** Its last attempt ran alone (no other job ran at any time during it) and failed for memory. */
  failedAlone?: boolean;
  /** It has run once more on emptied caches, instead of failing for want of memory while no job ran. */
  retriedOnClearedCache?: boolean;
}

/** Resolves or rejects a job once; later calls do nothing. */
export function settle(job: Job, error: Error | undefined, result?: unknown): void {
  if (job.settled) return;
  job.settled = true;
  job.onSettle?.();
  if (error) job.reject(error);
  else job.resolve(result);
}

/** Discards the job's handles that no worker adopted; the adopted ones are refused harmlessly. */
export function discardHandles(arena: Arena, job: Job): void {
  for (const handle of job.handles.splice(0)) {
    try { arena.discard(handle); } catch { /* adopted by the worker: reclaimed with it */ }
  }
}

/** Adopts and releases the images of a result nobody wants any more. */
export function dropResult(arena: Arena, result: unknown): void {
  for (const handle of markersIn(result)) {
    try { arena.adopt(handle).release(); } catch { /* adopted already, or reclaimed meanwhile */ }
  }
}

/** Releases each Image once, going on past one that fails (a failure path never stops halfway). */
export function releaseQuietly(images: Iterable<Image>): void {
  for (const image of new Set(images)) {
    try {
      if (!image.released) image.release();
    } catch {
      // The arena was closed in this thread: nothing left to release into.
    }
  }
}

/**
 * A copy of `value` whose Images are references the pool holds for a job (collected in
 * `held`), so that the caller may release theirs and every attempt can share them.
 */
export function hold(arena: Arena, value: unknown, held: Image[]): unknown {
  const handles: ImageHandle[] = [];
  const before = held.length;
  try {
    return decode(encode(value, handles), arena, held);
  } catch (error) {
    // decode adopts in the order encode shared: the rest were never adopted.
    for (const handle of handles.slice(held.length - before)) {
      try { arena.discard(handle); } catch { /* nothing to take back */ }
    }
    throw error;
  }
}

/** Adopts the Images of a result; if one cannot be, none is kept. */
export function adoptResult(arena: Arena, result: unknown): unknown {
  const adopted: Image[] = [];
  try {
    return decode(result, arena, adopted);
  } catch (error) {
    releaseQuietly(adopted);
    dropResult(arena, result);
    throw error;
  }
}
