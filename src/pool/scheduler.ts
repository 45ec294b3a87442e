// Queue and scheduling: jobs wait in one FIFO queue and go to idle workers one at a time;
// a worker's answer settles its job. Nothing may wedge the pool: every way a job can end
// (its message cannot be sent, its worker dies, its signal fires, it waits too long for
// memory, no worker is left) settles it, frees its worker and gives back every handle
// made for it.

import type { Arena } from '../arena.js';
import { arenaFullFor, canNeverFit, deserializeError, limitExceeded, workerFailed, type ArenaError } from '../errors.js';
import type { ImageHandle } from '../image.js';
import { coreOf } from '../state.js';
import { abandon, abortError, reclaimAbandoned } from './aborts.js';
import { discardHandles, dropResult, settle, type Job, type JobMessage } from './jobs.js';
import { markersIn, unsendable } from './marshal.js';
import { MemoryWaits, type Activity } from './memory.js';
import type { ResolvedOptions } from './options.js';
import type { FromWorker, ToWorker } from './protocol.js';
import type { Supervisor, SupervisorEvents, WorkerState } from './supervisor.js';

/** Empties the arena's caches; an arena already closed in this thread has none to empty. */
function clearCacheQuietly(arena: Arena): void {
  try {
    arena.clearCache();
  } catch {
    // Closed: the jobs fail as they would have.
  }
}

/** Is `error` an ARENA_FULL that waiting could cure? */
function waitable(error: unknown): boolean {
  return (error as ArenaError | undefined)?.code === 'ARENA_FULL' && !canNeverFit(error);
}

/** The arena's bytes not held by live blocks (no limit once it is closed: nothing waits on it then). */
function freeBytes(arena: Arena): number {
  try {
    const stats = arena.stats();
    return stats.bytesMax - stats.bytesInUse;
  } catch {
    return Infinity;
  }
}

export class Scheduler implements SupervisorEvents {
  readonly #queue: Job[] = [];
  readonly #memory: MemoryWaits;
  /** The jobs of each signal, and the one listener it has (a call split into many bands adds one, not one per band). */
  readonly #watched = new Map<AbortSignal, { jobs: Set<Job>; listener: () => void }>();
  #nextJob = 1;
  #supervisor!: Supervisor;

  constructor(readonly arena: Arena, readonly options: ResolvedOptions) {
    this.#memory = new MemoryWaits(options.memoryTimeout, options.idleMemoryTimeout, () => freeBytes(arena));
  }

  /** The workers this scheduler sends jobs to (set once, right after both are made). */
  set supervisor(supervisor: Supervisor) {
    this.#supervisor = supervisor;
  }

  /** Is anything queued or running? */
  get busy(): boolean {
    return this.#queue.length > 0 || this.#supervisor.workers.some((w) => w?.job);
  }

  /**
   * Queues a job; its promise settles with the worker's answer, passed through `receive`
   * as it arrives. `prepare` makes the message of each attempt.
   */
  enqueue(what: string, prepare: (handles: ImageHandle[]) => JobMessage, signal: AbortSignal | undefined,
    receive?: (result: unknown) => unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError(what, signal, true));
        return;
      }
      const job: Job = { id: this.#nextJob++, what, prepare, receive, handles: [], resolve, reject, signal, settled: false };
      this.#watch(job);
      this.#queue.push(job);
      this.dispatch();
    });
  }

  /**
   * Runs `make`, an allocation this thread makes for a call (its plan's images, a copy of
   * its input, its own references); while it fails with ARENA_FULL that waiting could cure,
   * runs it again at the next release, until memoryTimeout.
   */
  async whenMemory<T>(what: string, signal: AbortSignal | undefined, make: () => T): Promise<T> {
    const started = Date.now();
    for (;;) {
      try {
        return make();
      } catch (error) {
        if (!waitable(error) || Date.now() - started > this.options.memoryTimeout) throw error;
      }
      await this.#memory.nextRelease();
      if (signal?.aborted) throw abortError(what, signal, false);
    }
  }

  /** A call that would wait while the queue is full is refused (see PoolOptions.maxQueue). */
  checkQueue(what: string): void {
    if (this.#queue.length < this.options.maxQueue) return;
    if (this.#supervisor.anyIdle()) return;
    throw limitExceeded(what, `the queue already holds ${this.#queue.length} jobs (options.maxQueue)`);
  }

  /** Sends queued jobs to idle workers; fails the queue when no worker is left. */
  dispatch(): void {
    this.#memory.look();
    for (const state of this.#supervisor.workers) {
      while (state !== undefined && this.#supervisor.idle(state) && this.#queue.length > 0) {
        const index = this.#queue.findIndex((job) => this.#memory.eligible(job));
        if (index < 0) break;
        this.#start(state, this.#queue.splice(index, 1)[0]!);
      }
    }
    if (this.#queue.length > 0 && this.#supervisor.exhausted) {
      const lost = this.#supervisor.lost;
      this.#failQueue(workerFailed('Pool', `no worker is left to run the job${lost ? ` (${lost})` : ''}`));
    }
    this.#memory.schedule(this.#queue, (job, error) => settle(job, error), () => this.dispatch(),
      () => this.#activity(), () => clearCacheQuietly(this.arena));
  }

  /** What runs, for the memory waits: an aborted job that has not stopped yet counts as busy. */
  #activity(): Activity {
    let retrying = false;
    for (const w of this.#supervisor.workers) {
      if (w === undefined) continue;
      if (w.abandoned !== undefined || (w.job !== undefined && w.job.fullSince === undefined)) return 'busy';
      if (w.job !== undefined) retrying = true;
    }
    return retrying ? 'retrying' : 'idle';
  }

  /** Is a job running on a worker other than `except`? An aborted one that has not stopped yet counts. */
  #busy(except: WorkerState): boolean {
    return this.#supervisor.workers.some((w) => w !== undefined && w !== except && (w.job !== undefined || w.abandoned !== undefined));
  }

  /**
   * Sends a job to an idle worker. The worker counts as busy from the start: making and
   * cloning the message may run the caller's code (getters), which may call the pool.
   * A job whose images cannot be shared for want of memory waits like one that ran out of
   * memory in its worker; one that cannot be sent settles at once. Either way the worker
   * stays idle.
   */
  #start(state: WorkerState, job: Job): void {
    state.job = job;
    let message: JobMessage;
    try {
      message = job.prepare(job.handles);
    } catch (error) {
      state.job = undefined;
      discardHandles(this.arena, job);
      if (waitable(error) && this.#memory.park(job)) this.#queue.unshift(job);
      else settle(job, error as Error);
      return;
    }
    this.#memory.started(job, this.#busy(state));
    try {
      state.port.post({ ...message, job: job.id } as ToWorker);
    } catch (error) {
      // Nothing reached the worker (postMessage clones first): a value in the message
      // that cannot be cloned.
      state.job = undefined;
      discardHandles(this.arena, job);
      settle(job, unsendable(error, message.type === 'task' ? 'args' : 'the job', job.what));
      return;
    }
    job.worker = state;
  }

  #failQueue(error: ArenaError): void {
    for (const job of this.#queue.splice(0)) settle(job, error);
  }

  /** One listener per signal, however many jobs (bands) it covers. */
  #watch(job: Job): void {
    const signal = job.signal;
    if (signal === undefined) return;
    let entry = this.#watched.get(signal);
    if (entry === undefined) {
      const jobs = new Set<Job>();
      const listener = () => {
        this.#watched.delete(signal);
        for (const watchedJob of jobs) this.#abort(watchedJob);
      };
      entry = { jobs, listener };
      this.#watched.set(signal, entry);
      signal.addEventListener('abort', listener, { once: true });
    }
    entry.jobs.add(job);
    job.onSettle = () => {
      const current = this.#watched.get(signal);
      if (current === undefined) return;
      current.jobs.delete(job);
      if (current.jobs.size === 0) {
        signal.removeEventListener('abort', current.listener);
        this.#watched.delete(signal);
      }
    };
  }

  #abort(job: Job): void {
    if (job.settled) return;
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) this.#queue.splice(queued, 1);
    else if (job.worker && job.worker.job === job) abandon(job.worker, job, this.options.abortGrace);
    settle(job, abortError(job.what, job.signal!, false));
  }

  /**
   * Hands back the images of an answer nobody takes: released here, or, when this thread's
   * arena is closed and cannot adopt them, discarded by the worker that shared them.
   */
  #giveBack(state: WorkerState, result: unknown): void {
    const handles = markersIn(result);
    if (handles.length === 0) return;
    try {
      coreOf(this.arena);
    } catch {
      if (!state.gone) state.port.post({ type: 'discard', handles });
      return;
    }
    dropResult(this.arena, result);
  }

  // ── SupervisorEvents ──────────────────────────────────────────────────────────

  changed(): void {
    this.dispatch();
  }

  message(state: WorkerState, message: FromWorker): void {
    if (message.type !== 'done' && message.type !== 'failed') return;
    if (state.abandoned && state.abandoned.job.id === message.job) {
      // An aborted job stopped by itself: drop what it returned. What it held is free now,
      // as when any job ends: parked jobs may run.
      const job = reclaimAbandoned(state);
      if (message.type === 'done') this.#giveBack(state, message.result);
      else discardHandles(this.arena, job);
      this.#memory.released();
    }
    const job = state.job;
    if (job && job.id === message.job) {
      state.job = undefined;
      job.worker = undefined;
      if (message.type === 'done' && job.settled) {
        // Settled while it was being sent (aborted from the caller's own code): nobody takes the answer.
        this.#memory.released();
        this.#giveBack(state, message.result);
      } else if (message.type === 'done') {
        this.#memory.released();
        job.handles = [];
        // Received now, in the turn the answer arrived: a worker that exits right after
        // answering is reclaimed later, and must not take the result with it.
        let value: unknown;
        try {
          value = job.receive ? job.receive(message.result) : message.result;
        } catch (error) {
          this.#giveBack(state, message.result);
          settle(job, error as Error);
          this.dispatch();
          return;
        }
        settle(job, undefined, value);
      } else {
        // A worker that failed before adopting every handle leaves the rest with us.
        discardHandles(this.arena, job);
        const error = deserializeError(message.error);
        // A job settled meanwhile (aborted while it was being sent) is not run again.
        const full = !job.settled && (error as ArenaError).code === 'ARENA_FULL' && !message.neverFits;
        const waits = full && this.#memory.park(job, message.shortfall);
        // A failure for want of memory releases nothing that was not its own: it wakes no one.
        if (!waits) this.#memory.released();
        if (waits) this.#queue.unshift(job);
        // One that has waited memoryTimeout says so, as when a look finds it has.
        else settle(job, full ? arenaFullFor(job.what, this.#memory.timeout) : error);
      }
    }
    this.dispatch();
  }

  died(jobs: Job[], reason: string): void {
    for (const job of jobs) {
      discardHandles(this.arena, job);
      settle(job, workerFailed(job.what, `the worker running this job died: ${reason}`));
    }
    this.#memory.released();
  }

  cannotStart(reason: string): void {
    this.#failQueue(workerFailed('Pool', `workers cannot start: ${reason}`));
  }
}
