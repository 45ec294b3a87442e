// Starting a pool sooner. Pool.prestart: worker threads started before their arena, taken
// by the next pool with the same tasks module and heap limits; the others are started as
// usual, and spares that no pool takes neither keep the process alive nor leak anything.
// waitFor 'first': Pool.create resolves once one worker is ready, and the others join.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Arena, Pool } from '../dist/node.js';

const tasks = new URL('./fixtures/tasks/started.mjs', import.meta.url);
const other = new URL('./fixtures/tasks/tasks.mjs', import.meta.url);

interface Started { type: string; threadId: number; loadedAt: number }

/** How each of the pool's `workers` was started: one job on each, at once. */
async function startKinds(pool: Pool, workers: number): Promise<string[]> {
  const answers = await Promise.all(Array.from({ length: workers }, () => pool.run<Started>('started', { wait: 150 })));
  expect(new Set(answers.map((a) => a.threadId)).size).toBe(workers);
  return answers.map((a) => a.type).sort();
}

const opened: Array<{ arena: Arena; pool?: Pool }> = [];
async function open(options: Omit<Parameters<typeof Pool.create>[0], 'arena'>): Promise<Pool> {
  const arena = await Arena.create({ maxBytes: 16 << 20 });
  const entry: { arena: Arena; pool?: Pool } = { arena };
  opened.push(entry);
  entry.pool = await Pool.create({ arena, ...options });
  return entry.pool;
}

afterEach(async () => {
  for (const { arena, pool } of opened.splice(0)) {
    await pool?.close();
    expect(arena.stats().attachments).toBe(1);
    arena.checkHeap();
    arena.close();
  }
});

describe('Pool.prestart', () => {
  it('starts threads that the next pool with the same tasks takes, and starts the rest itself', async () => {
    expect(Pool.prestart({ workers: 2, tasks })).toBe(2);
    const before = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 300)); // they load the tasks module meanwhile
    const pool = await open({ workers: 3, tasks });
    expect(await startKinds(pool, 3)).toEqual(['prestart', 'prestart', 'start']);
    const loaded = await Promise.all(Array.from({ length: 3 }, () => pool.run<Started>('started', { wait: 150 })));
    // The spares had their tasks module loaded before the arena existed.
    expect(loaded.filter((a) => a.type === 'prestart').every((a) => a.loadedAt < before + 300)).toBe(true);
    // The pool took both: the next pool starts its own.
    const second = await open({ workers: 1, tasks });
    expect(await startKinds(second, 1)).toEqual(['start']);
  });

  it('gives a pool only threads of its own tasks module and heap limits', async () => {
    Pool.prestart({ workers: 1, tasks: other });
    Pool.prestart({ workers: 1, tasks, resourceLimits: { maxOldGenerationSizeMb: 64 } });
    const plain = await open({ workers: 1, tasks });
    expect(await startKinds(plain, 1)).toEqual(['start']);
    // Limits match whatever their order and however the tasks module is named (URL or path).
    const limited = await open({ workers: 1, tasks: tasks.pathname, resourceLimits: { maxOldGenerationSizeMb: 64 } });
    expect(await startKinds(limited, 1)).toEqual(['prestart']);
    const others = await open({ workers: 1, tasks: other });
    expect(await others.run('add', { a: 2, b: 3 })).toBe(5);
  });

  it('fails a pool whose prestarted threads cannot load the tasks module, as without prestart', async () => {
    const missing = new URL('./fixtures/tasks/missing.mjs', import.meta.url);
    Pool.prestart({ workers: 1, tasks: missing });
    const arena = await Arena.create({ maxBytes: 16 << 20 });
    opened.push({ arena });
    await expect(Pool.create({ arena, workers: 1, tasks: missing })).rejects.toMatchObject({ code: 'WORKER_FAILED' });
  });

  it('replaces a prestarted worker that dies, and reclaims what it held', async () => {
    Pool.prestart({ workers: 2, tasks: other });
    const pool = await open({ workers: 2, tasks: other, abortGrace: 100 });
    const image = opened.at(-1)!.arena.image('L', 8, 8);
    await expect(pool.run('crash', { image })).rejects.toMatchObject({ code: 'WORKER_FAILED' });
    image.release();
    expect(await pool.run('add', { a: 1, b: 1 })).toBe(2);
    expect(opened.at(-1)!.arena.stats().imagesLive).toBe(0);
  });

  it('tops the waiting threads up to `workers` rather than adding to them', async () => {
    expect(Pool.prestart({ workers: 2, tasks })).toBe(2);
    expect(Pool.prestart({ workers: 2, tasks })).toBe(0);
    expect(Pool.prestart({ workers: 3, tasks })).toBe(1);
    // Empty or undefined limits are no limits.
    expect(Pool.prestart({ workers: 3, tasks, resourceLimits: {} })).toBe(0);
    expect(Pool.prestart({ workers: 3, tasks, resourceLimits: { maxOldGenerationSizeMb: undefined } })).toBe(0);
    const pool = await open({ workers: 3, tasks, resourceLimits: {} });
    expect(await startKinds(pool, 3)).toEqual(['prestart', 'prestart', 'prestart']);
  });

  it('checks its options', () => {
    expect(() => Pool.prestart({ workers: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => Pool.prestart({ tasks: 42 as never })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => Pool.prestart({ resourceLimits: { stackSizeMb: 0.1 } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => Pool.prestart(null as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('never keeps the process alive with threads no pool took', () => {
    const script = `import { Pool } from ${JSON.stringify(new URL('../dist/node.js', import.meta.url).href)};
      Pool.prestart({ workers: 3, tasks: ${JSON.stringify(tasks.href)} }); console.log('done');`;
    const started = Date.now();
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(result.stdout.trim()).toBe('done');
    expect(result.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("Pool.create({ waitFor: 'first' })", () => {
  const slow = new URL('./fixtures/tasks/slow-start.mjs', import.meta.url);

  it('resolves once one worker is ready; the other takes jobs once it is', async () => {
    const started = performance.now();
    const pool = await open({ workers: 2, tasks: slow, waitFor: 'first' });
    expect(performance.now() - started).toBeLessThan(1500); // the slow worker loads for 2000 ms
    const first = await pool.run<number>('who');
    // Two jobs at once, each long enough that one worker cannot take both before the
    // other is ready: both workers serve.
    const both = await Promise.all([pool.run<number>('who', { wait: 2500 }), pool.run<number>('who', { wait: 2500 })]);
    expect(new Set(both).size).toBe(2);
    expect(both).toContain(first);
  }, 20_000);

  it("waits for every worker with the default 'all'", async () => {
    const started = performance.now();
    await open({ workers: 2, tasks: slow });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
  }, 20_000);

  it('keeps running jobs on the worker that started while the others cannot start', async () => {
    const lock = join(tmpdir(), `pixel-arena-first-only-${process.pid}.lock`);
    rmSync(lock, { force: true });
    process.env.PIXEL_ARENA_TEST_LOCK = lock;
    try {
      const pool = await open({ workers: 2, tasks: new URL('./fixtures/tasks/first-only.mjs', import.meta.url), waitFor: 'first' });
      // The other worker fails to start again and again meanwhile; every job runs on the one that did.
      const threads = await Promise.all(Array.from({ length: 6 }, () => pool.run<number>('who', { wait: 200 })));
      expect(new Set(threads).size).toBe(1);
      expect(pool.size).toBe(1);
      expect(await pool.run<number>('who')).toBe(threads[0]);
    } finally {
      rmSync(lock, { force: true });
    }
  }, 20_000);

  it('rejects when no worker can start, and leaves nothing behind', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20 });
    opened.push({ arena });
    await expect(Pool.create({ arena, workers: 2, tasks: new URL('./fixtures/tasks/missing.mjs', import.meta.url), waitFor: 'first' }))
      .rejects.toMatchObject({ code: 'WORKER_FAILED' });
    await expect(Pool.create({ arena, workers: 1, waitFor: 'some' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
