// Reading memory that another thread has grown. V8 refreshes a thread's view of a shared
// WebAssembly.Memory lazily: until it does, `memory.buffer` in this thread is the old,
// shorter SharedArrayBuffer, and a block another thread placed in the new part is out of its
// range (`npm run stress` once saw `arena.view()` throw a RangeError so). The window is
// V8's, so this test makes it: the memory grows, and then `buffer` keeps answering the old
// SharedArrayBuffer until someone calls grow(), as a thread that has not caught up does.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Core } from '../src/core.js';

const MODULE = new WebAssembly.Module(readFileSync(new URL('../dist/pixel-arena.shared.wasm', import.meta.url)));
const MAX_PAGES = 4096; // 256 MiB

/** A memory whose `buffer` lags behind, as another thread's growth leaves it, until grow() is called. */
function lagging(memory: WebAssembly.Memory, stale: ArrayBufferLike): WebAssembly.Memory {
  let caughtUp = false;
  return {
    get buffer() { return caughtUp ? memory.buffer : stale; },
    grow(delta: number) { caughtUp = true; return memory.grow(delta); },
  } as WebAssembly.Memory;
}

describe('memory grown by another thread', () => {
  it('a block in the grown part is read through a buffer that has caught up', async () => {
    const memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
    const core = await Core.create(MODULE, memory);
    expect(core.exports.arenaInit(MAX_PAGES, 1 << 20, 0, 16, 7, 0)).toBe(0);
    const id = core.exports.attach(0);
    expect(id).toBeGreaterThanOrEqual(0);
    core.bindSlot(id);
    const before = memory.buffer;
    // Enough that the heap must grow the memory to place it.
    const size = 64 << 20;
    const address = core.exports.allocate(size) >>> 0;
    expect(address).not.toBe(0);
    expect(address + size).toBeGreaterThan(before.byteLength);
    const tag = core.tag;
    new Uint8Array(memory.buffer, address, size).fill(7, size - 16);

    Object.defineProperty(core, 'memory', { value: lagging(memory, before) });
    const tail = core.bytes(address + size - 16, 16);
    expect([...tail]).toEqual(new Array(16).fill(7));
    expect(core.word(address + size - 4)).toBe(0x07070707);
    expect(core.exports.release(address, tag)).toBe(0);
  });
});
