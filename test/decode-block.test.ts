// Decoding and probing a file that is already in the arena (a Block it was read into): the
// same pixels as Pillow (test/goldens/jpeg-decode.json) and as decoding the bytes, read in
// place, and every bad input refused with nothing left allocated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Arena } from '../dist/node.js';
import { loadJpegGoldens, jpegPath, expectDecode, type JpegDecodeGolden } from './helpers/jpeg.js';

const goldens = loadJpegGoldens().filter((g) => g.name.startsWith('corpus/') && !('error' in g.decode[1]));

let arena: Arena;

beforeAll(async () => {
  arena = await Arena.create({ maxBytes: 64 << 20, debug: true });
});

afterAll(() => {
  expect(arena.stats().imagesLive).toBe(0);
  expect(arena.stats().blocksInUse).toBe(0);
  arena.checkHeap();
  arena.close();
});

/** A block holding `bytes` (larger than them: the length says where the file ends). */
function inArena(bytes: Uint8Array) {
  const block = arena.alloc(bytes.length + 100);
  const view = arena.view(block);
  view.set(bytes);
  view.fill(0xAB, bytes.length); // what follows the file is not part of it
  return block;
}

describe('decode and probe of a Block', () => {
  it.each(goldens.slice(0, 12).map((g) => [g.name, g] as const))('%s: Pillow\'s pixels, read in place', (name, golden) => {
    const bytes = readFileSync(jpegPath(name)!);
    const block = inArena(bytes);
    const inUse = arena.stats().blocksInUse;
    try {
      for (const reduce of [1, 4] as const) {
        const image = arena.decode(block, { length: bytes.length, reduce });
        try {
          expectDecode(`${name} reduce ${reduce}`, image, golden.decode[reduce] as JpegDecodeGolden);
        } finally {
          image.release();
        }
      }
      expect(arena.probe(block, { length: bytes.length })).toEqual(arena.probe(bytes));
      // The block is the caller's still, untouched; no scratch block was taken for the input.
      expect(arena.view(block).subarray(0, bytes.length)).toEqual(new Uint8Array(bytes));
      expect(arena.stats().blocksInUse).toBe(inUse);
    } finally {
      arena.free(block);
    }
  });

  it('decodes a PNG from a block as from its bytes', () => {
    const bytes = readFileSync(new URL('../samples/png/chelsea.png', import.meta.url));
    const block = inArena(bytes);
    try {
      const fromBlock = arena.decode(block, { length: bytes.length });
      const fromBytes = arena.decode(bytes);
      expect(fromBlock.mode).toBe(fromBytes.mode);
      expect(fromBlock.toPixels()).toEqual(fromBytes.toPixels());
      fromBlock.release();
      fromBytes.release();
    } finally {
      arena.free(block);
    }
  });

  it('refuses a block of another arena, in free and view too, even at the same address and tag', async () => {
    const other = await Arena.create({ maxBytes: 64 << 20 });
    try {
      const bytes = readFileSync(jpegPath(goldens[0]!.name)!);
      const ours = inArena(bytes);
      // Both arenas hand out the same first addresses and tags: only the arena id tells them apart.
      let theirs = other.alloc(ours.size);
      const spare = [];
      while (theirs.ptr !== ours.ptr && spare.length < 64) { spare.push(theirs); theirs = other.alloc(ours.size); }
      for (const call of [() => arena.decode(theirs), () => arena.probe(theirs), () => arena.view(theirs), () => arena.free(theirs)]) {
        expect(call).toThrow(expect.objectContaining({ code: 'INVALID_HANDLE', message: expect.stringContaining('another arena') }));
      }
      expect(arena.view(ours).subarray(0, bytes.length)).toEqual(new Uint8Array(bytes)); // still live, untouched
      for (const block of [theirs, ...spare]) other.free(block);
      arena.free(ours);
      other.checkHeap();
    } finally {
      other.close();
    }
  });

  it('reads a block\'s numbers once: getters cannot pass the checks with one address and hand another', () => {
    const bytes = readFileSync(jpegPath(goldens[0]!.name)!);
    const live = inArena(bytes);
    const freed = inArena(bytes);
    arena.free(freed);
    let reads = 0;
    const shifty = { get ptr() { return ++reads <= 1 ? live.ptr : freed.ptr; }, size: live.size, tag: live.tag };
    const image = arena.decode(shifty, { length: bytes.length });
    expect(reads).toBe(1);
    image.release();
    arena.free(live);
  });

  it('decodes a view of an unshared arena\'s own memory even when the call grows the memory', async () => {
    const plain = await Arena.create({ maxBytes: 64 << 20, shared: false, blocksMax: 0 });
    try {
      const bytes = readFileSync(jpegPath(goldens[0]!.name)!);
      const block = plain.alloc(bytes.length);
      plain.view(block).set(bytes);
      // Take every page the memory has, so that the scratch copy must grow it (detaching the view).
      const fill = [];
      for (;;) { const x = plain.alloc(4096); fill.push(x); if (x.ptr + x.size >= plain.memory.buffer.byteLength) break; }
      const image = plain.decode(plain.view(block).subarray(0, bytes.length));
      const expected = arena.decode(bytes);
      expect(image.toPixels()).toEqual(expected.toPixels());
      image.release();
      expected.release();
      for (const x of fill) plain.free(x);
      plain.free(block);
      plain.checkHeap();
    } finally {
      plain.close();
    }
  });

  it('refuses a freed block, a length past the block, an empty one, and length with bytes', () => {
    const bytes = readFileSync(jpegPath(goldens[0]!.name)!);
    const block = inArena(bytes);
    const inUse = arena.stats().blocksInUse;
    expect(() => arena.decode(block, { length: block.size + 1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => arena.decode(block, { length: 1.5 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => arena.decode(block, { length: 0 })).toThrow(expect.objectContaining({ code: 'DECODE_FAILED' }));
    expect(() => arena.probe(block, { length: 0 })).toThrow(expect.objectContaining({ code: 'DECODE_FAILED' }));
    // Cut short: the decoder sees only the first half.
    expect(() => arena.decode(block, { length: bytes.length >> 1 })).toThrow(expect.objectContaining({ code: 'DECODE_FAILED' }));
    expect(() => arena.decode(bytes, { length: 10 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => arena.decode({ ptr: block.ptr, size: block.size } as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => arena.decode('photo.jpg' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(arena.stats().blocksInUse).toBe(inUse);
    expect(arena.stats().imagesLive).toBe(0);
    arena.free(block);
    expect(() => arena.decode(block, { length: bytes.length })).toThrow(expect.objectContaining({ code: 'INVALID_HANDLE' }));
    expect(() => arena.probe(block)).toThrow(expect.objectContaining({ code: 'INVALID_HANDLE' }));
    arena.checkHeap();
  });
});
