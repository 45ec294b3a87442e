// Queue and scheduling: jobs wait in one FIFO queue and go to idle workers one at a time;
// a worker's answer settles its job. Nothing may wedge the pool: every way a job can end
// (its message cannot be sent, its worker dies, its signal fires, it waits too long for
// memory, no worker is left) settles it, frees its worker and gives back every handle
// made for it.

import type { Arena } from '../arena.js';
import { deserializeError, limitExceeded, workerFailed, type ArenaError } from '../errors.js';
import type { ImageHandle } from '../image.js';
import { abandon, abortError, reclaimAbandoned } from './aborts.js';
import { discardHandles, dropResult, settle, type Job, type JobMessage } from './jobs.js';
import { unsendable } from './marshal.js';
import { MemoryWaits } from './memory.js';
import type { ResolvedOptions } from './options.js';
import type { FromWorker, ToWorker } from './protocol.js';
import type { Supervisor, SupervisorEvents, WorkerState } from './supervisor.js';

export class Scheduler implements SupervisorEvents {
  readonly #queue: Job[] = [];
  readonly #memory: MemoryWaits;
  #nextJob = 1;
  #supervisor!: Supervisor;

  constructor(readonly arena: Arena, readonly options: ResolvedOptions) {
    this.#memory = new MemoryWaits(options.memoryTimeout);
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
   * Queues a job; its promise settles with the worker's answer (adopted by the caller).
   * `prepare` makes the message of each attempt.
   */
  enqueue(what: string, prepare: (handles: ImageHandle[]) => JobMessage, signal: AbortSignal | undefined): Promise<unknown> {
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
      this.dispatch();
    });
  }

  /** A call that would wait while the queue is full is refused (see PoolOptions.maxQueue). */
  checkQueue(what: string): void {
    if (this.#queue.length < this.options.maxQueue) return;
    if (this.#supervisor.anyIdle()) return;
    throw limitExceeded(what, `the queue already holds ${this.#queue.length} jobs (options.maxQueue)`);
  }

  /** Sends queued jobs to idle workers; fails the queue when no worker is left. */
  dispatch(): void {
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
    this.#memory.schedule(this.#queue, (job, error) => settle(job, error), () => this.dispatch());
  }

  /** Sends a job to an idle worker; a job that cannot be sent settles at once and leaves the worker idle. */
  #start(state: WorkerState, job: Job): void {
    let message: JobMessage;
    try {
      message = job.prepare(job.handles);
    } catch (error) {
      discardHandles(this.arena, job);
      settle(job, error as Error);
      return;
    }
    this.#memory.started(job);
    try {
      state.port.post({ ...message, job: job.id } as ToWorker);
    } catch (error) {
      // Nothing reached the worker (postMessage clones first): a value in the message
      // that cannot be cloned.
      discardHandles(this.arena, job);
      settle(job, unsendable(error, message.type === 'task' ? 'args' : 'the job', job.what));
      return;
    }
    job.worker = state;
    state.job = job;
  }

  #failQueue(error: ArenaError): void {
    for (const job of this.#queue.splice(0)) settle(job, error);
  }

  #abort(job: Job): void {
    if (job.settled) return;
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) this.#queue.splice(queued, 1);
    else if (job.worker && job.worker.job === job) abandon(job.worker, job, this.options.abortGrace);
    settle(job, abortError(job.what, job.signal!, false));
  }

  // ── SupervisorEvents ──────────────────────────────────────────────────────────

  changed(): void {
    this.dispatch();
  }

  message(state: WorkerState, message: FromWorker): void {
    if (message.type !== 'done' && message.type !== 'failed') return;
    if (state.abandoned && state.abandoned.job.id === message.job) {
      // An aborted job stopped by itself: drop what it returned.
      const job = reclaimAbandoned(state);
      if (message.type === 'done') dropResult(this.arena, message.result);
      else discardHandles(this.arena, job);
    }
    const job = state.job;
    if (job && job.id === message.job) {
      state.job = undefined;
      job.worker = undefined;
      this.#memory.released();
      if (message.type === 'done') {
        job.handles = [];
        settle(job, undefined, message.result);
      } else {
        // A worker that failed before adopting every handle leaves the rest with us.
        discardHandles(this.arena, job);
        const error = deserializeError(message.error);
        const waits = (error as ArenaError).code === 'ARENA_FULL' && !message.neverFits && this.#memory.park(job);
        if (waits) this.#queue.unshift(job);
        else settle(job, error);
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
