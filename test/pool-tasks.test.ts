// Pool tasks: images in and out as handles, errors rebuilt, the queue limit, aborts
// before and during a job, and images crossing both ways thousands of times.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Arena, ArenaError, Pool, type Image } from '../dist/node.js';

const tasks = new URL('./fixtures/tasks/tasks.mjs', import.meta.url);
let arena: Arena;
let pool: Pool;

beforeAll(async () => {
  arena = await Arena.create({ maxBytes: 256 << 20, debug: true });
  pool = await Pool.create({ arena, workers: 3, tasks, abortGrace: 300 });
});
afterAll(async () => {
  await pool.close();
  expect(pool.size).toBe(0);
  expect(arena.stats().imagesLive).toBe(0);
  expect(arena.stats().attachments).toBe(1);
  arena.checkHeap();
  arena.close();
});

describe('pool tasks', () => {
  it('passes images in as Images and gets Images back that the caller owns', async () => {
    const image = arena.fromPixels('RGB', 2, 1, new Uint8Array([10, 20, 30, 40, 50, 60]));
    const result = await pool.run<{ means: number[]; grey: Image; size: number[]; arenaId: number }>('describe', { image });
    expect(result.means).toEqual([25, 35, 45]);
    expect(result.size).toEqual([2, 1]);
    expect(result.arenaId).not.toBe(arena.attachmentId);
    expect(result.grey.toPixels()).toEqual(new Uint8Array([18, 48])); // Pillow's luma of the two pixels
    result.grey.release();
    image.release();
    expect(arena.stats().imagesLive).toBe(0); // the worker's references went when the task settled
  });

  it('rebuilds errors with code, message and stack', async () => {
    const error = await pool.run('fail', { message: 'boom' }).catch((e: Error) => e) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('boom');
    expect(error.stack).toMatch(/tasks\.mjs/);
    const coded = await pool.run('failArena').catch((e: ArenaError) => e) as ArenaError;
    expect(coded).toBeInstanceOf(ArenaError);
    expect(coded.code).toBe('LIMIT_EXCEEDED');
    const missing = await pool.run('nope').catch((e) => e);
    expect(missing).toMatchObject({ code: 'INVALID_ARGUMENT', message: "Expected the name of a function the tasks module exports for task but received 'nope' of type string" });
  });

  it('rejects bad arguments (rejects, never throws)', async () => {
    const promise = pool.run(42 as never);
    await expect(promise).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(pool.run('add', {}, { signal: 'x' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(Pool.create({ arena, workers: 0 })).rejects.toMatchObject({ message: 'Expected integer between 1 and 127 for options.workers but received 0 of type number' });
    const plain = await Arena.create({ maxBytes: 4 << 20, shared: false });
    await expect(Pool.create({ arena: plain })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    plain.close();
    await expect(Pool.create({ arena, workers: 1, tasks: new URL('./fixtures/tasks/missing.mjs', import.meta.url) }))
      .rejects.toMatchObject({ code: 'WORKER_FAILED' });
    expect(arena.stats().attachments).toBe(4); // the failed pool's worker was reclaimed
  });

  it('aborts a job before it starts and while it runs', async () => {
    const before = new AbortController();
    before.abort('changed my mind');
    await expect(pool.run('add', { a: 1, b: 2 }, { signal: before.signal })).rejects.toMatchObject({ code: 'ABORTED' });

    // Fill the workers, queue one more, abort it while queued.
    const busy = [1, 2, 3].map(() => pool.run('later', { value: 1, ms: 200 }));
    const queued = new AbortController();
    const image = arena.image('L', 8, 8);
    const waiting = pool.run('describe', { image }, { signal: queued.signal });
    queued.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    await Promise.all(busy);
    image.release();
    expect(arena.stats().imagesLive).toBe(0); // the queued job's handle was discarded

    // A task that listens to its signal stops by itself.
    const polite = new AbortController();
    const listening = pool.run('waitForAbort', {}, { signal: polite.signal });
    setTimeout(() => polite.abort(), 50);
    await expect(listening).rejects.toMatchObject({ code: 'ABORTED' });

    // A task that does not is stopped with its worker, which is replaced and reclaimed.
    const held = arena.image('RGB', 30, 30);
    const stubborn = new AbortController();
    const spinning = pool.run('spin', { held }, { signal: stubborn.signal });
    setTimeout(() => stubborn.abort(), 50);
    await expect(spinning).rejects.toMatchObject({ code: 'ABORTED' });
    held.release();
    await waitUntil(() => arena.stats().imagesLive === 0);
    expect(await pool.run('add', { a: 20, b: 22 })).toBe(42);
    expect(pool.size).toBe(3);
  });

  it('rejects with LIMIT_EXCEEDED beyond maxQueue', async () => {
    const small = await Pool.create({ arena, workers: 1, tasks, maxQueue: 2 });
    const running = small.run('later', { value: 'a', ms: 100 });
    await new Promise((resolve) => setTimeout(resolve, 20)); // it left the queue for the worker
    const queued = [small.run('later', { value: 'b', ms: 1 }), small.run('later', { value: 'c', ms: 1 })];
    await expect(small.run('add', { a: 1, b: 1 })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED', message: "run('add'): the queue already holds 2 jobs (options.maxQueue)",
    });
    expect(await running).toBe('a');
    expect(await Promise.all(queued)).toEqual(['b', 'c']);
    await small.close();
    await expect(small.run('add', { a: 1, b: 1 })).rejects.toMatchObject({ code: 'INVALID_HANDLE' });
  });

  it('passes images both ways thousands of times and leaves none alive', async () => {
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 1500; i++) {
      // Made here, released in a worker (after its task), ...
      const mine = arena.image('L', 1 + (i % 13), 1 + (i % 7), { fill: i & 255 });
      jobs.push(pool.run<{ means: number[]; grey: Image }>('describe', { image: mine }).then((r) => {
        expect(r.means[0]).toBe(i & 255);
        r.grey.release();
      }));
      mine.release();
      // ... and made in a worker, released here.
      jobs.push(pool.run<Image>('makeImage', { width: 5, height: 3, value: i & 255 }).then((image) => {
        expect(image.toPixels()[14]).toBe(i & 255);
        image.release();
      }));
    }
    await Promise.all(jobs);
    expect(arena.stats().imagesLive).toBe(0);
  });
});

async function waitUntil(condition: () => boolean, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
