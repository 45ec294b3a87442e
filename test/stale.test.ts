// Stale is stale for good: a block, an image handle or an attachment id is refused however
// many times its address, record or slot is handed out again; numbers that do not fit a
// 32-bit address are refused before they reach the core; image geometry is computed
// without overflow.
import { describe, expect, it } from 'vitest';
import { Arena, ArenaError } from '../dist/node.js';
import { SLOTS_BASE, SLOT_SIZE } from '../src/layout.js';

/** Where this thread's tag counter lives (assembly/alloc/layout.ts, SLOT_TAG_COUNTER). */
const SLOT_TAG_COUNTER = 72;

/** Moves this thread's tag counter on, as if it had made `handOuts` hand-outs since the one with `tag`. */
function skipHandOuts(arena: Arena, tag: number, handOuts: bigint): void {
  const at = SLOTS_BASE + (arena.attachmentId % 256) * SLOT_SIZE + SLOT_TAG_COUNTER;
  new BigUint64Array(arena.memory.buffer, at, 1)[0] = BigInt(Math.floor(tag / 256)) + handOuts - 1n;
}

const code = (f: () => unknown) => {
  try { f(); } catch (error) { return (error as ArenaError).code; }
  return 'none';
};

describe('stale handles', () => {
  // Tags are a slot's counter above its index, 48 bits: the same address gets the same tag
  // back only after 2^40 hand-outs of one slot. Skipping 2^24 or 2^32 hand-outs puts the
  // old tag's low 32 bits (what a 32-bit tag would have kept) on the new block.
  it.each([
    ['a small block', 1272, 2n ** 24n],
    ['a small block', 100, 2n ** 32n],
    ['a page block', 20_000, 2n ** 24n],
    ['a page block', 20_000, 2n ** 32n],
  ])('refuses to free %s of %i bytes again after %i more hand-outs at its address', async (_, size, handOuts) => {
    const arena = await Arena.create({ maxBytes: 8 << 20, debug: true });
    const first = arena.alloc(size);
    arena.free(first);
    skipHandOuts(arena, first.tag, handOuts);
    const second = arena.alloc(size);
    expect(second.ptr).toBe(first.ptr);
    expect(second.tag % 2 ** 32).toBe(first.tag % 2 ** 32);
    expect(second.tag).not.toBe(first.tag);
    expect(code(() => arena.free(first))).toBe('DOUBLE_FREE');
    expect(code(() => arena.view(first))).toBe('INVALID_HANDLE');
    arena.view(second).fill(1); // still live
    arena.free(second);
    expect(arena.checkHeap().liveBlocks).toBe(0);
    arena.close();
  });

  it('refuses an image handle again when its record is handed out with the same low 32 tag bits', async () => {
    const arena = await Arena.create({ maxBytes: 8 << 20, debug: true });
    const image = arena.image('L', 4, 4, { fill: 3 });
    const stale = image.share();
    arena.discard(stale);
    skipHandOuts(arena, stale.tag, 2n ** 24n);
    const fresh = image.share();
    expect(fresh.record).toBe(stale.record);
    expect(fresh.tag % 2 ** 32).toBe(stale.tag % 2 ** 32);
    expect(code(() => arena.adopt(stale))).toBe('INVALID_HANDLE');
    expect(code(() => arena.discard(stale))).toBe('DOUBLE_FREE');
    const adopted = arena.adopt(fresh);
    expect(adopted.toPixels()[0]).toBe(3);
    adopted.release();
    image.release();
    expect(arena.checkHeap().liveImages).toBe(0);
    arena.close();
  });

  it('refuses a stale attachment id after 65,536 attach/detach cycles of its slot', async () => {
    const arena = await Arena.create({ maxBytes: 8 << 20 });
    const raw = async () => (await WebAssembly.instantiate(arena.shared.module, { env: { memory: arena.memory, abort() {} } })).exports as Record<string, (...args: number[]) => number>;
    const first = await raw();
    const staleId = first.attach!(0);
    first.detach!();
    // A thread attaches to the same slot 65,536 times (a 16-bit generation would wrap)...
    const other = await raw();
    let id = -1;
    for (let i = 0; i < 65_536; i++) {
      id = other.attach!(0);
      if (i < 65_535) other.detach!();
    }
    expect(id % 256).toBe(staleId % 256);
    expect(Math.floor(id / 256) % 65_536).toBe(Math.floor(staleId / 256) % 65_536);
    // ...and holds an image there; a reclaim of the old id must not touch it.
    const image = other.imageCreate!(0, 8, 8, 1, 0);
    expect(image).toBeGreaterThan(0);
    expect(code(() => arena.reclaim(staleId))).toBe('INVALID_HANDLE');
    expect(arena.isAttached(id)).toBe(true);
    expect(arena.stats().imagesLive).toBe(1);
    expect(arena.reclaim(id)).toBe(1);
    expect(arena.stats().imagesLive).toBe(0);
    arena.checkHeap();
    arena.close();
  });

  it('refuses addresses, sizes and tags that do not fit before they reach the core', async () => {
    const arena = await Arena.create({ maxBytes: 8 << 20 });
    const block = arena.alloc(1000);
    for (const bad of [{ ...block, ptr: block.ptr + 2 ** 32 }, { ...block, tag: block.tag + 2 ** 48 }, { ...block, size: 2 ** 33 }]) {
      expect(code(() => arena.free(bad))).toBe('INVALID_ARGUMENT');
      expect(code(() => arena.view(bad))).toBe('INVALID_ARGUMENT');
    }
    arena.view(block).fill(2); // untouched
    arena.free(block);
    arena.close();
  });
});

describe('image geometry', () => {
  it('refuses rows and row tables beyond 32-bit addresses with LIMIT_EXCEEDED, allocating nothing', async () => {
    const arena = await Arena.create({ maxBytes: 64 << 20, maxPixels: Number.MAX_SAFE_INTEGER, debug: true });
    // 4 × (2^30 − 1) bytes, aligned to 16, is 2^32: a u32 stride would wrap to 0.
    expect(code(() => arena.image('RGBA', 2 ** 30 - 1, 1))).toBe('LIMIT_EXCEEDED');
    // A row table of 4 × (2^30 − 1) bytes does not fit a 32-bit header size either.
    expect(code(() => arena.image('L', 1, 2 ** 30 - 1))).toBe('LIMIT_EXCEEDED');
    // Within 32 bits but larger than the heap: ARENA_FULL, as any request that can never fit.
    expect(code(() => arena.image('RGBA', 2 ** 28, 1))).toBe('ARENA_FULL');
    const stats = arena.stats();
    expect(stats.blocksInUse).toBe(0);
    expect(stats.imagesLive).toBe(0);
    expect(arena.checkHeap().liveBlocks).toBe(0);
    arena.close();
  });
});
