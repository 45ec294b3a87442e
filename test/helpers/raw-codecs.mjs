// The core's raw zlib exports (zlibDeflate, zlibInflate) through an attachment of their
// own: for the inflate tests, the fuzzer and the benchmark. Plain JavaScript, so that
// scripts run by node import it as well as the tests.

/**
 * Opens a second attachment of `arena`'s core. `deflate(bytes, level)` and
 * `inflate(bytes, maxOutput)` return the output bytes, or the core's status code on error.
 */
export async function rawCodecs(arena) {
  const instance = await WebAssembly.instantiate(arena.shared.module, {
    env: { memory: arena.memory, abort: () => { throw new Error('core abort'); } },
  });
  const core = instance.exports;
  const id = core.attach(0);
  if (id < 0) throw new Error(`attach failed: ${id}`);
  const slotResults = core.SLOTS_BASE.value + (id & 0xff) * core.SLOT_SIZE.value + core.SLOT_RESULTS.value;
  const results = () => new Uint32Array(arena.memory.buffer, slotResults, 4);
  /**
   * @param {Uint8Array} input
   * @param {(address: number, length: number) => number} f
   * @returns {Uint8Array | number}
   */
  const call = (input, f) => {
    const address = core.scratchAllocate(Math.max(1, input.length)) >>> 0;
    if (address === 0) throw new Error('scratch allocation failed');
    new Uint8Array(arena.memory.buffer, address, input.length).set(input);
    const output = f(address, input.length) >>> 0;
    core.scratchRelease(address);
    if (output === 0) return /** @type {number} */ (results()[1]);
    const bytes = new Uint8Array(arena.memory.buffer, output, /** @type {number} */ (results()[0])).slice();
    core.scratchRelease(output);
    return bytes;
  };
  return {
    /** @type {(input: Uint8Array, level: number) => Uint8Array | number} */
    deflate: (input, level) => call(input, (a, n) => core.zlibDeflate(a, n, level)),
    /** @type {(input: Uint8Array, maxOutput?: number) => Uint8Array | number} */
    inflate: (input, maxOutput = 1 << 30) => call(input, (a, n) => core.zlibInflate(a, n, maxOutput)),
    /** The same calls without the copies: address and length of data already in the arena. */
    exports: core,
    results,
    close: () => arena.reclaim(id),
  };
}
