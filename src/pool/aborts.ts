// Aborts. A job whose signal fires while it waits is taken out of the queue; one that runs
// is settled at once (ABORTED) and its worker told, so that the task's own signal fires
// there. The worker is then "abandoned" by that job: if it has not stopped after
// abortGrace, it is terminated, and what it held is reclaimed like any dead worker's.
// A worker whose termination was requested takes no job again, even if the aborted job
// answers before the worker is gone.

import { aborted } from '../errors.js';
import type { Job } from './jobs.js';
import type { WorkerState } from './supervisor.js';

/** A signal's reason as text, whatever it is (an object without toString included). */
function reasonText(reason: unknown): string {
  try {
    return String(reason);
  } catch {
    return Object.prototype.toString.call(reason);
  }
}

/** ABORTED for a job whose signal fired, before it started (`before`) or while it ran. */
export function abortError(what: string, signal: AbortSignal, before: boolean): Error {
  const reason = signal.reason !== undefined ? `: ${reasonText(signal.reason)}` : '';
  return aborted(what, before ? `the signal had fired already${reason}` : `the job's signal fired${reason}`, signal.reason);
}

/** Tells the worker running `job` to stop, and terminates it if it has not after `grace` ms. */
export function abandon(state: WorkerState, job: Job, grace: number): void {
  state.job = undefined;
  state.port.post({ type: 'abort', job: job.id });
  state.abandoned = {
    job,
    timer: setTimeout(() => {
      state.terminating = true;
      void state.port.terminate();
    }, grace),
  };
}

/** The abandoned job reported back by itself: the worker is idle again, unless it is being terminated. Returns the job. */
export function reclaimAbandoned(state: WorkerState): Job {
  const { job, timer } = state.abandoned!;
  clearTimeout(timer);
  state.abandoned = undefined;
  return job;
}
