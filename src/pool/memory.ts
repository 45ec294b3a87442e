// Memory pressure: a job that hit ARENA_FULL is not failed but parked at the head of the
// queue until some other job has finished (and may have released memory), or until
// memoryTimeout has passed. When every queued job is parked they are looked at again every
// RETRY_MS: memory released by the caller's own code counts too, for idleMemoryTimeout.
// While nothing runs, they are run one at a time: side by side, jobs that fit the memory
// only one at a time would each take part of it and all fail, again and again; and a job
// fails for idleMemoryTimeout only once an attempt of its own, alone, has failed. A job
// whose worker said how large the request that failed was (its shortfall) runs again at a
// release only once the arena has that many bytes free, or SHORTFALL_RETRY_MS after its
// last failure: with fewer bytes, the same request would fail again (without this, every
// release and every look would run it, dozens of times for one job); but the next attempt
// may ask for less (a worker that has its scratch memory already, a task that sizes its
// request by the memory it sees free).

import { arenaFullFor, arenaFullIdle } from '../errors.js';
import type { Job } from './jobs.js';

/** What runs: no job; only attempts of jobs that wait for memory; or some other job. */
export type Activity = 'idle' | 'retrying' | 'busy';

/** How often parked jobs are looked at when nothing else can wake them, in ms. */
export const RETRY_MS = 20;

/** How long a job waits for its shortfall to be free before it runs again anyway, in ms. */
export const SHORTFALL_RETRY_MS = 100;

export class MemoryWaits {
  /** Jobs finished so far: each may have released memory that parked jobs need. */
  #releases = 0;
  /** Jobs started so far. */
  #starts = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /**
   * Since when parked jobs have waited with no job running and nothing released (Date.now()),
   * or undefined. A parked job's own retries do not count: each fails without a release.
   */
  #idleSince: number | undefined;

  /**
   * @param freeBytes the arena's bytes not held by live blocks: no request larger than
   *   that can succeed (read at most once per look, see `look`)
   */
  constructor(readonly timeout: number, readonly idleTimeout: number = timeout,
    private readonly freeBytes: () => number = () => Infinity) {}

  /** The arena's free bytes read in this look, or undefined. */
  #free: number | undefined;
  /**
   * The time of this look, or undefined. One look sees one time: a job found not eligible
   * when workers were handed jobs must still be found so when the look sets its timer.
   */
  #now: number | undefined;

  /** A new look at the queue: the arena's free bytes and the time are read again when needed. */
  look(): void {
    this.#free = undefined;
    this.#now = undefined;
  }

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
   * by side, and its own blocks, freed with its failure, no longer split them), provided
   * the arena then has `shortfall` bytes free, the request that failed (when known).
   */
  park(job: Job, shortfall?: number): boolean {
    const now = Date.now();
    job.fullSince ??= now;
    if (now - job.fullSince > this.timeout) return false;
    job.shortfall = shortfall;
    job.fullAt = now;
    job.fullAtReleases = job.startedAtReleases ?? this.#releases;
    job.startedAtReleases = undefined;
    // Alone: nothing ran when it started (startedAlone), nothing started since, and nothing
    // finished while it ran (the release count it started at is still the count).
    job.failedAlone = job.startedAlone === true && job.startIndex === this.#starts && job.fullAtReleases === this.#releases;
    return true;
  }

  /**
   * Can a job run now? A parked one runs once something has finished since it was parked
   * and the arena has its shortfall free (or SHORTFALL_RETRY_MS have passed since it
   * failed); one picked to run alone (fullAtReleases -1) runs.
   */
  eligible(job: Job): boolean {
    if (job.fullAtReleases === undefined) return true;
    if (job.fullAtReleases >= this.#releases) return false;
    if (job.fullAtReleases < 0 || job.shortfall === undefined) return true;
    this.#free ??= this.freeBytes();
    if (this.#free >= job.shortfall) return true;
    this.#now ??= Date.now();
    return this.#now - (job.fullAt ?? 0) >= SHORTFALL_RETRY_MS;
  }

  /** The job is on its way to a worker; `othersRunning`: some other job is running. */
  started(job: Job, othersRunning: boolean): void {
    job.fullAtReleases = undefined;
    job.shortfall = undefined;
    job.startedAtReleases = this.#releases;
    job.startIndex = ++this.#starts;
    job.startedAlone = !othersRunning;
  }

  /**
   * When every job of `queue` is parked, looks again after RETRY_MS. Jobs past the timeout
   * are taken out and failed (`fail`). While some job runs (`running`; attempts of parked
   * jobs do not count), every parked job may run again (`wake` dispatches them). While none
   * runs, one does, alone: the one whose last attempt is the oldest. Past the idle timeout
   * it runs on caches that `clearCache` has emptied (the blocks it freed when it failed sit
   * there, and a retry would take them back where they were, splitting the memory it lacked
   * the same way again); once such an attempt alone has failed, the job fails for the idle
   * timeout.
   */
  schedule(queue: Job[], fail: (job: Job, error: Error) => void, wake: () => void, running: () => Activity, clearCache: () => void): void {
    if (this.#timer !== undefined || queue.length === 0) return;
    if (queue.some((job) => this.eligible(job))) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const now = Date.now();
      // While only attempts of waiting jobs run, the idle clock goes on (they hold nothing
      // they had before), but no other attempt starts beside them and no job fails for it.
      const activity = running();
      const idle = activity !== 'busy';
      if (idle) this.#idleSince ??= now;
      else this.#idleSince = undefined;
      const idleFor = this.#idleSince === undefined ? -1 : now - this.#idleSince;
      if (!idle) this.#releases++;
      let next: Job | undefined;
      for (const job of queue.slice()) {
        if (job.fullSince === undefined) continue;
        const timedOut = now - job.fullSince > this.timeout;
        // Not while another one's attempt runs: that one may yet succeed and release memory.
        const idledOut = activity === 'idle' && idleFor >= this.idleTimeout && job.retriedOnClearedCache === true && job.failedAlone === true;
        if (timedOut || idledOut) {
          queue.splice(queue.indexOf(job), 1);
          fail(job, timedOut ? arenaFullFor(job.what, this.timeout) : arenaFullIdle(job.what));
        } else if (activity === 'idle' && (next === undefined || (job.startIndex ?? 0) < (next.startIndex ?? 0))) {
          next = job;
        }
      }
      if (next !== undefined) {
        if (idleFor >= this.idleTimeout) {
          next.retriedOnClearedCache = true;
          clearCache();
        }
        next.fullAtReleases = -1;
      }
      if (queue.length === 0) this.#idleSince = undefined;
      wake();
    }, RETRY_MS);
  }
}
