// One attachment: an instance of the compiled core over the arena's memory, and the few
// views through which JS reads what a call returned besides its result.

import { instantiateSync } from '@assemblyscript/loader';
import { expectedFor, errorFromStatus } from './errors.js';
import { SLOTS_BASE, SLOT_SIZE, SLOT_RESULTS, SLOT_RESULT_TAG, SLOT_STATS, RESULT_ERROR, LAYOUT_VERSION, attachmentSlot } from './layout.js';

/** The functions the core exports (assembly/index.ts). Addresses are u32 in i32 form: use `>>> 0`. */
export interface CoreExports {
  arenaInit(maxWasmPages: number, blockSize: number, blocksMax: number, alignment: number, arenaId: number, trackCalls: number): number;
  /** Returns the attachment id (generation × 256 + slot), or a negative status. */
  attach(token: number): number;
  nextToken(): number;
  attachmentOfToken(token: number): number;
  attachmentLive(id: number): number;
  arenaId(): number;
  detach(): void;
  /** References dropped, or a negative status (-STATUS_BUSY: the thread is inside a call). */
  reclaim(id: number, dead: number): number;
  allocate(bytes: number): number;
  scratchAllocate(bytes: number): number;
  scratchRelease(address: number): void;
  release(address: number, tag: number): number;
  blockLive(address: number, tag: number): number;
  memoryMaximum(): number;
  blocksMaxSet(n: number): number;
  cacheClear(keep: number): number;
  slabsRelease(): number;
  shortfallTake(): number;
  statsCollect(): number;
  heapCheck(): number;
  imageCreate(mode: number, width: number, height: number, fill: number, value: number): number;
  imageBytes(mode: number, width: number, height: number): number;
  imageShare(record: number, tag: number): number;
  /** Verifies the handle's claims (mode code, size, arena id) against the image before adopting. */
  imageAdopt(record: number, tag: number, mode: number, width: number, height: number, arena: number): number;
  imageRelease(record: number, tag: number): number;
  imageUnshare(record: number, tag: number): number;
  imageOf(record: number, tag: number): number;
  imageUnpack(image: number, source: number): number;
  imagePack(image: number, target: number): number;
  // kernels (assembly/kernels): output rows [rowStart, rowEnd) of `target` from `source`;
  // each returns a status
  transposeImage(target: number, source: number, method: number, rowStart: number, rowEnd: number): number;
  cropImage(target: number, source: number, left: number, top: number, rowStart: number, rowEnd: number): number;
  premultiplyImage(target: number, source: number, rowStart: number, rowEnd: number): number;
  unpremultiplyImage(target: number, source: number, rowStart: number, rowEnd: number): number;
  resampleImage(target: number, source: number, horizontal: number, vertical: number, premultiplied: number, rowStart: number, rowEnd: number): number;
  nearestImage(target: number, source: number, columns: number, rows: number, rowStart: number, rowEnd: number): number;
  convertImage(target: number, source: number, rowStart: number, rowEnd: number): number;
  reduceImage(target: number, source: number, factorX: number, factorY: number,
    boxX: number, boxY: number, boxWidth: number, boxHeight: number, rowStart: number, rowEnd: number): number;
  // region kernels: `target` = a copy of `base` changed in the clipped width × height
  // region at (dx, dy) of the target, read from (sx, sy) of the source and the mask (0: none)
  alphaCompositeImage(target: number, base: number, overlay: number, dx: number, dy: number, sx: number, sy: number,
    width: number, height: number, rowStart: number, rowEnd: number): number;
  pasteImage(target: number, base: number, source: number, mask: number, dx: number, dy: number, sx: number, sy: number,
    width: number, height: number, rowStart: number, rowEnd: number): number;
  fillImage(target: number, base: number, ink: number, mask: number, dx: number, dy: number, sx: number, sy: number,
    width: number, height: number, rowStart: number, rowEnd: number): number;
  // blur: every horizontal pass of rows [rowStart, rowEnd), then every vertical pass of
  // columns [columnStart, columnEnd) over the whole height
  blurRows(target: number, source: number, radius: number, passes: number, rowStart: number, rowEnd: number): number;
  blurColumns(target: number, source: number, radius: number, passes: number, columnStart: number, columnEnd: number): number;
  // codecs (assembly/codecs, contract in common.ts): decoders return an image (0: error),
  // probes a status with the header in the stats area, encoders a scratch block (0: error)
  pngProbe(input: number, length: number): number;
  pngDecode(input: number, length: number, maxPixels: number): number;
  pngEncode(image: number, level: number, filter: number): number;
  jpegProbe(input: number, length: number): number;
  jpegDecode(input: number, length: number, maxPixels: number, reduce: number): number;
  jpegEncode(image: number, quality: number, subsampling: number, progressive: number, optimize: number): number;
  qoiProbe(input: number, length: number): number;
  qoiDecode(input: number, length: number, maxPixels: number): number;
  qoiEncode(image: number): number;
  // zlib streams of arena memory (fuzzing and benchmarks): a scratch block, RESULT_SIZE bytes
  zlibInflate(input: number, length: number, maxOutput: number): number;
  zlibDeflate(input: number, length: number, level: number): number;
}

export class Core {
  readonly exports: CoreExports;
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  #slot = -1;
  #results: Uint32Array;
  #tag: Float64Array;
  #stats: Float64Array;

  private constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, instance: WebAssembly.Instance) {
    this.module = module;
    this.memory = memory;
    this.exports = instance.exports as unknown as CoreExports;
    this.#results = new Uint32Array(0);
    this.#tag = new Float64Array(0);
    this.#stats = new Float64Array(0);
  }

  /** Instantiates the core over `memory`; a module built for the other kind of memory is refused. */
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<Core> {
    try {
      // Synchronous: the module is compiled already (and small), and the loader's async path
      // probes for `Response`, which makes Node load its fetch implementation in every thread.
      const { instance } = instantiateSync<Record<string, unknown>>(module, { env: { memory } });
      // A core of another release of the package speaks another protocol (arguments, flags).
      const layout = (instance.exports.LAYOUT_VERSION as WebAssembly.Global | undefined)?.value;
      if (layout !== LAYOUT_VERSION) {
        throw expectedFor('options.module', `the core of this release of pixel-arena (layout ${LAYOUT_VERSION})`,
          layout === undefined ? 'a module that is no pixel-arena core' : `the core of another release (layout ${layout})`);
      }
      return new Core(module, memory, instance);
    } catch (error) {
      if (error instanceof WebAssembly.LinkError) {
        throw expectedFor('options.module', `a pixel-arena core built for ${memory.buffer instanceof ArrayBuffer ? 'plain' : 'shared'} memory`,
          `one that does not link: ${error.message}`);
      }
      throw error;
    }
  }

  /** Binds the result views to the slot this instance attached to. */
  bindSlot(id: number): void {
    this.#slot = attachmentSlot(id);
    this.#refreshViews();
  }

  #refreshViews(): void {
    const base = SLOTS_BASE + this.#slot * SLOT_SIZE;
    this.#results = new Uint32Array(this.memory.buffer, base + SLOT_RESULTS, 4);
    this.#tag = new Float64Array(this.memory.buffer, base + SLOT_RESULT_TAG, 1);
    this.#stats = new Float64Array(this.memory.buffer, base + SLOT_STATS, 16);
  }

  /** The result words of the last call (fixed low memory: a view stays valid unless a plain memory grew). */
  get results(): Uint32Array {
    if (this.#results.length === 0) this.#refreshViews();
    return this.#results;
  }

  /** The random id the arena was made with (blocks and image handles carry it). */
  get arenaId(): number {
    if (this.#arenaId === undefined) this.#arenaId = this.exports.arenaId() >>> 0;
    return this.#arenaId;
  }

  #arenaId: number | undefined;

  /** The tag of what the last call handed out (a block, a record). */
  get tag(): number {
    if (this.#tag.length === 0) this.#refreshViews();
    const tag = this.#tag[0]!;
    // A number read from a Float64Array stays a boxed double when stored in an object;
    // `| 0` makes the tags of the first 2^30 hand-outs of a slot small integers, stored
    // unboxed in the Block, so alloc() allocates one object, not two.
    return tag < 0x40000000 ? tag | 0 : tag;
  }

  get stats(): Float64Array {
    if (this.#stats.length === 0) this.#refreshViews();
    return this.#stats;
  }

  /**
   * A temporary block for the library's own use (freed by {@link Core.releaseScratch}, or
   * by reclaim if this thread dies first).
   */
  scratch(bytes: number, what: string): number {
    const address = this.exports.scratchAllocate(bytes) >>> 0;
    if (address === 0) throw errorFromStatus(this.results[RESULT_ERROR]!, what);
    return address;
  }

  releaseScratch(address: number): void {
    this.exports.scratchRelease(address);
  }

  /** Throws the ArenaError for a status a core call returned (0: nothing). */
  check(status: number, what: string): void {
    if (status !== 0) throw errorFromStatus(status, what);
  }

  /**
   * The memory's buffer, reaching at least `end`. When another thread has grown a shared
   * memory, V8 refreshes this thread's `memory.buffer` lazily: until then it is the old,
   * shorter SharedArrayBuffer, and a block in the new part is out of its range. `grow(0)`
   * makes it catch up at once.
   */
  buffer(end: number): ArrayBufferLike {
    let buffer = this.memory.buffer;
    if (end > buffer.byteLength) {
      this.memory.grow(0);
      buffer = this.memory.buffer;
    }
    return buffer;
  }

  /** A view of `length` bytes at `address`, over the memory as it is now. */
  bytes(address: number, length: number): Uint8Array {
    return new Uint8Array(this.buffer(address + length), address, length);
  }

  /** The 32-bit word at `address` (4-byte aligned). */
  word(address: number): number {
    return new Uint32Array(this.buffer(address + 4), address, 1)[0]!;
  }
}
