// Every error code of the API that the arena raises, each an ArenaError with a stable
// code, and the arena consistent afterwards (heap walk after each).
import { describe, expect, it } from 'vitest';
import { Arena, ArenaError, type Block } from '../dist/node.js';

function raises(f: () => unknown, code: string, message?: RegExp): void {
  let thrown: unknown;
  try { f(); } catch (error) { thrown = error; }
  expect(thrown, `expected ${code}`).toBeInstanceOf(ArenaError);
  expect((thrown as ArenaError).code).toBe(code);
  expect((thrown as ArenaError).name).toBe('ArenaError');
  expect(thrown).toBeInstanceOf(Error);
  if (message) expect((thrown as ArenaError).message).toMatch(message);
}

describe('error codes', () => {
  it('INVALID_ARGUMENT names the parameter and what was received', async () => {
    const arena = await Arena.create({ maxBytes: 8 << 20 });
    raises(() => arena.alloc(0), 'INVALID_ARGUMENT', /^Expected integer between 1 and 4294901760 for bytes but received 0 of type number$/);
    raises(() => arena.alloc(1e12), 'INVALID_ARGUMENT', /for bytes but received 1000000000000 of type number/);
    raises(() => arena.alloc(64 << 20), 'ARENA_FULL'); // larger than this arena can ever hold
    raises(() => arena.alloc('8' as never), 'INVALID_ARGUMENT', /for bytes but received '8' of type string/);
    raises(() => arena.free({ ptr: 1.5, size: 8, tag: 1 }), 'INVALID_ARGUMENT', /^Expected a Block from arena\.alloc\(\) for block but received Object of type object$/);
    raises(() => arena.free(null as never), 'INVALID_ARGUMENT', /for block but received null/);
    raises(() => arena.free({ ptr: 8, size: 8, tag: 1 }), 'INVALID_ARGUMENT', /the address is not a block of this arena/);
    raises(() => arena.free({ ptr: 2 ** 31, size: 8, tag: 1 }), 'INVALID_ARGUMENT', /not a block of this arena/);
    const block = arena.alloc(100);
    raises(() => arena.free({ ...block, ptr: block.ptr + 3 }), 'INVALID_ARGUMENT', /not a block of this arena/);
    arena.free(block);
    raises(() => arena.adopt({ nope: true } as never), 'INVALID_ARGUMENT', /for handle/);
    await expect(Arena.attach({} as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    arena.checkHeap();
    arena.close();
  });

  it('ARENA_FULL when nothing can hold the request', async () => {
    const arena = await Arena.create({ maxBytes: 4 << 20 });
    raises(() => arena.alloc(4 << 20), 'ARENA_FULL', /^alloc\(4194304\): the arena has no free memory that can hold it/);
    raises(() => arena.image('RGBA', 1024, 1024), 'ARENA_FULL');
    arena.checkHeap();
    expect(arena.stats().blocksInUse).toBe(0);
    arena.close();
  });

  it('DOUBLE_FREE for blocks and image references released twice', async () => {
    const arena = await Arena.create({ maxBytes: 8 << 20, debug: true });
    const blocks: Block[] = [arena.alloc(24), arena.alloc(5000), arena.alloc(1 << 20)];
    for (const b of blocks) {
      arena.free(b);
      raises(() => arena.free(b), 'DOUBLE_FREE', /already freed/);
    }
    const image = arena.image('LA', 4, 4);
    image.release();
    raises(() => image.release(), 'DOUBLE_FREE');
    arena.checkHeap();
    arena.close();
  });

  it('INVALID_HANDLE for handles and images that are no longer live', async () => {
    const arena = await Arena.create({ maxBytes: 8 << 20 });
    const image = arena.image('RGB', 2, 2);
    const handle = image.share();
    arena.adopt(handle).release();
    raises(() => arena.adopt(handle), 'INVALID_HANDLE');
    image.release();
    raises(() => image.toPixels(), 'INVALID_HANDLE', /toPixels\(\): this image was released/);
    const block = arena.alloc(64);
    arena.free(block);
    raises(() => arena.view(block), 'INVALID_HANDLE', /not live/);
    arena.close();
    raises(() => arena.alloc(1), 'INVALID_HANDLE', /closed/);
    raises(() => arena.stats(), 'INVALID_HANDLE');
  });

  it('LIMIT_EXCEEDED for images over the pixel limit and when every slot is attached', async () => {
    const arena = await Arena.create({ maxBytes: 8 << 20, maxPixels: 100 });
    raises(() => arena.image('L', 11, 10), 'LIMIT_EXCEEDED', /110 pixels, more than the arena's limit of 100/);
    raises(() => arena.fromPixels('L', 101, 1, new Uint8Array(101)), 'LIMIT_EXCEEDED');
    const others: Arena[] = [];
    for (let i = 1; i < 128; i++) others.push(await Arena.attach(arena.shared));
    expect(arena.stats().attachments).toBe(128);
    await expect(Arena.attach(arena.shared)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/every attachment slot/) });
    others.pop()!.close();
    others.push(await Arena.attach(arena.shared)); // a freed slot is taken again
    others.forEach((o) => o.close());
    expect(arena.stats().attachments).toBe(1);
    arena.checkHeap();
    arena.close();
  });

  it('UNSUPPORTED for sharing an arena whose memory is not shared', async () => {
    const arena = await Arena.create({ maxBytes: 8 << 20, shared: false });
    raises(() => arena.shared, 'UNSUPPORTED', /not shared/);
    arena.close();
  });
});
