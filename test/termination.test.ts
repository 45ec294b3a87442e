// A thread terminated anywhere, inside a core call included, and then reclaimed leaves the
// arena whole: every image reference it held, every temporary of a kernel it was running,
// every operation it was in the middle of, finished or undone. Workers outnumber the cores
// and are terminated at random moments while they make, share, transform and release images.
// (`npm run stress` terminates 120 and more.)
import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { terminateAtRandom } from './helpers/termination.mjs';

describe('termination at any moment', () => {
  it('leaves nothing behind when workers are terminated inside core calls and reclaimed', async () => {
    const workers = availableParallelism() * 3;
    const { reclaimed } = await terminateAtRandom({ workers, rounds: 5, seed: 7, debug: true });
    expect(reclaimed).toBe(workers * 5);
  }, 120_000);
});
