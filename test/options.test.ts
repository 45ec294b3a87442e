// Option validation of Arena.create: every bad value is INVALID_ARGUMENT with a message
// that names the option and what was received.
import { describe, expect, it } from 'vitest';
import { Arena, ArenaError } from '../dist/node.js';

async function rejection(options: unknown): Promise<ArenaError> {
  try {
    await Arena.create(options as never);
  } catch (error) {
    expect(error).toBeInstanceOf(ArenaError);
    return error as ArenaError;
  }
  throw new Error('expected Arena.create to reject');
}

describe('Arena.create options', () => {
  it.each([
    [{ maxBytes: 1.5 }, 'Expected integer between 2097152 and 4294901760 for options.maxBytes but received 1.5 of type number'],
    [{ maxBytes: 1024 }, 'Expected integer between 2097152 and 4294901760 for options.maxBytes but received 1024 of type number'],
    [{ maxBytes: 2 ** 32 }, 'Expected integer between 2097152 and 4294901760 for options.maxBytes but received 4294967296 of type number'],
    [{ maxBytes: '1G' }, "Expected integer between 2097152 and 4294901760 for options.maxBytes but received '1G' of type string"],
    [{ maxBytes: 8 << 20, initialBytes: 16 << 20 }, 'Expected integer between 0 and 8388608 for options.initialBytes but received 16777216 of type number'],
    [{ blockSize: 5000 }, 'Expected multiple of 4096 between 4096 and maxBytes (1073741824) for options.blockSize but received 5000 of type number'],
    [{ blockSize: 0 }, 'Expected multiple of 4096 between 4096 and maxBytes (1073741824) for options.blockSize but received 0 of type number'],
    [{ maxBytes: 4 << 20, blockSize: 8 << 20 }, 'Expected multiple of 4096 between 4096 and maxBytes (4194304) for options.blockSize but received 8388608 of type number'],
    [{ blocksMax: -1 }, 'Expected integer between 0 and 2147483647 for options.blocksMax but received -1 of type number'],
    [{ blocksMax: NaN }, 'Expected integer between 0 and 2147483647 for options.blocksMax but received NaN of type number'],
    [{ alignment: 3 }, 'Expected power of two between 1 and 4096 for options.alignment but received 3 of type number'],
    [{ alignment: 8192 }, 'Expected power of two between 1 and 4096 for options.alignment but received 8192 of type number'],
    [{ shared: 'yes' }, "Expected boolean for options.shared but received 'yes' of type string"],
    [{ debug: 1 }, 'Expected boolean for options.debug but received 1 of type number'],
    [{ maxPixels: 0 }, 'Expected integer between 1 and 9007199254740991 for options.maxPixels but received 0 of type number'],
    [{ module: new Uint8Array(8) }, 'Expected WebAssembly.Module for options.module but received a Uint8Array of 8 bytes'],
    [42, 'Expected object for options but received 42 of type number'],
    [[], 'Expected object for options but received [] of type object'],
  ])('rejects %j', async (options, message) => {
    const error = await rejection(options);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(message);
  });

  it('accepts the limits and reports them', async () => {
    const arena = await Arena.create({ maxBytes: 3 * 1024 * 1024 + 1, blockSize: 4096, blocksMax: 0, alignment: 4096 });
    const stats = arena.stats();
    expect(stats.bytesMax).toBe(3 * 1024 * 1024 + 65536); // rounded up to a wasm page
    expect(stats.blocksCached).toBe(0);
    const image = arena.image('RGB', 10, 3);
    expect(image.toPixels()).toEqual(new Uint8Array(90));
    image.release();
    arena.checkHeap();
    arena.close();
  });

  it('commits initialBytes up front and grows from there', async () => {
    const arena = await Arena.create({ maxBytes: 64 << 20, initialBytes: 8 << 20 });
    expect(arena.stats().bytesCommitted).toBeGreaterThanOrEqual(8 << 20);
    expect(arena.memory.buffer.byteLength).toBe(arena.stats().bytesCommitted);
    arena.close();
  });

  it('refuses a module built for the other kind of memory', async () => {
    const plain = await Arena.create({ shared: false, maxBytes: 4 << 20 });
    const shared = await Arena.create({ maxBytes: 4 << 20 });
    const error = await rejection({ shared: false, module: shared.shared.module, maxBytes: 4 << 20 });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/^Expected a pixel-arena core built for plain memory for options\.module but received one that does not link/);
    expect(() => plain.shared).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    plain.close();
    shared.close();
  });

  it('refuses the core of another release, and a module that is no core', async () => {
    // A module whose only export is LAYOUT_VERSION = 3, as the cores before trackCalls had.
    const name = [...'LAYOUT_VERSION'].map((c) => c.charCodeAt(0));
    const older = new WebAssembly.Module(new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      0x06, 0x06, 0x01, 0x7f, 0x00, 0x41, 0x03, 0x0b, // global i32 = 3
      0x07, 0x12, 0x01, 0x0e, ...name, 0x03, 0x00, // export it
    ]));
    const error = await rejection({ module: older, maxBytes: 4 << 20 });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe('Expected the core of this release of pixel-arena (layout 4) for options.module but received the core of another release (layout 3)');
    const empty = new WebAssembly.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    expect((await rejection({ module: empty, maxBytes: 4 << 20 })).message)
      .toBe('Expected the core of this release of pixel-arena (layout 4) for options.module but received a module that is no pixel-arena core');
  });

  it('validates setBlocksMax and clearCache', async () => {
    const arena = await Arena.create({ maxBytes: 4 << 20 });
    expect(() => arena.setBlocksMax(-2)).toThrow('Expected integer between 0 and 2147483647 for blocksMax but received -2 of type number');
    expect(() => arena.clearCache(0.5)).toThrow('Expected integer between 0 and 2147483647 for keep but received 0.5 of type number');
    arena.close();
  });
});
