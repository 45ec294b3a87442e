// The wire protocol between a pool and its workers: every message either way is one of
// these types. Images never travel: they cross as ImageHandles, each carrying one
// reference; errors cross as { name, code, message, stack } and are rebuilt as ArenaErrors.

import type { SharedArena } from '../arena.js';
import type { SerializedError } from '../errors.js';
import type { ImageHandle } from '../image.js';
import type { BoundStage } from '../kernels/plan.js';
import type { DecodeRequest, EncodeRequest } from '../codecs/codecs.js';

/** What a worker gets when it starts (Node workerData, or the first message of a web worker). */
export interface WorkerStart {
  readonly type: 'start';
  readonly arena: SharedArena;
  /** The module of user tasks, as a URL string; undefined when the pool has none. */
  readonly tasks: string | undefined;
  /** The token the worker attaches with: the pool finds its slot by it, even if the worker dies before it can say its id. */
  readonly token: number;
}

/**
 * What a worker started ahead of its pool gets (Node workerData; see Pool.prestart): it
 * loads the tasks module, then waits for its WorkerStart as its first message.
 */
export interface WorkerPrestart {
  readonly type: 'prestart';
  readonly tasks: string | undefined;
}

/** An Image inside task arguments or results, replaced by its handle on the wire. */
export interface ImageMarker {
  readonly $pixelArenaImage: ImageHandle;
}

export type ToWorker =
  | WorkerStart
  /** Run a user task; images in `args` are markers. */
  | { readonly type: 'task'; readonly job: number; readonly task: string; readonly args: unknown }
  /**
   * Run one band of a kernel stage: rows (or columns) [start, end) of `images[0]` from
   * `images[1..]`, reading the plan's tables from `data`.
   */
  | {
    readonly type: 'band'; readonly job: number; readonly what: string; readonly stage: BoundStage; readonly images: readonly ImageHandle[];
    readonly data: ImageHandle | undefined; readonly start: number; readonly end: number;
  }
  /** Decode `length` compressed bytes held in the first row of `input` (an L image); the result is the image's marker. */
  | { readonly type: 'decode'; readonly job: number; readonly input: ImageHandle; readonly length: number; readonly request: DecodeRequest }
  /** Encode `image`; the result is the file's bytes (their buffer transferred). */
  | { readonly type: 'encode'; readonly job: number; readonly image: ImageHandle; readonly request: EncodeRequest }
  /** Handles this worker shared in a result that the pool could not adopt (its arena was closed there): take them back. */
  | { readonly type: 'discard'; readonly handles: readonly ImageHandle[] }
  /** The job's AbortSignal fired: the task's own signal fires in the worker. */
  | { readonly type: 'abort'; readonly job: number }
  /** Detach from the arena and end. */
  | { readonly type: 'close' };

export type FromWorker =
  /** Attached and ready for jobs. */
  | { readonly type: 'ready'; readonly attachmentId: number }
  /** A job settled: images in `result` are markers whose references the receiver adopts. */
  | { readonly type: 'done'; readonly job: number; readonly result: unknown }
  /**
   * A job failed; `neverFits`: an ARENA_FULL for a request larger than the whole arena (no
   * use waiting); `shortfall`: the bytes of its last request that found no memory.
   */
  | { readonly type: 'failed'; readonly job: number; readonly error: SerializedError; readonly neverFits?: boolean; readonly shortfall?: number }
  /** Detached; the worker ends now. */
  | { readonly type: 'closed' }
  /** The worker is ending by itself (its task closed its arena, or called an exit): send it nothing more. */
  | { readonly type: 'exiting'; readonly reason: string };
