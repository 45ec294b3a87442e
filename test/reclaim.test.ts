// A thread that dies holding image references: reclaim() drops every one of them (held,
// adopted, shared but never adopted) and frees its slot; nothing else is disturbed.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { Arena } from '../dist/node.js';
import { SLOTS_BASE, SLOT_SIZE, SLOT_IN_CORE } from '../src/layout.js';

describe('reclaiming a dead thread\'s references', () => {
  it.each(['throw', 'exit', 'busy', 'close'])('after the worker dies by %s', async (death) => {
    const arena = await Arena.create({ maxBytes: 64 << 20, debug: true });
    const mine = arena.image('L', 10, 10, { fill: 9 });
    const worker = new Worker(new URL('./workers/dying-worker.mjs', import.meta.url), {
      workerData: { shared: arena.shared, handle: mine.share(), death },
    });
    worker.on('error', () => {});
    const exited = new Promise<number>((resolve) => worker.on('exit', resolve));
    const hello = await new Promise<any>((resolve) => worker.once('message', resolve));
    const fromWorker = arena.adopt(hello.forMain); // this reference is ours now, not the worker's
    expect(arena.stats().imagesLive).toBe(6);
    worker.postMessage('die');
    if (death === 'busy') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await worker.terminate();
    }
    await exited;
    expect(arena.isAttached(hello.id)).toBe(death !== 'close');
    const dropped = arena.reclaim(hello.id);
    expect(dropped).toBe(7); // 5 made + 1 adopted + 1 shared and never adopted
    expect(arena.stats().reclaimed).toBe(7);
    expect(arena.isAttached(hello.id)).toBe(false);
    // A stale id is refused for good: the slot's next thread has another generation.
    expect(() => arena.reclaim(hello.id)).toThrow(expect.objectContaining({ code: 'INVALID_HANDLE' }));
    expect(() => arena.adopt(hello.unadopted)).toThrow(expect.objectContaining({ code: 'INVALID_HANDLE' }));
    // What the main thread holds is untouched.
    expect(mine.toPixels()[99]).toBe(9);
    expect(fromWorker.toPixels().length).toBe(40 * 30 * 3);
    expect(arena.stats().imagesLive).toBe(2);
    mine.release();
    fromWorker.release();
    expect(arena.stats().imagesLive).toBe(0);
    const heap = arena.checkHeap();
    expect(heap.liveBlocks).toBe(0);
    expect(heap.liveReferences).toBe(0);
    expect(arena.stats().attachments).toBe(1);
    arena.close();
  });

  it('frees the temporaries the core held for a thread that died', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, debug: true });
    // A second attachment driven at the level of the core, standing for a thread that was
    // stopped while the library was copying pixels for it.
    const instance = await WebAssembly.instantiate(arena.shared.module, {
      env: { memory: arena.memory, abort: () => { throw new Error('abort'); } },
    });
    const core = instance.exports as Record<string, (...args: number[]) => number>;
    const id = core.attach!(0);
    expect(core.scratchAllocate!(300_000)).toBeGreaterThan(0);
    expect(core.scratchAllocate!(100)).toBeGreaterThan(0);
    expect(arena.stats().blocksInUse).toBe(2);
    expect(arena.reclaim(id)).toBe(0); // no image references, but the scratch goes
    expect(arena.stats().blocksInUse).toBe(0);
    expect(arena.isAttached(id)).toBe(false);
    arena.checkHeap();
    arena.close();
  });

  it('tracks calls only where asked: Node\'s default waits for the exit event', async () => {
    const node = await Arena.create({ maxBytes: 16 << 20 });
    expect(node.tracksCalls).toBe(false);
    const plain = await Arena.create({ maxBytes: 16 << 20, shared: false, trackCalls: true });
    expect(plain.tracksCalls).toBe(true);
    plain.close();
    await expect(Arena.create({ maxBytes: 16 << 20, trackCalls: 1 as never }))
      .rejects.toThrow('Expected boolean for options.trackCalls but received 1 of type number');
    // A second attachment driven at the level of the core: a thread that may still run.
    const instance = await WebAssembly.instantiate(node.shared.module, {
      env: { memory: node.memory, abort: () => { throw new Error('abort'); } },
    });
    const core = instance.exports as Record<string, (...args: number[]) => number>;
    const id = core.attach!(0);
    expect(core.scratchAllocate!(5000)).toBeGreaterThan(0);
    // Untracked, nothing tells whether it is inside a call: refused, with no effect.
    await expect(node.reclaimWhenStopped(id, { timeout: 0 })).rejects.toMatchObject({
      code: 'UNSUPPORTED', message: expect.stringContaining('trackCalls: false'),
    });
    expect(node.isAttached(id)).toBe(true);
    expect(core.scratchAllocate!(100)).toBeGreaterThan(0); // not fenced
    expect(node.reclaim(id)).toBe(0); // once it has stopped
    // A stale id is INVALID_HANDLE here too.
    await expect(node.reclaimWhenStopped(id)).rejects.toMatchObject({ code: 'INVALID_HANDLE' });
    expect(node.stats().blocksInUse).toBe(0);
    node.checkHeap();
    node.close();
  });

  it('in an arena that tracks calls, waits while the thread is inside a call and refuses its calls meanwhile', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, trackCalls: true });
    expect(arena.tracksCalls).toBe(true);
    const instance = await WebAssembly.instantiate(arena.shared.module, {
      env: { memory: arena.memory, abort: () => { throw new Error('abort'); } },
    });
    const core = instance.exports as Record<string, (...args: number[]) => number>;
    const id = core.attach!(0);
    expect(core.scratchAllocate!(5000)).toBeGreaterThan(0);
    // Its calls publish that they are in the core; stand for one cut off inside a call.
    const inCore = new Int32Array(arena.memory.buffer, SLOTS_BASE + (id % 256) * SLOT_SIZE + SLOT_IN_CORE, 1);
    expect(Atomics.load(inCore, 0)).toBe(0);
    Atomics.store(inCore, 0, 1);
    let settled = false;
    const reclaimed = arena.reclaimWhenStopped(id, { timeout: 5000 }).then((n) => { settled = true; return n; });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(settled).toBe(false);
    expect(arena.isAttached(id)).toBe(false); // fenced
    Atomics.store(inCore, 0, 0);
    expect(core.scratchAllocate!(100)).toBe(0); // refused from the fence on
    expect(await reclaimed).toBe(0);
    expect(arena.stats().blocksInUse).toBe(0);
    arena.checkHeap();
    arena.close();
  });

  it('refuses to reclaim its own attachment and malformed ids', async () => {
    const arena = await Arena.create({ maxBytes: 4 << 20 });
    expect(() => arena.reclaim(arena.attachmentId)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => arena.reclaim(-1)).toThrow('Expected integer between 0 and 1099511627775 for attachmentId but received -1 of type number');
    arena.close();
  });

  it('discards a handle that will never be adopted', async () => {
    const arena = await Arena.create({ maxBytes: 4 << 20 });
    const image = arena.image('RGBA', 3, 3);
    const handle = image.share();
    image.release();
    expect(arena.stats().imagesLive).toBe(1);
    arena.discard(handle);
    expect(arena.stats().imagesLive).toBe(0);
    expect(() => arena.discard(handle)).toThrow(expect.objectContaining({ code: 'DOUBLE_FREE' }));
    expect(() => arena.adopt(handle)).toThrow(expect.objectContaining({ code: 'INVALID_HANDLE' }));
    arena.checkHeap();
    arena.close();
  });
});
