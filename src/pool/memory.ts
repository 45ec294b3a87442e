// Memory pressure: a job that hit ARENA_FULL is not failed but parked at the head of the
// queue until some other job has finished (and may have released memory), or until
// memoryTimeout has passed. When every queued job is parked and nothing runs that could
// release memory, they are looked at again every RETRY_MS: memory released by the caller's
// own code counts too, for idleMemoryTimeout.

import { arenaFullFor, arenaFullIdle } from '../errors.js';
import type { Job } from './jobs.js';

/** How often parked jobs are looked at when nothing else can wake them, in ms. */
export const RETRY_MS = 20;

export class MemoryWaits {
  /** Jobs finished so far: each may have released memory that parked jobs need. */
  #releases = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /**
   * Since when parked jobs have waited with no job running and nothing released (Date.now()),
   * or undefined. A parked job's own retries do not count: each fails without a release.
   */
  #idleSince: number | undefined;

  constructor(readonly timeout: number, readonly idleTimeout: number = timeout) {}

  #waiters: Array<() => void> = [];

  /** Something finished (a job, a worker) that may have released memory. */
  released(): void {
    this.#releases++;
    this.#idleSince = undefined;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /**
   * Resolves at the next release, or after RETRY_MS (memory released by the caller's own
   * code counts too): for allocations this thread makes on a job's behalf.
   */
  nextRelease(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(wake), 1);
        resolve();
      }, RETRY_MS);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(wake);
    });
  }

  /**
   * Parks a job that ran out of memory; false when it has waited longer than the timeout.
   * It runs again at the next release, or at once when something was released while it
   * ran: what it could not find may be there now (pages freed then may only now lie side
   * by side, and its own blocks, freed with its failure, no longer split them).
   */
  park(job: Job): boolean {
    const now = Date.now();
    job.fullSince ??= now;
    if (now - job.fullSince > this.timeout) return false;
    job.fullAtReleases = job.startedAtReleases ?? this.#releases;
    job.startedAtReleases = undefined;
    return true;
  }

  /** Can a job run now? A parked one runs once something has finished since it was parked. */
  eligible(job: Job): boolean {
    return job.fullAtReleases === undefined || job.fullAtReleases < this.#releases;
  }

  /** The job is on its way to a worker. */
  started(job: Job): void {
    job.fullAtReleases = undefined;
    job.startedAtReleases = this.#releases;
  }

  /**
   * When every job of `queue` is parked, looks again after RETRY_MS: jobs past the timeout,
   * or past the idle timeout while no job has been running (`running`), are taken out and
   * failed (`fail`), then `wake` dispatches the rest. A job about to fail for the idle
   * timeout first runs once more after `clearCache` has emptied the arena's caches: the
   * blocks it freed when it failed sit there, and a retry would take them back where they
   * were, splitting the memory it lacked the same way again.
   */
  schedule(queue: Job[], fail: (job: Job, error: Error) => void, wake: () => void, running: () => boolean, clearCache: () => void): void {
    if (this.#timer !== undefined || queue.length === 0) return;
    if (queue.some((job) => this.eligible(job))) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#releases++;
      const now = Date.now();
      if (running()) this.#idleSince = undefined;
      else this.#idleSince ??= now;
      const idleFor = this.#idleSince === undefined ? -1 : now - this.#idleSince;
      let cleared = false;
      for (const job of queue.slice()) {
        if (job.fullSince === undefined) continue;
        const timedOut = now - job.fullSince > this.timeout;
        if (!timedOut && idleFor >= this.idleTimeout && !job.retriedOnClearedCache) {
          // Runs again (the count moved above); if that fails too, the next look fails it.
          job.retriedOnClearedCache = true;
          if (!cleared) clearCache();
          cleared = true;
          continue;
        }
        if (timedOut || idleFor >= this.idleTimeout) {
          queue.splice(queue.indexOf(job), 1);
          fail(job, timedOut ? arenaFullFor(job.what, this.timeout) : arenaFullIdle(job.what));
        }
      }
      if (queue.length === 0) this.#idleSince = undefined;
      wake();
    }, RETRY_MS);
  }
}
