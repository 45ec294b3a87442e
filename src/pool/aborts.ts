// Aborts. A job whose signal fires while it waits is taken out of the queue; one that runs
// is settled at once (ABORTED) and its worker told, so that the task's own signal fires
// there. The worker is then "abandoned" by that job: if it has not stopped after
// abortGrace, it is terminated, and what it held is reclaimed like any dead worker's.

import { aborted } from '../errors.js';
import type { Job } from './jobs.js';
import type { WorkerState } from './supervisor.js';

/** ABORTED for a job whose signal fired, before it started (`before`) or while it ran. */
export function abortError(what: string, signal: AbortSignal, before: boolean): Error {
  const reason = signal.reason !== undefined ? `: ${String(signal.reason)}` : '';
  return aborted(what, before ? `the signal had fired already${reason}` : `the job's signal fired${reason}`, signal.reason);
}

/** Tells the worker running `job` to stop, and terminates it if it has not after `grace` ms. */
export function abandon(state: WorkerState, job: Job, grace: number): void {
  state.job = undefined;
  state.port.post({ type: 'abort', job: job.id });
  state.abandoned = {
    job,
    timer: setTimeout(() => { void state.port.terminate(); }, grace),
  };
}

/** The abandoned job reported back by itself: the worker is idle again. Returns the job. */
export function reclaimAbandoned(state: WorkerState): Job {
  const { job, timer } = state.abandoned!;
  clearTimeout(timer);
  state.abandoned = undefined;
  return job;
}
