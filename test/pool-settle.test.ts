// Every pool call settles, whatever the caller does around it: aborts with strange reasons,
// arguments whose getters call the pool again, Images in containers the pool does not look
// into, and arena.close() in any order with pool.close(). An arena closed in this thread can
// still be watched from a second attachment of this thread (the "observer").
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Arena, Pool, type Image } from '../dist/node.js';
import { randomImage } from './helpers/images.js';

const tasks = new URL('./fixtures/tasks/edges.mjs', import.meta.url);

/** How a promise ended: { ok }, { code, message }, or 'TIMEOUT' after `ms`. */
async function outcome(promise: Promise<unknown>, ms = 3000): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise((resolve) => { timer = setTimeout(() => resolve('TIMEOUT'), ms); });
  try {
    return await Promise.race([promise.then((ok) => {
      if (ok && typeof (ok as Image).release === 'function') {
        try { (ok as Image).release(); } catch { /* its arena was closed */ }
        return { ok: 'Image' };
      }
      return { ok };
    }, (error) => ({ code: error.code, message: error.message })), limit]);
  } finally {
    clearTimeout(timer);
  }
}

describe('calls that must settle', () => {
  it('an abort whose reason cannot be turned into a string still rejects with ABORTED, and throws nowhere', async () => {
    const script = fileURLToPath(new URL('./workers/pool-abort-reason.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 30_000 });
    const seen = JSON.parse(stdout.trim().split('\n').pop()!);
    // Guards against (seen before the fix): before → TypeError "Cannot convert object to primitive value" (abortError's
    // String(signal.reason)); queued and running → never settle, and the same TypeError is
    // thrown out of the pool's abort listener, uncaught.
    expect(seen).toEqual({
      before: { name: 'ArenaError', code: 'ABORTED' },
      queued: { name: 'ArenaError', code: 'ABORTED' },
      running: { name: 'ArenaError', code: 'ABORTED' },
      next: { ok: 5 },
      close: { ok: 'closed' },
      uncaught: [],
    });
  });

  it('a job started from a getter of another job\'s arguments (while they are cloned) settles', async () => {
    // postMessage reads the getters of the arguments while it clones them, inside
    // Scheduler.#start, before the worker is marked busy: the inner call is dispatched to
    // the same worker, and the outer call then overwrites state.job, so the inner job's
    // answer is ignored and it never settles (pool.close() settles without it).
    const arena = await Arena.create({ maxBytes: 16 << 20 });
    const pool = await Pool.create({ arena, workers: 1, tasks });
    let inner: Promise<unknown> | undefined;
    let reads = 0;
    const args = {
      a: 1,
      get b() {
        // Read once when run() checks the arguments, again when they are cloned.
        if (++reads === 2) inner = pool.run('add', { a: 10, b: 20 });
        return 2;
      },
    };
    expect(await outcome(pool.run('add', args))).toEqual({ ok: 3 });
    expect(inner).toBeDefined();
    expect(await outcome(inner!, 1000)).toEqual({ ok: 30 });
    await pool.close();
    arena.close();
  });

  it('an Image inside a Map or a class instance is refused, not sent as a plain object', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20 });
    const pool = await Pool.create({ arena, workers: 1, tasks });
    const image = arena.image('L', 4, 4);
    class Box { constructor(readonly image: Image) {} }
    // Guards against (seen before the fix): both resolved: the task receives { mode, width, height, arena } (a structured
    // clone of the Image object's own fields), { isImage: false, constructor: 'Object' }.
    expect(await outcome(pool.run('inspect', new Map([['image', image]])))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await outcome(pool.run('inspect', { box: new Box(image) }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    image.release();
    await pool.close();
    arena.close();
  });

  it('an Image a task returns inside a Map is refused and released, not kept by the worker', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20 });
    const pool = await Pool.create({ arena, workers: 1, tasks });
    const before = arena.stats().imagesLive;
    const result = await outcome(pool.run('imageInMap'));
    // Guards against (seen before the fix): resolves with a Map holding a plain object, and the worker's reference to the
    // 64×64 image stays live until the worker ends.
    expect(result).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(arena.stats().imagesLive).toBe(before);
    await pool.close();
    arena.close();
  });
});

describe('arena.close() and pool.close() in any order', () => {
  const orders = ['arena, then await the call, then pool', 'arena and pool in one turn', 'pool and arena in one turn'] as const;
  const calls = {
    gaussianBlur: (pool: Pool, image: Image) => pool.gaussianBlur(image, 6),
    resize: (pool: Pool, image: Image) => pool.resize(image, 333, 444, { filter: 'lanczos' }),
    decode: (pool: Pool, _: Image, png: Uint8Array) => pool.decode(png),
    encode: (pool: Pool, image: Image) => pool.encode(image, 'png'),
    run: (pool: Pool, image: Image) => pool.run('width', { image }),
  };

  for (const order of orders) {
    it(`every call and close() settle: ${order}`, async () => {
      const arena = await Arena.create({ maxBytes: 64 << 20 });
      const pool = await Pool.create({ arena, workers: 3, tasks });
      const image = randomImage(arena, { mode: 'RGBA', width: 400, height: 300, seed: 1 });
      const png = image.encode('png');
      const pending = Object.values(calls).map((call) => call(pool, image, png));
      let closed: Promise<void>;
      if (order === 'pool and arena in one turn') {
        closed = pool.close();
        arena.close();
      } else {
        arena.close();
        if (order === 'arena and pool in one turn') closed = pool.close();
        else {
          await Promise.allSettled(pending);
          closed = pool.close();
        }
      }
      const outcomes = await Promise.all(pending.map((p) => outcome(p, 5000)));
      expect(outcomes.filter((o) => o === 'TIMEOUT')).toEqual([]);
      for (const o of outcomes) {
        if (typeof o === 'object' && o !== null && 'code' in o) expect(['INVALID_HANDLE', 'WORKER_FAILED']).toContain((o as { code: string }).code);
      }
      expect(await outcome(closed, 5000)).toEqual({ ok: undefined });
    });
  }

  it('a result on its way back when the caller closes its arena is not left in the memory for ever', async () => {
    // The worker shares the decoded image (or the task's image) and posts its handle; the
    // caller cannot adopt it any more, so nobody ever does: the reference stays SENT, and
    // the worker's slot stays DETACHED behind it. What the closing thread itself held it
    // can reclaim by its own id; this it cannot.
    const leaks = [];
    for (const call of ['decode', 'run'] as const) {
      const arena = await Arena.create({ maxBytes: 64 << 20 });
      const observer = await Arena.attach(arena.shared);
      const start = observer.stats();
      const pool = await Pool.create({ arena, workers: 2, tasks });
      const image = randomImage(arena, { mode: 'RGB', width: 500, height: 400, seed: 2 });
      const png = image.encode('png', { level: 1 });
      image.release();
      const pending = call === 'decode' ? pool.decode(png) : pool.run('makeImage', { width: 800, height: 600 });
      arena.close();
      expect(await outcome(pending)).toMatchObject({ code: 'INVALID_HANDLE' });
      await pool.close();
      try {
        observer.reclaim(arena.attachmentId); // what the closed thread still held, if anything
      } catch (error) {
        expect((error as { code: string }).code).toBe('INVALID_HANDLE'); // it held nothing: its slot is free
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      const end = observer.stats();
      leaks.push({ call, images: end.imagesLive - start.imagesLive, bytes: end.bytesInUse - start.bytesInUse });
      observer.checkHeap();
      observer.close();
    }
    // Guards against (seen before the fix): the decoded 500×400 image and the task's 800×600 one, about 0.8 and 0.5 MB.
    expect(leaks).toEqual([{ call: 'decode', images: 0, bytes: 0 }, { call: 'run', images: 0, bytes: 0 }]);
  });
});

describe('signals', () => {
  it('a kernel with a signal on a pool of more than ten workers adds no listener per band (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = [];
    const note = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', note);
    const arena = await Arena.create({ maxBytes: 64 << 20 });
    const pool = await Pool.create({ arena, workers: 12 });
    const image = arena.image('RGB', 120, 120);
    try {
      const output = await pool.resize(image, 60, 60, { signal: new AbortController().signal });
      output.release();
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('warning', note);
      image.release();
      await pool.close();
      arena.close();
    }
    // Guards against (seen before the fix): 'MaxListenersExceededWarning: Possible EventTarget memory leak detected. 11 abort
    // listeners added to [AbortSignal]...': one listener per band job.
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });
});
