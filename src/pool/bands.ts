// Band execution: a kernel's plan run on the pool's workers. The plan is bound once in
// this thread (its images made, its tables written into one data block of the arena);
// then each step is split into bands of rows (or columns), one job per band, and every
// band of a step finishes before the next step starts. A band carries handles, not pixels
// or tables: the worker adopts the step's images and the data block, runs its rows, and
// releases them.

import { closed } from '../errors.js';
import type { Image, ImageHandle } from '../image.js';
import { shareReference } from '../image.js';
import { bindPlan, releasePlan, type BoundPlan } from '../kernels/executor.js';
import type { Plan } from '../kernels/plan.js';
import type { ImageReference } from '../state.js';
import type { Scheduler } from './scheduler.js';

/** Splits [0, extent) into at most `parts` bands of nearly equal size, none empty. */
export function bands(extent: number, parts: number): Array<[start: number, end: number]> {
  const count = Math.min(parts, extent);
  const result: Array<[number, number]> = [];
  for (let b = 0; b < count; b++) {
    const start = Math.floor((extent * b) / count);
    const end = Math.floor((extent * (b + 1)) / count);
    if (start < end) result.push([start, end]);
  }
  return result;
}

/**
 * Runs `plan` (whose inputs the caller holds until this settles) split into `parts`
 * bands per step; returns the output's reference, which the caller now holds. On failure
 * nothing the plan made is left.
 */
export async function runPlanInBands(plan: Plan, parts: number, name: string, scheduler: Scheduler,
  signal: AbortSignal | undefined): Promise<ImageReference> {
  const what = `${name}()`;
  // The plan's images are made here: when memory is short, they wait for it as jobs do.
  const bound = await scheduler.whenMemory(what, signal, () => bindPlan(plan));
  try {
    const share = (index: number): ImageHandle => (index < 0
      ? (plan.inputs[-1 - index] as Image).share()
      : shareReference(bound.core, bound.images[index]!));
    for (const step of bound.steps) {
      const jobs = bands(step.extent, parts).map(([start, end]) => scheduler.enqueue(what, (handles) => {
        const images: ImageHandle[] = [];
        for (const index of [step.target, ...step.sources]) {
          const handle = share(index);
          handles.push(handle);
          images.push(handle);
        }
        const data = dataHandle(bound);
        if (data) handles.push(data);
        return { type: 'band', what: name, stage: step.stage, images, data, start, end };
      }, signal));
      const settled = await Promise.allSettled(jobs);
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
    }
  } catch (error) {
    try {
      releasePlan(bound, false);
    } catch {
      // This thread's arena was closed meanwhile: the error that stopped the plan says more.
    }
    throw error;
  }
  try {
    releasePlan(bound, true);
  } catch {
    throw closed(what, 'the pool\'s arena was closed in this thread while the call ran');
  }
  return bound.images[0]!;
}

function dataHandle(bound: BoundPlan): ImageHandle | undefined {
  return bound.data ? shareReference(bound.core, bound.data) : undefined;
}
