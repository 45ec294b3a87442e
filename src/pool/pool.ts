// The Pool: workers attached to one arena, to which images go as handles and from which
// results come back as handles; no pixel is copied between threads.
//
// Jobs wait in one FIFO queue and go to idle workers one at a time. A job is a user task
// (`run`) or one band of a kernel stage (`resize` and the other band-parallel kernels,
// which split every stage of their plan by output rows, or columns, across all workers).
// A worker that dies is replaced; what it held is reclaimed through its attachment id;
// only its own job fails. A job that runs out of arena memory waits until other jobs
// release some and runs again, until `memoryTimeout`.

import type { Arena } from '../arena.js';
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
import { decode, encode, markersIn } from './marshal.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** Options of {@link Pool.create}. */
export interface PoolOptions {
  /** The arena the workers attach to; it must be shared. */
  arena: Arena;
  /** Number of workers. Default: the number of cores (navigator.hardwareConcurrency / os.availableParallelism). */
  workers?: number;
  /** A module whose exported functions are the tasks of {@link Pool.run}: a path or URL. */
  tasks?: string | URL;
  /** Jobs that may wait in the queue; beyond it `run` rejects with LIMIT_EXCEEDED. Default: no limit. */
  maxQueue?: number;
  /** How long a job that hit ARENA_FULL keeps waiting for memory before it fails, in ms. Default 30000. */
  memoryTimeout?: number;
  /** How long a running job whose signal fired may take to stop before its worker is terminated, in ms. Default 1000. */
  abortGrace?: number;
  /** JavaScript heap limits of each worker (Node only): a worker that exceeds them dies and is replaced. */
  resourceLimits?: WorkerLimits;
}

type JobMessage =
  | { readonly type: 'task'; readonly task: string; readonly args: unknown }
  | Omit<Extract<ToWorker, { type: 'band' }>, 'job'>;

interface Job {
  readonly id: number;
  readonly message: JobMessage;
  /** Handles this thread shared for the job: discarded if no worker ever adopts them. */
  readonly handles: ImageHandle[];
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
  abandoned?: { job: number; timer: ReturnType<typeof setTimeout> };
  closing: boolean;
  /** It exited (or was terminated): whatever it still says is ignored. */
  gone?: boolean;
}

function poolError(code: ErrorCode, message: string): ArenaError {
  return new ArenaError(code, message);
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
    if (host.spawnPoolWorker === undefined) throw poolError('UNSUPPORTED', `Pool: this runtime (${host.name}) has no workers`);
    o.arena.shared; // throws UNSUPPORTED for an arena whose memory is not shared
    const resourceLimits = check.options<WorkerLimits>('options.resourceLimits', o.resourceLimits);
    const pool = new Pool(o.arena, {
      workers, maxQueue, memoryTimeout, abortGrace, tasks: o.tasks === undefined ? undefined : host.resolveTasks(o.tasks),
      resourceLimits: o.resourceLimits === undefined ? undefined : resourceLimits,
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

  /** Starts worker `index`; resolves when it is ready, rejects (WORKER_FAILED) if it dies first. */
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

  async #onWorkerExit(state: WorkerState, reason: string, stopped: boolean): Promise<void> {
    if (this.#workers[state.index] !== state) return;
    this.#workers[state.index] = undefined;
    if (state.abandoned) clearTimeout(state.abandoned.timer);
    // Everything it held in the arena: references, scratch, its slot. Where a terminated
    // worker may still run for a moment, its later calls are refused at once and the
    // reclaim waits until it is outside the core.
    state.gone = true;
    try {
      const id = this.arena.attachmentOfToken(state.token);
      if (id >= 0) {
        if (stopped) this.arena.reclaim(id);
        else await this.arena.reclaimWhenStopped(id);
      }
    } catch {
      // This thread closed the arena: there is nothing left to reclaim into.
    }
    const job = state.job;
    state.job = undefined;
    if (job) {
      this.#discardHandles(job);
      this.#settle(job, poolError('WORKER_FAILED', `the worker running this job died: ${reason}`));
    }
    this.#releases++;
    if (state.closing || this.#closing) return;
    if (!state.ready && ++this.#startFailures >= 3) {
      // Workers cannot start (a broken tasks module): fail what waits instead of looping.
      for (const waiting of this.#queue.splice(0)) {
        this.#discardHandles(waiting);
        this.#settle(waiting, poolError('WORKER_FAILED', `Pool: workers cannot start: ${reason}`));
      }
      return;
    }
    this.#spawn(state.index).catch(() => {});
  }

  #onWorkerMessage(state: WorkerState, message: FromWorker): void {
    if (message.type !== 'done' && message.type !== 'failed') return;
    const job = state.job;
    if (state.abandoned && state.abandoned.job === message.job) {
      // An aborted job stopped by itself: drop what it returned.
      clearTimeout(state.abandoned.timer);
      state.abandoned = undefined;
      if (message.type === 'done') this.#dropResult(message.result);
    }
    if (job && job.id === message.job) {
      state.job = undefined;
      this.#releases++;
      if (message.type === 'done') {
        this.#settle(job, undefined, message.result);
      } else {
        const error = deserializeError(message.error);
        if ((error as ArenaError).code === 'ARENA_FULL' && this.#waitForMemory(job)) {
          // requeued
        } else {
          this.#settle(job, error);
        }
      }
    }
    this.#dispatch();
  }

  /** Adopts and releases the images of a result nobody wants any more. */
  #dropResult(result: unknown): void {
    for (const handle of markersIn(result)) {
      try { this.arena.adopt(handle).release(); } catch { /* reclaimed meanwhile */ }
    }
  }

  #discardHandles(job: Job): void {
    for (const handle of job.handles.splice(0)) {
      try { this.arena.discard(handle); } catch { /* adopted by the worker: reclaimed with it */ }
    }
  }

  // ── the queue ─────────────────────────────────────────────────────────────────

  #enqueue(message: JobMessage, handles: ImageHandle[], signal: AbortSignal | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const job: Job = {
        id: this.#nextJob++, message, handles, resolve, reject, signal, settled: false,
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

  /** Puts a job that ran out of memory back in the queue; false when it waited too long. */
  #waitForMemory(job: Job): boolean {
    const now = Date.now();
    job.fullSince ??= now;
    if (now - job.fullSince > this.#options.memoryTimeout) return false;
    job.fullAtReleases = this.#releases;
    job.worker = undefined;
    this.#queue.unshift(job);
    return true;
  }

  /** Can a job run now? One waiting for memory runs once some other job has finished. */
  #eligible(job: Job): boolean {
    return job.fullAtReleases === undefined || job.fullAtReleases < this.#releases;
  }

  #dispatch(): void {
    if (this.#queue.length === 0) return;
    for (const state of this.#workers) {
      if (!state || !state.ready || state.job || state.abandoned || state.closing) continue;
      const index = this.#queue.findIndex((job) => this.#eligible(job));
      if (index < 0) break;
      const [job] = this.#queue.splice(index, 1);
      job!.worker = state;
      job!.fullAtReleases = undefined;
      state.job = job;
      state.port.post({ ...job!.message, job: job!.id } as ToWorker);
    }
    this.#scheduleMemoryRetry();
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
          this.#discardHandles(job);
          this.#settle(job, poolError('ARENA_FULL', `the job found no arena memory for ${this.#options.memoryTimeout} ms`));
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
      this.#discardHandles(job);
    } else if (job.worker && job.worker.job === job) {
      // Running: its own signal fires in the worker; if it does not stop in time, the
      // worker is terminated and what it held is reclaimed.
      const state = job.worker;
      state.job = undefined;
      state.port.post({ type: 'abort', job: job.id });
      state.abandoned = {
        job: job.id,
        timer: setTimeout(() => { void state.port.terminate(); }, this.#options.abortGrace),
      };
    }
    this.#settle(job, poolError('ABORTED', `the job's signal fired${job.signal?.reason !== undefined ? `: ${String(job.signal.reason)}` : ''}`));
  }

  #checkOpen(what: string): void {
    if (this.#closing) throw poolError('INVALID_HANDLE', `${what}: the pool is closed`);
  }

  // ── user tasks ────────────────────────────────────────────────────────────────

  /**
   * Runs task `task` of the tasks module in a worker, as `fn(args, { arena, signal })`
   * (sync or async). Images anywhere in `args` reach the task as Images (its references to
   * them go when it settles); Images in the result come back as Images the caller owns.
   * @throws {ArenaError} (rejects) ABORTED when `signal` fires; WORKER_FAILED when the
   *   worker dies; LIMIT_EXCEEDED when the queue is full; ARENA_FULL after waiting
   *   memoryTimeout for memory; the task's own errors, rebuilt.
   * @example const { width } = await pool.run('measure', { image }, { signal: AbortSignal.timeout(5000) });
   */
  async run<T = unknown>(task: string, args?: unknown, options?: { signal?: AbortSignal }): Promise<T> {
    this.#checkOpen('run');
    if (typeof task !== 'string' || task === '') throw check.invalid('task', 'name of a function of the tasks module', task);
    const o = check.options<{ signal?: AbortSignal }>('options', options);
    if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw check.invalid('options.signal', 'AbortSignal', o.signal);
    if (this.#queue.length >= this.#options.maxQueue) {
      throw poolError('LIMIT_EXCEEDED', `run('${task}'): the queue already holds ${this.#queue.length} jobs (options.maxQueue)`);
    }
    if (o.signal?.aborted) throw poolError('ABORTED', `run('${task}'): the signal had fired already`);
    const handles: ImageHandle[] = [];
    let encoded: unknown;
    try {
      encoded = encode(args, handles);
    } catch (error) {
      handles.forEach((handle) => this.arena.discard(handle));
      throw error;
    }
    const result = await this.#enqueue({ type: 'task', task, args: encoded }, handles, o.signal);
    const adopted: Image[] = [];
    try {
      return decode(result, this.arena, adopted) as T;
    } catch (error) {
      adopted.forEach((image) => image.release());
      throw error;
    }
  }

  // ── band-parallel kernels ─────────────────────────────────────────────────────

  /** Runs a plan with every step split into bands across the workers. */
  async #runPlan(input: Image, plan: Plan, signal?: AbortSignal): Promise<Image> {
    this.#checkOpen(plan.what);
    const images = createPlanImages(input, plan);
    try {
      const imageOf = (index: number) => (index === INPUT ? input : images[index]!);
      for (const step of plan.steps) {
        const bands = Math.min(this.#workers.length, step.extent);
        const jobs: Promise<unknown>[] = [];
        for (let b = 0; b < bands; b++) {
          const start = Math.floor((step.extent * b) / bands);
          const end = Math.floor((step.extent * (b + 1)) / bands);
          if (start === end) continue;
          const source = imageOf(step.source).share();
          const target = imageOf(step.target).share();
          jobs.push(this.#enqueue({ type: 'band', stage: step.stage, source, target, start, end }, [source, target], signal));
        }
        const settled = await Promise.allSettled(jobs);
        const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) throw failed.reason;
      }
    } catch (error) {
      images.forEach((image) => image.release());
      throw error;
    }
    images.slice(1).forEach((image) => image.release());
    return images[0]!;
  }

  /**
   * `image.resize(width, height, options)` split across the workers by output rows: the
   * same bytes, each worker computing its own band in place in the shared output.
   * @throws {ArenaError} (rejects) as Image.resize, and WORKER_FAILED / ABORTED.
   * @example const small = await pool.resize(photo, 1000, 750, { filter: 'lanczos' });
   */
  async resize(image: Image, width: number, height: number, options?: ResizeOptions & { signal?: AbortSignal }): Promise<Image> {
    this.#checkImage(image, 'resize');
    return this.#runPlan(image, planResize(image, width, height, options), options?.signal);
  }

  /** `image.convert(mode)` split across the workers by rows. */
  async convert(image: Image, mode: Mode, options?: { signal?: AbortSignal }): Promise<Image> {
    this.#checkImage(image, 'convert');
    return this.#runPlan(image, planConvert(image, mode), options?.signal);
  }

  /** `image.reduce(factor, box)` split across the workers by output rows. */
  async reduce(image: Image, factor: number | [number, number], box?: [number, number, number, number], options?: { signal?: AbortSignal }): Promise<Image> {
    this.#checkImage(image, 'reduce');
    return this.#runPlan(image, planReduce(image, factor, box), options?.signal);
  }

  /** `image.boxBlur(radius)` split across the workers: rows, then columns. */
  async boxBlur(image: Image, radius: number, options?: { signal?: AbortSignal }): Promise<Image> {
    this.#checkImage(image, 'boxBlur');
    return this.#runPlan(image, planBoxBlur(image, radius), options?.signal);
  }

  /** `image.gaussianBlur(radius)` split across the workers: rows, then columns. */
  async gaussianBlur(image: Image, radius = 2, options?: { signal?: AbortSignal }): Promise<Image> {
    this.#checkImage(image, 'gaussianBlur');
    return this.#runPlan(image, planGaussianBlur(image, radius), options?.signal);
  }

  #checkImage(image: Image, what: string): void {
    if (!(image instanceof Image)) throw check.invalid('image', 'Image', image);
    if (image.arena !== this.arena) throw poolError('INVALID_ARGUMENT', `${what}(): the image belongs to another arena than the pool's`);
    imageAddress(image, what);
  }

  // ── closing ───────────────────────────────────────────────────────────────────

  /** Lets queued and running jobs finish, then ends the workers (they detach from the arena). */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    while (this.#queue.length > 0 || this.#workers.some((w) => w?.job)) {
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
