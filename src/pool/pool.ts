// The Pool: workers attached to one arena, to which images go as handles and from which
// results come back as handles; no pixel is copied between threads.
//
// Jobs wait in one FIFO queue and go to idle workers one at a time. A job is a user task
// (`run`) or one band of a kernel stage (`resize` and the other band-parallel kernels,
// which split every stage of their plan by output rows, or columns, across all workers).
// A worker that dies is replaced; what it held is reclaimed through its attachment id;
// only its own job fails. A job that runs out of arena memory waits until other jobs
// release some and runs again, until `memoryTimeout`.
//
// Nothing may wedge the pool: every way a job can end (its message cannot be sent, its
// worker dies, its result cannot be adopted, its signal fires, no worker is left) settles
// it, frees its worker and gives back every handle made for it. A job holds references of
// its own to its images, and shares them afresh for each attempt: the handles of an
// attempt are used up by the worker that adopts them.

import { coreOf, type Arena } from '../arena.js';
import { ArenaError, deserializeError, type ErrorCode } from '../errors.js';
import { Image, imageAddress, type ImageHandle } from '../image.js';
import { runtime, type WorkerLimits, type WorkerPort } from '../runtime/runtime.js';
import * as check from '../validate.js';
import { createPlanImages, INPUT, type Plan } from '../kernels/stages.js';
import { planResize, type ResizeOptions } from '../kernels/resize.js';
import { planConvert } from '../kernels/convert.js';
import { planReduce } from '../kernels/reduce.js';
import { planBoxBlur, planGaussianBlur } from '../kernels/blur.js';
import type { Mode } from '../layout.js';
import { checkImages, decode, encode, markersIn, unsendable } from './marshal.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** Options of {@link Pool.create}. */
export interface PoolOptions {
  /** The arena the workers attach to; it must be shared. */
  arena: Arena;
  /** Number of workers. Default: the number of cores (navigator.hardwareConcurrency / os.availableParallelism). */
  workers?: number;
  /** A module whose exported functions are the tasks of {@link Pool.run}: a path or URL. */
  tasks?: string | URL;
  /**
   * Jobs that may wait for a worker. A call that would have to wait while the queue already
   * holds this many is refused with LIMIT_EXCEEDED; a call that an idle worker takes at once
   * never waits, so `maxQueue: 0` runs jobs only on idle workers. A band-parallel kernel is
   * checked as one call. Default: no limit.
   */
  maxQueue?: number;
  /**
   * How long a job that hit ARENA_FULL keeps waiting for memory before it fails, in ms.
   * A request larger than the whole arena fails at once. Default 30000.
   */
  memoryTimeout?: number;
  /** How long a running job whose signal fired may take to stop before its worker is terminated, in ms. Default 1000. */
  abortGrace?: number;
  /**
   * JavaScript heap limits of each worker (Node only; other runtimes ignore them), each a
   * positive number of megabytes: a worker that exceeds them dies and is replaced.
   */
  resourceLimits?: WorkerLimits;
}

/** Options every pool method takes. */
export interface JobOptions {
  /** Aborts the call: before it starts, nothing is shared; while it runs, it rejects with ABORTED and releases what it took. */
  signal?: AbortSignal;
}

type JobMessage =
  | { readonly type: 'task'; readonly task: string; readonly args: unknown }
  | Omit<Extract<ToWorker, { type: 'band' }>, 'job'>;

interface Job {
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
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
  worker?: WorkerState;
  settled: boolean;
  /** Set while the job waits for memory: the time of its first ARENA_FULL. */
  fullSince?: number;
  /** The release count when it last failed for memory: it runs again once that moves. */
  fullAtReleases?: number;
}

type ResolvedOptions = Required<Omit<PoolOptions, 'arena' | 'tasks' | 'resourceLimits'>> & {
  tasks: string | undefined;
  resourceLimits: WorkerLimits | undefined;
};

interface WorkerState {
  readonly index: number;
  /** The token it attaches with (Arena.nextToken). */
  readonly token: number;
  readonly port: WorkerPort;
  ready: boolean;
  job?: Job;
  /** A job that was aborted while running here: the worker is terminated if it does not stop. */
  abandoned?: { job: Job; timer: ReturnType<typeof setTimeout> };
  closing: boolean;
  /** It exited (or was terminated): whatever it still says is ignored. */
  gone?: boolean;
}

const LIMIT_NAMES = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const;

function poolError(code: ErrorCode, message: string): ArenaError {
  return new ArenaError(code, message);
}

function abortError(what: string, signal: AbortSignal, before: boolean): ArenaError {
  const reason = signal.reason !== undefined ? `: ${String(signal.reason)}` : '';
  return poolError('ABORTED', before ? `${what}: the signal had fired already${reason}` : `${what}: the job's signal fired${reason}`);
}

/** The signal of a method's options, checked at the edge. */
function signalOf(options: unknown): AbortSignal | undefined {
  const o = check.options<JobOptions>('options', options);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw check.invalid('options.signal', 'AbortSignal', o.signal);
  return o.signal;
}

/** Worker heap limits: known names only, each a positive finite number of megabytes. */
function checkLimits(value: unknown): WorkerLimits | undefined {
  if (value === undefined) return undefined;
  const o = check.options<WorkerLimits>('options.resourceLimits', value);
  const limits: Record<string, number> = {};
  for (const [name, amount] of Object.entries(o)) {
    check.oneOf('a key of options.resourceLimits', name, LIMIT_NAMES);
    if (amount === undefined) continue;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
      throw check.invalid(`options.resourceLimits.${name}`, 'positive finite number (megabytes)', amount);
    }
    limits[name] = amount;
  }
  return limits;
}

/** Releases each Image once, going on past one that fails (a failure path never stops halfway). */
function releaseQuietly(images: Iterable<Image>): void {
  for (const image of new Set(images)) {
    try {
      if (!image.released) image.release();
    } catch {
      // The arena was closed in this thread: nothing left to release into.
    }
  }
}

/**
 * Workers over one arena.
 *
 * @example
 * const pool = await Pool.create({ arena, workers: 4, tasks: new URL('./tasks.js', import.meta.url) });
 * const thumbnail = await pool.resize(photo, 256, 171, { filter: 'lanczos' });
 * const stats = await pool.run('histogram', { image: photo });
 * await pool.close();
 */
export class Pool {
  readonly arena: Arena;
  readonly #options: ResolvedOptions;
  readonly #workers: Array<WorkerState | undefined>;
  readonly #queue: Job[] = [];
  #nextJob = 1;
  /** Jobs finished so far: each may have released memory that waiting jobs need. */
  #releases = 0;
  #memoryTimer: ReturnType<typeof setTimeout> | undefined;
  #closing = false;
  #closed: Promise<void> | undefined;
  /** Workers that died before they were ready, in a row: the pool stops replacing them. */
  #startFailures = 0;
  /** Exits being handled (a reclaim may wait for a terminated web worker to stop): close() waits for them. */
  readonly #exits = new Set<Promise<void>>();
  /** Dead workers whose replacement is still to be started (after their reclaim). */
  #replacing = 0;
  /** Why the last worker that was not replaced is gone: said to jobs that find no worker left. */
  #lost = '';

  private constructor(arena: Arena, options: ResolvedOptions) {
    this.arena = arena;
    this.#options = options;
    this.#workers = new Array(options.workers).fill(undefined);
  }

  /**
   * Starts the workers and waits until all have attached to the arena.
   * @throws {ArenaError} INVALID_ARGUMENT for a bad option; UNSUPPORTED where the runtime
   *   has no workers or the arena is not shared; WORKER_FAILED when a worker cannot start
   *   (for example, the tasks module does not load).
   */
  static async create(options: PoolOptions): Promise<Pool> {
    const o = check.options<PoolOptions>('options', options);
    if (o.arena === undefined || o.arena === null || typeof o.arena !== 'object' || typeof (o.arena as Arena).alloc !== 'function') {
      throw check.invalid('options.arena', 'Arena', o.arena);
    }
    const host = runtime();
    const workers = o.workers === undefined ? host.cores() : check.integer('options.workers', o.workers, 1, 256);
    const maxQueue = o.maxQueue === undefined ? Infinity : check.integer('options.maxQueue', o.maxQueue, 0, Number.MAX_SAFE_INTEGER);
    const memoryTimeout = o.memoryTimeout === undefined ? 30_000 : check.finite('options.memoryTimeout', o.memoryTimeout, 0);
    const abortGrace = o.abortGrace === undefined ? 1000 : check.finite('options.abortGrace', o.abortGrace, 0);
    if (o.tasks !== undefined && typeof o.tasks !== 'string' && !(o.tasks instanceof URL)) {
      throw check.invalid('options.tasks', 'string or URL', o.tasks);
    }
    const resourceLimits = checkLimits(o.resourceLimits);
    if (host.spawnPoolWorker === undefined) throw poolError('UNSUPPORTED', `Pool: this runtime (${host.name}) has no workers`);
    o.arena.shared; // throws UNSUPPORTED for an arena whose memory is not shared
    const pool = new Pool(o.arena, {
      workers, maxQueue, memoryTimeout, abortGrace, resourceLimits,
      tasks: o.tasks === undefined ? undefined : host.resolveTasks(o.tasks),
    });
    try {
      await Promise.all(Array.from({ length: workers }, (_, index) => pool.#spawn(index)));
    } catch (error) {
      await pool.#terminateAll();
      throw error;
    }
    return pool;
  }

  /** Workers alive now. */
  get size(): number {
    return this.#workers.filter((w) => w !== undefined).length;
  }

  // ── workers ───────────────────────────────────────────────────────────────────

  /**
   * Starts worker `index`; resolves when it is ready, rejects (WORKER_FAILED) if it dies
   * first. Throws at once when no worker can be started (the arena was closed in this thread).
   */
  #spawn(index: number): Promise<void> {
    const token = this.arena.nextToken();
    const port = runtime().spawnPoolWorker!({
      type: 'start', arena: this.arena.shared, tasks: this.#options.tasks, token,
    }, this.#options.resourceLimits);
    const state: WorkerState = { index, token, port, ready: false, closing: false };
    this.#workers[index] = state;
    return new Promise<void>((resolve, reject) => {
      port.onMessage((message) => {
        if (state.gone) return;
        if (message.type === 'ready') {
          state.ready = true;
          this.#startFailures = 0;
          resolve();
          this.#dispatch();
        } else {
          this.#onWorkerMessage(state, message);
        }
      });
      port.onExit((reason, stopped) => {
        const wasReady = state.ready;
        const exited = this.#onWorkerExit(state, reason, stopped);
        this.#exits.add(exited);
        void exited.finally(() => this.#exits.delete(exited));
        if (!wasReady) reject(poolError('WORKER_FAILED', `Pool: a worker died while starting: ${reason}`));
      });
    });
  }

  /** Never throws: whatever happened to the arena, the dead worker's job settles. */
  async #onWorkerExit(state: WorkerState, reason: string, stopped: boolean): Promise<void> {
    if (this.#workers[state.index] !== state) return;
    this.#workers[state.index] = undefined;
    state.gone = true;
    if (state.abandoned) clearTimeout(state.abandoned.timer);
    const startFailed = !state.ready && ++this.#startFailures >= 3;
    const replace = !state.closing && !this.#closing && !startFailed;
    if (replace) this.#replacing++;
    // Everything it held in the arena: references, scratch, its slot. Where a terminated
    // worker may still run for a moment, its later calls are refused at once and the
    // reclaim waits until it is outside the core.
    try {
      const id = this.arena.attachmentOfToken(state.token);
      if (id >= 0) {
        if (stopped) this.arena.reclaim(id);
        else await this.arena.reclaimWhenStopped(id);
      }
    } catch {
      // This thread closed the arena: there is nothing left to reclaim into.
    }
    for (const job of [state.job, state.abandoned?.job]) {
      if (!job) continue;
      this.#discardHandles(job);
      this.#settle(job, poolError('WORKER_FAILED', `${job.what}: the worker running this job died: ${reason}`));
    }
    state.job = undefined;
    state.abandoned = undefined;
    this.#releases++;
    if (startFailed) {
      // Workers cannot start (a broken tasks module): fail what waits instead of looping.
      this.#lost = `workers cannot start: ${reason}`;
      this.#failQueue(poolError('WORKER_FAILED', `Pool: workers cannot start: ${reason}`));
    }
    if (replace) this.#replacing--;
    if (replace && !this.#closing) {
      try {
        this.#spawn(state.index).catch(() => { /* its own exit is handled like any other */ });
      } catch (error) {
        this.#lost = `no worker can be started: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    this.#dispatch();
  }

  #onWorkerMessage(state: WorkerState, message: FromWorker): void {
    if (message.type !== 'done' && message.type !== 'failed') return;
    if (state.abandoned && state.abandoned.job.id === message.job) {
      // An aborted job stopped by itself: drop what it returned.
      const job = state.abandoned.job;
      clearTimeout(state.abandoned.timer);
      state.abandoned = undefined;
      if (message.type === 'done') this.#dropResult(message.result);
      else this.#discardHandles(job);
    }
    const job = state.job;
    if (job && job.id === message.job) {
      state.job = undefined;
      job.worker = undefined;
      this.#releases++;
      if (message.type === 'done') {
        job.handles = [];
        this.#settle(job, undefined, message.result);
      } else {
        // A worker that failed before adopting every handle leaves the rest with us.
        this.#discardHandles(job);
        const error = deserializeError(message.error);
        const waits = (error as ArenaError).code === 'ARENA_FULL' && !message.neverFits && this.#waitForMemory(job);
        if (!waits) this.#settle(job, error);
      }
    }
    this.#dispatch();
  }

  /** Adopts and releases the images of a result nobody wants any more. */
  #dropResult(result: unknown): void {
    for (const handle of markersIn(result)) {
      try { this.arena.adopt(handle).release(); } catch { /* adopted already, or reclaimed meanwhile */ }
    }
  }

  /** Discards the job's handles that no worker adopted; the adopted ones are refused harmlessly. */
  #discardHandles(job: Job): void {
    for (const handle of job.handles.splice(0)) {
      try { this.arena.discard(handle); } catch { /* adopted by the worker: reclaimed with it */ }
    }
  }

  // ── the queue ─────────────────────────────────────────────────────────────────

  #enqueue(what: string, prepare: Job['prepare'], signal: AbortSignal | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError(what, signal, true));
        return;
      }
      const job: Job = {
        id: this.#nextJob++, what, prepare, handles: [], resolve, reject, signal, settled: false,
        onAbort: () => this.#abort(job),
      };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  #settle(job: Job, error: Error | undefined, result?: unknown): void {
    if (job.settled) return;
    job.settled = true;
    job.signal?.removeEventListener('abort', job.onAbort);
    if (error) job.reject(error);
    else job.resolve(result);
  }

  /** Settles every job in the queue with `error`. */
  #failQueue(error: ArenaError): void {
    for (const job of this.#queue.splice(0)) this.#settle(job, error);
  }

  /** Puts a job that ran out of memory back in the queue; false when it waited too long. */
  #waitForMemory(job: Job): boolean {
    const now = Date.now();
    job.fullSince ??= now;
    if (now - job.fullSince > this.#options.memoryTimeout) return false;
    job.fullAtReleases = this.#releases;
    this.#queue.unshift(job);
    return true;
  }

  /** Can a job run now? One waiting for memory runs once some other job has finished. */
  #eligible(job: Job): boolean {
    return job.fullAtReleases === undefined || job.fullAtReleases < this.#releases;
  }

  #idle(state: WorkerState): boolean {
    return state.ready && !state.job && !state.abandoned && !state.closing && !state.gone;
  }

  #dispatch(): void {
    for (const state of this.#workers) {
      while (state !== undefined && this.#idle(state) && this.#queue.length > 0) {
        const index = this.#queue.findIndex((job) => this.#eligible(job));
        if (index < 0) break;
        this.#start(state, this.#queue.splice(index, 1)[0]!);
      }
    }
    if (this.#queue.length > 0 && this.#replacing === 0 && this.#workers.every((state) => state === undefined)) {
      this.#failQueue(poolError('WORKER_FAILED', `Pool: no worker is left to run the job${this.#lost ? ` (${this.#lost})` : ''}`));
    }
    this.#scheduleMemoryRetry();
  }

  /** Sends a job to an idle worker; a job that cannot be sent settles at once and leaves the worker idle. */
  #start(state: WorkerState, job: Job): void {
    let message: JobMessage;
    try {
      message = job.prepare(job.handles);
    } catch (error) {
      this.#discardHandles(job);
      this.#settle(job, error as Error);
      return;
    }
    job.fullAtReleases = undefined;
    try {
      state.port.post({ ...message, job: job.id } as ToWorker);
    } catch (error) {
      // Nothing reached the worker (postMessage clones first): a value in the message
      // that cannot be cloned.
      this.#discardHandles(job);
      this.#settle(job, unsendable(error, message.type === 'task' ? 'args' : 'the job', job.what));
      return;
    }
    job.worker = state;
    state.job = job;
  }

  /**
   * When every job left waits for memory and nothing runs that could release any, look
   * again after a moment: memory released by the caller's own code counts too.
   */
  #scheduleMemoryRetry(): void {
    if (this.#memoryTimer !== undefined || this.#queue.length === 0) return;
    if (this.#queue.some((job) => this.#eligible(job))) return;
    this.#memoryTimer = setTimeout(() => {
      this.#memoryTimer = undefined;
      this.#releases++;
      const now = Date.now();
      for (const job of this.#queue.slice()) {
        if (job.fullSince !== undefined && now - job.fullSince > this.#options.memoryTimeout) {
          this.#queue.splice(this.#queue.indexOf(job), 1);
          this.#settle(job, poolError('ARENA_FULL', `${job.what}: the job found no arena memory for ${this.#options.memoryTimeout} ms`));
        }
      }
      this.#dispatch();
    }, 20);
  }

  #abort(job: Job): void {
    if (job.settled) return;
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
    } else if (job.worker && job.worker.job === job) {
      // Running: its own signal fires in the worker; if it does not stop in time, the
      // worker is terminated and what it held is reclaimed.
      const state = job.worker;
      state.job = undefined;
      state.port.post({ type: 'abort', job: job.id });
      state.abandoned = {
        job,
        timer: setTimeout(() => { void state.port.terminate(); }, this.#options.abortGrace),
      };
    }
    this.#settle(job, abortError(job.what, job.signal!, false));
  }

  /** A call is refused on a closed pool, or when its arena was closed in this thread. */
  #checkOpen(what: string): void {
    if (this.#closing) throw poolError('INVALID_HANDLE', `${what}: the pool is closed`);
    try {
      coreOf(this.arena);
    } catch {
      throw poolError('INVALID_HANDLE', `${what}: the pool's arena was closed in this thread`);
    }
  }

  /** A call that would wait while the queue is full is refused (see PoolOptions.maxQueue). */
  #checkQueue(what: string): void {
    if (this.#queue.length < this.#options.maxQueue) return;
    if (this.#workers.some((state) => state !== undefined && this.#idle(state))) return;
    throw poolError('LIMIT_EXCEEDED', `${what}: the queue already holds ${this.#queue.length} jobs (options.maxQueue)`);
  }

  // ── user tasks ────────────────────────────────────────────────────────────────

  /**
   * Runs task `task` of the tasks module in a worker, as `fn(args, { arena, signal })`
   * (sync or async). Images anywhere in `args` reach the task as Images (its references to
   * them go when it settles); Images in the result come back as Images the caller owns.
   * The caller may release its own Images once `run` has returned its promise.
   * @throws {ArenaError} (rejects) INVALID_ARGUMENT for a bad task name or option, an Image
   *   of another arena in `args` (the message names where), a cycle, or a value that
   *   cannot be cloned; INVALID_HANDLE for a released Image in `args`, or a closed pool;
   *   ABORTED when `signal` fires (at once if it had fired already, and then nothing is
   *   shared); WORKER_FAILED when the worker dies; LIMIT_EXCEEDED when the queue is full;
   *   ARENA_FULL after waiting memoryTimeout for memory, or at once for a request larger
   *   than the arena; the task's own errors, rebuilt.
   * @example const { width } = await pool.run('measure', { image }, { signal: AbortSignal.timeout(5000) });
   */
  async run<T = unknown>(task: string, args?: unknown, options?: JobOptions): Promise<T> {
    if (typeof task !== 'string' || task === '') throw check.invalid('task', 'name of a function of the tasks module', task);
    const what = `run('${task}')`;
    this.#checkOpen(what);
    const signal = signalOf(options);
    this.#checkQueue(what);
    const images = checkImages(args, this.arena, 'args', what);
    if (signal?.aborted) throw abortError(what, signal, true);
    const held: Image[] = [];
    try {
      const template = images.length === 0 ? args : this.#hold(args, held);
      const result = await this.#enqueue(what, (handles) => ({
        type: 'task', task, args: images.length === 0 ? args : encode(template, handles),
      }), signal);
      return this.#adoptResult(result) as T;
    } finally {
      releaseQuietly(held);
    }
  }

  /**
   * A copy of `value` whose Images are references this pool holds for the job (collected
   * in `held`), so that the caller may release theirs and every attempt can share them.
   */
  #hold(value: unknown, held: Image[]): unknown {
    const handles: ImageHandle[] = [];
    try {
      return decode(encode(value, handles), this.arena, held);
    } catch (error) {
      // decode adopts in the order encode shared: the rest were never adopted.
      for (const handle of handles.slice(held.length)) {
        try { this.arena.discard(handle); } catch { /* nothing to take back */ }
      }
      throw error;
    }
  }

  /** Adopts the Images of a result; if one cannot be, none is kept. */
  #adoptResult(result: unknown): unknown {
    const adopted: Image[] = [];
    try {
      return decode(result, this.arena, adopted);
    } catch (error) {
      releaseQuietly(adopted);
      this.#dropResult(result);
      throw error;
    }
  }

  // ── band-parallel kernels ─────────────────────────────────────────────────────

  /**
   * Runs a plan with every step split into bands across the workers. Arguments are
   * checked at the edge, in order: the pool, the image, the options, the kernel's own
   * (by `makePlan`), the queue, then the signal.
   */
  async #runPlan(what: string, image: Image, options: unknown, makePlan: () => Plan): Promise<Image> {
    this.#checkOpen(`${what}()`);
    this.#checkImage(image, what);
    const signal = signalOf(options);
    const plan = makePlan();
    this.#checkQueue(`${what}()`);
    if (signal?.aborted) throw abortError(`${what}()`, signal, true);
    // Our own reference to the input: the caller may release theirs while the bands run.
    const input = this.#hold(image, []) as Image;
    let images: Image[] = [];
    try {
      images = createPlanImages(input, plan);
      const imageOf = (index: number) => (index === INPUT ? input : images[index]!);
      for (const step of plan.steps) {
        const bands = Math.min(this.#workers.length, step.extent);
        const jobs: Promise<unknown>[] = [];
        for (let b = 0; b < bands; b++) {
          const start = Math.floor((step.extent * b) / bands);
          const end = Math.floor((step.extent * (b + 1)) / bands);
          if (start === end) continue;
          jobs.push(this.#enqueue(`${what}()`, (handles) => {
            const source = imageOf(step.source).share();
            handles.push(source);
            const target = imageOf(step.target).share();
            handles.push(target);
            return { type: 'band', stage: step.stage, source, target, start, end };
          }, signal));
        }
        const settled = await Promise.allSettled(jobs);
        const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) throw failed.reason;
      }
    } catch (error) {
      releaseQuietly(images);
      throw error;
    } finally {
      releaseQuietly([input]);
    }
    releaseQuietly(images.slice(1));
    return images[0]!;
  }

  /**
   * `image.resize(width, height, options)` split across the workers by output rows: the
   * same bytes, each worker computing its own band in place in the shared output.
   * @throws {ArenaError} (rejects) as Image.resize; INVALID_ARGUMENT for an image of another
   *   arena or a bad signal; LIMIT_EXCEEDED when the queue is full; WORKER_FAILED; ABORTED.
   * @example const small = await pool.resize(photo, 1000, 750, { filter: 'lanczos' });
   */
  async resize(image: Image, width: number, height: number, options?: ResizeOptions & JobOptions): Promise<Image> {
    return this.#runPlan('resize', image, options, () => planResize(image, width, height, options));
  }

  /**
   * `image.convert(mode)` split across the workers by rows.
   * @throws {ArenaError} (rejects) as Image.convert, and as {@link Pool.resize}.
   * @example const grey = await pool.convert(photo, 'L');
   */
  async convert(image: Image, mode: Mode, options?: JobOptions): Promise<Image> {
    return this.#runPlan('convert', image, options, () => planConvert(image, mode));
  }

  /**
   * `image.reduce(factor, box)` split across the workers by output rows.
   * @throws {ArenaError} (rejects) as Image.reduce, and as {@link Pool.resize}.
   * @example const quarter = await pool.reduce(photo, 4);
   */
  async reduce(image: Image, factor: number | [number, number], box?: [number, number, number, number], options?: JobOptions): Promise<Image> {
    return this.#runPlan('reduce', image, options, () => planReduce(image, factor, box));
  }

  /**
   * `image.boxBlur(radius)` split across the workers: rows, then columns.
   * @throws {ArenaError} (rejects) as Image.boxBlur, and as {@link Pool.resize}.
   * @example const soft = await pool.boxBlur(photo, 3);
   */
  async boxBlur(image: Image, radius: number, options?: JobOptions): Promise<Image> {
    return this.#runPlan('boxBlur', image, options, () => planBoxBlur(image, radius));
  }

  /**
   * `image.gaussianBlur(radius)` split across the workers: rows, then columns.
   * @throws {ArenaError} (rejects) as Image.gaussianBlur, and as {@link Pool.resize}.
   * @example const background = await pool.gaussianBlur(photo, 10);
   */
  async gaussianBlur(image: Image, radius = 2, options?: JobOptions): Promise<Image> {
    return this.#runPlan('gaussianBlur', image, options, () => planGaussianBlur(image, radius));
  }

  #checkImage(image: Image, what: string): void {
    if (!(image instanceof Image)) throw check.invalid('image', 'Image', image);
    if (image.arena !== this.arena) {
      throw poolError('INVALID_ARGUMENT', `${what}(): Expected an Image of the pool's arena for image but received an Image of another arena`);
    }
    imageAddress(image, what);
  }

  // ── closing ───────────────────────────────────────────────────────────────────

  /**
   * Lets queued and running jobs finish, then ends the workers (they detach from the
   * arena). Settles in any order with `arena.close()`: jobs that no worker is left to run fail.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    while (this.#queue.length > 0 || this.#workers.some((w) => w?.job)) {
      this.#dispatch();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(this.#workers.map(async (state) => {
      if (!state) return;
      state.closing = true;
      const gone = new Promise<void>((resolve) => state.port.onExit(() => resolve()));
      if (state.abandoned) await state.port.terminate();
      else state.port.post({ type: 'close' });
      // The timer is cleared: a pending one would keep the process alive for its full time.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([gone, new Promise((resolve) => { timer = setTimeout(resolve, 2000); })]);
      clearTimeout(timer);
      await state.port.terminate();
    }));
    // Workers terminated earlier (aborts, deaths) are reclaimed before close() settles.
    await Promise.all([...this.#exits]);
  }

  async #terminateAll(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#workers.map((state) => state?.port.terminate()));
  }
}
