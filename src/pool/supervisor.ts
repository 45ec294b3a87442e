// Worker supervision: starting workers, noticing their deaths, reclaiming what a dead
// worker held in the arena (by the token it attached with, so even one that died before
// it could say its id), replacing it, and ending them all on close. What the workers run
// is the scheduler's business; the supervisor tells it through SupervisorEvents.

import type { Arena } from '../arena.js';
import { workerFailed } from '../errors.js';
import { runtime, type WorkerPort } from '../runtime/runtime.js';
import type { Job } from './jobs.js';
import type { ResolvedOptions } from './options.js';
import type { FromWorker } from './protocol.js';

export interface WorkerState {
  readonly index: number;
  /** The token it attaches with (Arena.nextToken). */
  readonly token: number;
  readonly port: WorkerPort;
  ready: boolean;
  job?: Job;
  /** A job that was aborted while running here: the worker is terminated if it does not stop. */
  abandoned?: { job: Job; timer: ReturnType<typeof setTimeout> };
  closing: boolean;
  /** Its termination was requested (an abandoned job outlived abortGrace): it takes no job again. */
  terminating?: boolean;
  /** It exited (or was terminated): whatever it still says is ignored. */
  gone?: boolean;
}

/** What the supervisor tells the scheduler. */
export interface SupervisorEvents {
  /** A worker is ready, or one is gone and its place changed: run what can run. */
  changed(): void;
  /** A worker's message about a job. */
  message(state: WorkerState, message: FromWorker): void;
  /** A worker died with these jobs on it (its running job, and one it was abandoning); it was reclaimed already. */
  died(jobs: Job[], reason: string): void;
  /** Workers keep dying before they are ready (a broken tasks module) and none is ready: fail what waits. */
  cannotStart(reason: string): void;
}

/** Workers that die before they are ready, in a row, after which the pool stops replacing them. */
export const START_FAILURE_LIMIT = 3;
/** How long close() waits for a worker to detach and end by itself before terminating it, in ms. */
export const CLOSE_GRACE_MS = 2000;

export class Supervisor {
  readonly workers: Array<WorkerState | undefined>;
  /** Why the last worker that was not replaced is gone: said to jobs that find no worker left. */
  lost = '';
  #closing = false;
  #startFailures = 0;
  /** Dead workers whose replacement is still to be started (after their reclaim). */
  #replacing = 0;
  /** Exits being handled (a reclaim may wait for a terminated web worker to stop): close() waits for them. */
  readonly #exits = new Set<Promise<void>>();

  constructor(readonly arena: Arena, readonly options: ResolvedOptions, readonly events: SupervisorEvents) {
    this.workers = new Array(options.workers).fill(undefined);
  }

  /**
   * Starts every worker; resolves when all are ready (waitFor 'all') or one is ('first'),
   * and rejects with the first start failure when that can no longer happen.
   */
  async start(): Promise<void> {
    const started = this.workers.map((_, index) => this.#spawn(index));
    if (this.options.waitFor === 'all') {
      await Promise.all(started);
      return;
    }
    try {
      await Promise.any(started);
    } catch (error) {
      throw error instanceof AggregateError ? error.errors[0] : error;
    }
  }

  /** Workers alive now. */
  get alive(): number {
    return this.workers.filter((w) => w !== undefined).length;
  }

  /** Is no worker left, and none about to be started? */
  get exhausted(): boolean {
    return this.#replacing === 0 && this.workers.every((state) => state === undefined);
  }

  idle(state: WorkerState): boolean {
    return state.ready && !state.job && !state.abandoned && !state.closing && !state.terminating && !state.gone;
  }

  anyIdle(): boolean {
    return this.workers.some((state) => state !== undefined && this.idle(state));
  }

  /**
   * Starts worker `index`; resolves when it is ready, rejects (WORKER_FAILED) if it dies
   * first. Throws at once when no worker can be started (the arena was closed in this thread).
   */
  #spawn(index: number): Promise<void> {
    const token = this.arena.nextToken();
    const port = runtime().spawnPoolWorker!({
      type: 'start', arena: this.arena.shared, tasks: this.options.tasks, token,
    }, this.options.resourceLimits);
    const state: WorkerState = { index, token, port, ready: false, closing: false };
    this.workers[index] = state;
    return new Promise<void>((resolve, reject) => {
      port.onMessage((message) => {
        if (state.gone) return;
        if (message.type === 'exiting') {
          state.terminating = true;
        } else if (message.type === 'ready') {
          state.ready = true;
          this.#startFailures = 0;
          resolve();
          this.events.changed();
        } else {
          this.events.message(state, message);
        }
      });
      port.onExit((reason, stopped) => {
        const wasReady = state.ready;
        const exited = this.#onExit(state, reason, stopped);
        this.#exits.add(exited);
        void exited.finally(() => this.#exits.delete(exited));
        if (!wasReady) reject(workerFailed('Pool', `a worker died while starting: ${reason}`));
      });
    });
  }

  /** Never throws: whatever happened to the arena, the dead worker's jobs settle. */
  async #onExit(state: WorkerState, reason: string, stopped: boolean): Promise<void> {
    if (this.workers[state.index] !== state) return;
    this.workers[state.index] = undefined;
    state.gone = true;
    if (state.abandoned) clearTimeout(state.abandoned.timer);
    const startFailed = !state.ready && ++this.#startFailures >= START_FAILURE_LIMIT;
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
    const jobs = [state.job, state.abandoned?.job].filter((job): job is Job => job !== undefined);
    state.job = undefined;
    state.abandoned = undefined;
    this.events.died(jobs, reason);
    if (startFailed) {
      this.lost = `workers cannot start: ${reason}`;
      // Jobs wait for a worker that is ready; they fail only when none is (a pool created
      // with waitFor 'first' may run on with fewer workers).
      if (!this.workers.some((w) => w?.ready && !w.gone)) this.events.cannotStart(reason);
    }
    if (replace) this.#replacing--;
    if (replace && !this.#closing) {
      try {
        this.#spawn(state.index).catch(() => { /* its own exit is handled like any other */ });
      } catch (error) {
        this.lost = `no worker can be started: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    this.events.changed();
  }

  /**
   * Ends every worker: each is asked to detach and end, and terminated if it has not after
   * CLOSE_GRACE_MS (one abandoning a job at once). Resolves once every exit, earlier ones
   * included, has been reclaimed.
   */
  async close(): Promise<void> {
    this.stopReplacing();
    await Promise.all(this.workers.map(async (state) => {
      if (!state) return;
      state.closing = true;
      const gone = new Promise<void>((resolve) => state.port.onExit(() => resolve()));
      if (state.abandoned) await state.port.terminate();
      else state.port.post({ type: 'close' });
      // The timer is cleared: a pending one would keep the process alive for its full time.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([gone, new Promise((resolve) => { timer = setTimeout(resolve, CLOSE_GRACE_MS); })]);
      clearTimeout(timer);
      await state.port.terminate();
    }));
    await Promise.all([...this.#exits]);
  }

  /** Terminates every worker at once (a pool that failed to start). */
  async terminate(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.workers.map((state) => state?.port.terminate()));
  }

  /** From now on a worker that dies is not replaced (the pool is closing). */
  stopReplacing(): void {
    this.#closing = true;
  }
}
