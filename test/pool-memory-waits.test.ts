// MemoryWaits alone, on a fake clock: what one look at the queue decides.
import { afterEach, expect, it, vi } from 'vitest';
import { MemoryWaits, SHORTFALL_RETRY_MS } from '../src/pool/memory.js';
import type { Job } from '../src/pool/jobs.js';

afterEach(() => {
  vi.useRealTimers();
});

it('a job whose SHORTFALL_RETRY_MS end between handing out jobs and setting the timer still gets its timer', () => {
  // Guards against (seen before the fix): the look found the job not eligible when it handed
  // out jobs and eligible 1 ms later when it decided on a timer, so it set none: the job was
  // neither run again nor failed for memoryTimeout until some other job ended.
  vi.useFakeTimers();
  const start = 1_000_000;
  vi.setSystemTime(start);
  const waits = new MemoryWaits(1000, 0, () => 1 << 20); // 1 MiB free; it asked for 8
  const job = { what: 'x' } as Job;
  waits.started(job, true);
  expect(waits.park(job, 8 << 20)).toBe(true);
  const queue = [job];
  let ranAt: number | undefined;
  const dispatch = (): void => {
    waits.look();
    // An idle worker takes the job if it may run.
    if (queue.length > 0 && waits.eligible(job)) {
      queue.splice(0);
      ranAt = Date.now() - start;
    }
    // Handing out jobs takes the clock on by 1 ms before the look sets its timer.
    vi.setSystemTime(Date.now() + 1);
    waits.schedule(queue, () => queue.splice(0), dispatch, () => 'busy', () => {});
  };
  vi.setSystemTime(start + SHORTFALL_RETRY_MS - 22);
  dispatch();
  // Its timer was set at 79 ms: the next look starts at 99 ms and sets its timer at 100 ms.
  vi.advanceTimersByTime(20);
  vi.advanceTimersByTime(5000);
  // Run again at the next look, 20 ms on.
  expect(ranAt).toBeGreaterThanOrEqual(SHORTFALL_RETRY_MS);
  expect(ranAt).toBeLessThan(SHORTFALL_RETRY_MS + 50);
});
