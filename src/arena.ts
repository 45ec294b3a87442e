// The public Arena: one shared WebAssembly.Memory and the lock-free allocator inside it.

import { Core } from './core.js';
import {
  arenaClosed,
  errorFromStatus, type ArenaError, STATUS_OK, STATUS_BUSY, STATUS_INVALID_HANDLE, unsupported, blockNotLive,
  heapCorrupt, foreignHandle, deadHandle,
} from './errors.js';
import {
  MAX_MEMORY_BYTES, WASM_PAGE, PAGE_SIZE, MODES, MODE_CODE, PACKED_SIZE, FILL_NONE, FILL_ZERO, FILL_VALUE,
  RESULT_SIZE, RESULT_ERROR, RESULT_AUX, MEMORY_BASE, VIOLATIONS, TAG_LIMIT, ATTACHMENT_ID_LIMIT,
  STAT_BYTES_COMMITTED, STAT_BYTES_IN_USE, STAT_PEAK_BYTES, STAT_BLOCKS_IN_USE, STAT_BLOCKS_CACHED,
  STAT_IMAGES_LIVE, STAT_ALLOCATED, STAT_REUSED, STAT_FREED, STAT_RECLAIMED, STAT_BYTES_HELD,
  STAT_ATTACHMENTS, WALK_LIVE_BLOCKS, WALK_LIVE_BYTES, WALK_CACHED_BLOCKS, WALK_FREE_PAGES,
  WALK_SLAB_PAGES, WALK_REF_CHUNKS, WALK_LIVE_REFERENCES, WALK_LIVE_IMAGES, WALK_WHERE, WALK_SMALL_BLOCKS,
  WALK_PAGES_HELD, ARENA_HEADER, HEADER_PAGE_COUNT, HEADER_FLAGS, FLAG_TRACK_CALLS, IMAGE_HEADER_SIZE, type Mode,
} from './layout.js';
import { runtime, type CoreVariant } from './runtime/runtime.js';
import * as check from './validate.js';
import { Image, wrapImage, isImageHandle, type ImageHandle } from './image.js';
import {
  bindCore, unbindCore, coreOf, blockOf, checkBlock, checkImageSize, createReference, imageAddress, allocationError, type Fill,
} from './state.js';
import { decode, probe, type DecodeOptions, type EncodedInput, type ImageInfo } from './codecs/codecs.js';

/** Options of {@link Arena.create}. */
export interface ArenaOptions {
  /** The memory reservation (WebAssembly maximum), rounded up to 64 KiB. Default 1 GiB; at most 4 GiB − 64 KiB. */
  maxBytes?: number;
  /** Memory committed at start; the memory grows on demand up to maxBytes. Default: what the arena's bookkeeping needs. */
  initialBytes?: number;
  /** Largest block one image uses (Pillow's PILLOW_BLOCK_SIZE); a multiple of 4096. Default 16 MiB (or maxBytes if smaller). */
  blockSize?: number;
  /** Freed page blocks kept cached for fast reuse (Pillow's PILLOW_BLOCKS_MAX). Default 256. */
  blocksMax?: number;
  /** Row start alignment of images in bytes (Pillow's PILLOW_ALIGNMENT); a power of two up to 4096. Default 16. */
  alignment?: number;
  /** Share the memory with workers. Default: true where the runtime can. */
  shared?: boolean;
  /** A precompiled core; required where the runtime forbids compiling wasm from bytes. */
  module?: WebAssembly.Module;
  /** Use the core build that asserts its invariants (slower; for tests). Default false. */
  debug?: boolean;
  /** Largest image in pixels (width × height); larger requests are LIMIT_EXCEEDED. Default 178956970, Pillow's limit. */
  maxPixels?: number;
  /**
   * Every call of every thread publishes that it is inside the core (two sequentially
   * consistent stores a call: 20–40 ns more per alloc+free pair on a 2-core Xeon), so that
   * {@link Arena.reclaimWhenStopped} can wait for a thread that its host goes on running
   * after terminate(). Default: true for a
   * shared arena in browsers, Deno and Bun, whose terminated workers run on for a moment;
   * false in Node, whose worker 'exit' event means the thread has stopped, and for an
   * unshared arena (no other thread). Without it, reclaim a thread only once it has stopped.
   */
  trackCalls?: boolean;
}

/** What another thread needs to attach: structured-cloneable, post it as is. */
export interface SharedArena {
  readonly kind: 'pixel-arena';
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  readonly maxPixels: number;
}

/** A block of raw bytes. A plain, structured-cloneable object: post it, view it and free it on any thread. */
export interface Block {
  /** Address of the first byte in the arena's memory. */
  readonly ptr: number;
  /** Usable bytes, at least what was asked for. */
  readonly size: number;
  /** Generation of this hand-out: tells a stale block from a new one at the same address. */
  readonly tag: number;
  /**
   * The id of the arena it belongs to: another arena refuses it (INVALID_HANDLE), as it
   * refuses another arena's image handles. A block made by hand without it is taken as
   * this arena's.
   */
  readonly arena?: number;
}

/** Counters of {@link Arena.stats}. Sums over all threads, exact whenever the threads are quiet. */
export interface ArenaStats {
  /** maxBytes. */
  bytesMax: number;
  /** Current memory size. */
  bytesCommitted: number;
  /** Bytes held by live blocks. */
  bytesInUse: number;
  /** Highest bytes ever taken from the page heap (blocks in use, cached, and small-block pages). */
  peakBytesInUse: number;
  blocksInUse: number;
  blocksCached: number;
  imagesLive: number;
  allocated: number;
  reused: number;
  freed: number;
  /** Image references dropped by {@link Arena.reclaim} for threads that ended. */
  reclaimed: number;
  /** Bytes of pages now taken from the page heap. */
  bytesHeld: number;
  /** Threads attached now. */
  attachments: number;
}

/** What the heap walker found (see {@link Arena.checkHeap}). */
export interface HeapReport {
  liveBlocks: number;
  liveBytes: number;
  smallBlocks: number;
  cachedBlocks: number;
  freePages: number;
  slabPages: number;
  referenceChunks: number;
  liveReferences: number;
  liveImages: number;
  pagesHeld: number;
}

const MIN_MAX_BYTES = 2 * 1024 * 1024;
const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;
const DEFAULT_BLOCK_SIZE = 16 * 1024 * 1024;
const DEFAULT_BLOCKS_MAX = 256;
/** Row start alignment of images when options.alignment is not given (Pillow's default). */
export const DEFAULT_ALIGNMENT = 16;
const DEFAULT_MAX_PIXELS = 2 * 89478485;
const MAX_BLOCKS_MAX = 0x7fffffff;

function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

/** A color fill in the form the core takes: bands packed, band 0 in the low byte. */
function packFill(mode: Mode, fill: unknown): number {
  const bands = PACKED_SIZE[mode];
  if (typeof fill === 'number') {
    check.integer('options.fill', fill, 0, 255);
    return (fill * 0x01010101) >>> 0;
  }
  if (!Array.isArray(fill) || fill.length !== bands) {
    throw check.invalid('options.fill', `integer 0..255 or array of ${bands} integers 0..255 (mode ${mode})`, fill);
  }
  let packed = 0;
  fill.forEach((value, band) => {
    check.integer(`options.fill[${band}]`, value, 0, 255);
    packed |= (value as number) << (band * 8);
  });
  return packed >>> 0;
}

/**
 * One shared memory and a lock-free allocator inside it. Any thread that attached may
 * allocate, free, create, share, adopt and release at any time; no operation waits for
 * another thread.
 *
 * @example
 * const arena = await Arena.create({ maxBytes: 256 * 1024 * 1024 });
 * const image = arena.image('RGBA', 640, 480, { fill: [255, 0, 0, 255] });
 * worker.postMessage({ arena: arena.shared, image: image.share() });
 */
export class Arena {
  readonly memory: WebAssembly.Memory;
  /** The id of this thread's attachment (for {@link Arena.reclaim}). */
  readonly attachmentId: number;
  readonly #maxPixels: number;
  readonly #isShared: boolean;
  /** The core behind this arena, as coreOf finds it (read here without the map: raw blocks are hot); undefined once closed. */
  #core: Core | undefined;

  private constructor(core: Core, id: number, maxPixels: number) {
    bindCore(this, core);
    this.#core = core;
    this.memory = core.memory;
    this.attachmentId = id;
    this.#maxPixels = maxPixels;
    this.#isShared = typeof SharedArrayBuffer === 'function' && core.memory.buffer instanceof SharedArrayBuffer;
  }

  /**
   * Creates an arena in a new memory and attaches this thread to it.
   * @throws {ArenaError} INVALID_ARGUMENT for a bad option (the message names it).
   * @example const arena = await Arena.create({ maxBytes: 512 * 1024 * 1024, blocksMax: 64 });
   */
  static async create(options?: ArenaOptions): Promise<Arena> {
    const o = check.options<ArenaOptions>('options', options);
    const maxBytes = roundUp(o.maxBytes === undefined ? DEFAULT_MAX_BYTES
      : check.integer('options.maxBytes', o.maxBytes, MIN_MAX_BYTES, MAX_MEMORY_BYTES), WASM_PAGE);
    const initialBytes = o.initialBytes === undefined ? 0
      : check.integer('options.initialBytes', o.initialBytes, 0, maxBytes);
    const blockSize = o.blockSize === undefined ? Math.min(DEFAULT_BLOCK_SIZE, maxBytes) : o.blockSize;
    if (!check.isInteger(blockSize) || blockSize < PAGE_SIZE || blockSize % PAGE_SIZE !== 0 || blockSize > maxBytes) {
      throw check.invalid('options.blockSize', `multiple of 4096 between 4096 and maxBytes (${maxBytes})`, blockSize);
    }
    const blocksMax = o.blocksMax === undefined ? DEFAULT_BLOCKS_MAX
      : check.integer('options.blocksMax', o.blocksMax, 0, MAX_BLOCKS_MAX);
    const alignment = o.alignment === undefined ? DEFAULT_ALIGNMENT : o.alignment;
    if (!check.isInteger(alignment) || !check.isPowerOfTwo(alignment) || alignment > PAGE_SIZE) {
      throw check.invalid('options.alignment', 'power of two between 1 and 4096', alignment);
    }
    const maxPixels = o.maxPixels === undefined ? DEFAULT_MAX_PIXELS
      : check.integer('options.maxPixels', o.maxPixels, 1, Number.MAX_SAFE_INTEGER);
    const canShare = runtime().canShare();
    const shared = o.shared === undefined ? canShare : check.boolean('options.shared', o.shared);
    if (shared && !canShare) {
      throw unsupported('Arena.create()', 'options.shared is true but this runtime cannot share memory (browsers need cross-origin isolation: COOP same-origin and COEP require-corp or credentialless)');
    }
    const debug = o.debug === undefined ? false : check.boolean('options.debug', o.debug);
    if (o.module !== undefined && !(o.module instanceof WebAssembly.Module)) {
      throw check.invalid('options.module', 'WebAssembly.Module', o.module);
    }
    const trackCalls = o.trackCalls === undefined ? shared && !runtime().exitMeansStopped
      : check.boolean('options.trackCalls', o.trackCalls);
    const variant: CoreVariant = `${shared ? 'shared' : 'plain'}${debug ? '.debug' : ''}` as CoreVariant;
    const module = o.module ?? await runtime().loadCore(variant);
    const initialPages = Math.max(Math.ceil(MEMORY_BASE / WASM_PAGE) + 1, Math.ceil(initialBytes / WASM_PAGE));
    const memory = new WebAssembly.Memory({ initial: initialPages, maximum: maxBytes / WASM_PAGE, shared });
    const core = await Core.create(module, memory);
    // 30 bits, never 0: every engine keeps such a number unboxed (a small integer), so a
    // Block or handle carrying it costs no separate number allocation on each alloc().
    const arenaId = 1 + Math.floor(Math.random() * 0x3fffffff);
    const status = core.exports.arenaInit(maxBytes / WASM_PAGE, blockSize, blocksMax, alignment, arenaId, trackCalls ? 1 : 0);
    if (status !== STATUS_OK) throw errorFromStatus(status, 'Arena.create');
    return Arena.#attachCore(core, maxPixels, 0);
  }

  /**
   * Joins, from this thread, an arena that another thread created.
   * @throws {ArenaError} INVALID_ARGUMENT when `shared` is not an arena's shared value.
   * @example const arena = await Arena.attach(event.data.arena);
   */
  static async attach(shared: SharedArena, options?: { token?: number }): Promise<Arena> {
    if (shared === null || typeof shared !== 'object' || shared.kind !== 'pixel-arena'
      || !(shared.memory instanceof WebAssembly.Memory) || !(shared.module instanceof WebAssembly.Module)) {
      throw check.invalid('shared', 'the value of arena.shared', shared);
    }
    const o = check.options<{ token?: number }>('options', options);
    const token = o.token === undefined ? 0 : check.integer('options.token', o.token, 1, 0xffffff);
    const core = await Core.create(shared.module, shared.memory);
    return Arena.#attachCore(core, shared.maxPixels, token);
  }

  static #attachCore(core: Core, maxPixels: number, token: number): Arena {
    const id = core.exports.attach(token);
    if (id < 0) throw errorFromStatus(-id, 'Arena.attach');
    core.bindSlot(id);
    return new Arena(core, id, maxPixels);
  }

  /** The value another thread passes to {@link Arena.attach}. Only for a shared arena. */
  get shared(): SharedArena {
    if (!this.#isShared) {
      throw unsupported('shared', 'this arena\'s memory is not shared, so no other thread can attach to it');
    }
    const core = coreOf(this);
    return { kind: 'pixel-arena', memory: core.memory, module: core.module, maxPixels: this.#maxPixels };
  }

  /** Largest image in pixels. */
  get maxPixels(): number { return this.#maxPixels; }

  /** Do this arena's calls publish that their thread is inside the core? ({@link ArenaOptions.trackCalls}) */
  get tracksCalls(): boolean {
    const core = coreOf(this);
    return (core.word(ARENA_HEADER + HEADER_FLAGS) & FLAG_TRACK_CALLS) !== 0;
  }

  // ── raw blocks ────────────────────────────────────────────────────────────────

  /**
   * Allocates a block of at least `bytes` bytes. The bytes are not cleared.
   * @throws {ArenaError} INVALID_ARGUMENT for a bad size; ARENA_FULL when no memory can hold it.
   * @example const block = arena.alloc(1024); arena.view(block).fill(7); arena.free(block);
   */
  alloc(bytes: number): Block {
    const core = this.#live();
    if (!(bytes >= 1 && bytes <= MAX_MEMORY_BYTES && Number.isInteger(bytes))) {
      throw check.invalid('bytes', `integer between 1 and ${MAX_MEMORY_BYTES}`, bytes);
    }
    const ptr = core.exports.allocate(bytes) >>> 0;
    const results = core.results;
    if (ptr === 0) throw allocationError(core, results[RESULT_ERROR]!, bytes, `alloc(${bytes})`);
    return { ptr, size: results[RESULT_SIZE]!, tag: core.tag, arena: core.arenaId };
  }

  /**
   * A live view of exactly `block.size` bytes. In a shared arena it stays valid after
   * memory growth (make a new view after growth to see beyond the old end; this one keeps
   * working); in an unshared one (`shared: false`) growth detaches it: make a new one.
   * @throws {ArenaError} INVALID_ARGUMENT for a non-block; INVALID_HANDLE for a freed block
   *   or one of another arena.
   */
  view(block: Block): Uint8Array {
    const core = this.#live();
    const { ptr, size, tag, arena } = blockOf(block);
    checkBlock(block, ptr, size, tag, arena, core, 'view');
    const live = core.exports.blockLive(ptr, tag) >>> 0;
    if (live === 0) throw blockNotLive(`view(block at ${ptr})`);
    return core.bytes(ptr, Math.min(live, size));
  }

  /**
   * Frees a block, whichever thread allocated it.
   * @throws {ArenaError} DOUBLE_FREE when it was already freed; INVALID_ARGUMENT for a non-block;
   *   INVALID_HANDLE for a block of another arena.
   */
  free(block: Block): void {
    const core = this.#live();
    const { ptr, size, tag, arena } = blockOf(block);
    checkBlock(block, ptr, size, tag, arena, core, 'free');
    const status = core.exports.release(ptr, tag);
    if (status !== STATUS_OK) throw errorFromStatus(status, `free(block at ${ptr})`);
  }

  // ── images ────────────────────────────────────────────────────────────────────

  /**
   * A new image, zero-filled unless `fill` says otherwise: a number fills every band with
   * it, an array gives one value per band.
   * @throws {ArenaError} INVALID_ARGUMENT, LIMIT_EXCEEDED (more than maxPixels), ARENA_FULL.
   * @example const red = arena.image('RGB', 64, 64, { fill: [255, 0, 0] });
   */
  image(mode: Mode, width: number, height: number, options?: { fill?: number | number[] }): Image {
    const o = check.options<{ fill?: number | number[] }>('options', options);
    checkImageSize(this, mode, width, height);
    const fill = o.fill === undefined ? 0 : packFill(mode, o.fill);
    return createImage(this, mode, width, height, { kind: fill === 0 ? FILL_ZERO : FILL_VALUE, value: fill }, 'image');
  }

  /**
   * An image holding a copy of `pixels`: packed rows, 1, 2, 3 or 4 bytes per pixel by mode.
   * @throws {ArenaError} INVALID_ARGUMENT when pixels has the wrong length.
   * @example const image = arena.fromPixels('RGB', 2, 1, new Uint8Array([255, 0, 0, 0, 0, 255]));
   */
  fromPixels(mode: Mode, width: number, height: number, pixels: ArrayBufferView): Image {
    checkImageSize(this, mode, width, height);
    const length = width * height * PACKED_SIZE[mode];
    if (!ArrayBuffer.isView(pixels) || pixels.byteLength !== length) {
      throw check.invalid('pixels', `ArrayBufferView of ${length} bytes (${width}×${height} ${mode})`, pixels);
    }
    const image = createImage(this, mode, width, height, { kind: FILL_NONE, value: 0 }, 'fromPixels');
    if (length > 0) {
      const core = coreOf(this);
      let staging: number;
      try {
        staging = core.scratch(length, 'fromPixels');
      } catch (error) {
        image.release();
        throw error;
      }
      core.bytes(staging, length).set(new Uint8Array(pixels.buffer, pixels.byteOffset, length));
      core.check(core.exports.imageUnpack(imageAddress(image, 'fromPixels()'), staging), 'fromPixels()');
      core.releaseScratch(staging);
    }
    return image;
  }

  /**
   * Takes over an image that another thread shared; the handle is used up. The handle is
   * verified against this arena and the image itself (arena identity, reference, mode and
   * size): a handle that does not match is refused and changes nothing.
   * @throws {ArenaError} INVALID_ARGUMENT for a value that is not a handle; INVALID_HANDLE
   *   when the handle was already adopted or discarded, its image is gone, it belongs to
   *   another arena, or its mode or size is not its image's.
   * @example const image = arena.adopt(event.data.image);
   */
  adopt(handle: ImageHandle): Image {
    const core = coreOf(this);
    const arenaId = checkHandle(core, handle, 'adopt');
    const address = core.exports.imageAdopt(handle.record, handle.tag, MODE_CODE[handle.mode], handle.width, handle.height, arenaId) >>> 0;
    if (address === 0) throw handleError(core.results[RESULT_ERROR]!, 'adopt');
    return wrapImage(this, { address, record: handle.record, tag: handle.tag, mode: handle.mode, width: handle.width, height: handle.height });
  }

  /**
   * Drops a handle this thread shared that will never be adopted (a message that was not
   * sent, a job that was cancelled). The handle is used up.
   * @throws {ArenaError} INVALID_ARGUMENT for a value that is not a handle; INVALID_HANDLE
   *   when it was adopted already, was shared by another thread, or belongs to another
   *   arena; DOUBLE_FREE when it was discarded already.
   */
  discard(handle: ImageHandle): void {
    const core = coreOf(this);
    checkHandle(core, handle, 'discard');
    const status = core.exports.imageUnshare(handle.record, handle.tag);
    if (status !== STATUS_OK) throw errorFromStatus(status, 'discard(handle)');
  }

  // ── codecs ────────────────────────────────────────────────────────────────────

  /**
   * Decodes a PNG, JPEG or QOI file (format sniffed from its signature) straight into a
   * new image of this arena. The pixel limit is checked from the header before anything
   * is allocated; after an error nothing is left allocated.
   * The file's bytes are copied into the arena for the call; a Block of this arena that
   * holds them (read into it, `options.length` bytes of it) is read where it is, with no
   * copy: keep it allocated and unchanged until the call returns.
   * @throws {ArenaError} DECODE_FAILED for malformed, truncated or empty data;
   *   UNSUPPORTED for valid data this library does not handle; LIMIT_EXCEEDED; ARENA_FULL;
   *   INVALID_ARGUMENT for a bad option; INVALID_HANDLE for a freed Block.
   * @example const photo = arena.decode(await readFile('photo.jpg'), { reduce: 2, autoOrient: true });
   * @example
   * const block = arena.alloc(size);
   * await file.read(arena.view(block), 0, size, 0);     // the file straight into the arena
   * const photo = arena.decode(block, { length: size });  // no copy
   * arena.free(block);
   */
  decode(bytes: EncodedInput, options?: DecodeOptions): Image {
    return decode(this, bytes, options, (reference) => wrapImage(this, reference));
  }

  /**
   * Reads a file's header: format, size, mode, and per format bit depth and interlacing
   * (PNG) or progressive, subsampling, EXIF orientation and ICC presence (JPEG). No pixel
   * is decoded and nothing stays allocated. A Block holding the file is read in place, as
   * by {@link Arena.decode}.
   * @throws {ArenaError} DECODE_FAILED, UNSUPPORTED, INVALID_ARGUMENT; INVALID_HANDLE for a freed Block.
   * @example const { width, height, orientation } = arena.probe(bytes);
   */
  probe(bytes: EncodedInput, options?: { length?: number }): ImageInfo {
    return probe(this, bytes, options);
  }

  // ── threads ───────────────────────────────────────────────────────────────────

  /**
   * Releases everything a thread that ended still held: its image references (held, and
   * shared but never adopted), and, if it never detached, its cached blocks and its slot.
   * Returns the number of references dropped (also counted in stats().reclaimed).
   * @throws {ArenaError} INVALID_ARGUMENT for this thread's own id or a malformed id.
   * @example worker.on('exit', () => arena.reclaim(workerAttachmentId));
   */
  reclaim(attachmentId: number): number {
    const dropped = this.#reclaim(attachmentId, true);
    return dropped;
  }

  /**
   * Reclaims a thread whose host may still be stopping it (browsers, Deno and Bun go on
   * running a terminated worker for a moment): first fences it, so that its later calls
   * are refused, then waits until it is outside any call of the core (or `timeout` ms have
   * passed, after which it is taken for dead), then reclaims as {@link Arena.reclaim}.
   * Needs an arena that tracks calls ({@link ArenaOptions.trackCalls}).
   * @throws {ArenaError} (rejects) as reclaim; UNSUPPORTED, with no effect, in an arena
   *   that does not track calls.
   */
  async reclaimWhenStopped(attachmentId: number, options?: { timeout?: number }): Promise<number> {
    const o = check.options<{ timeout?: number }>('options', options);
    const timeout = o.timeout === undefined ? 2000 : check.finite('options.timeout', o.timeout, 0);
    const start = Date.now();
    while (true) {
      const dropped = this.#reclaim(attachmentId, false);
      if (dropped >= 0) return dropped;
      if (Date.now() - start >= timeout) return this.#reclaim(attachmentId, true);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** References dropped, or -1 while the thread is inside a call (only when not `dead`). */
  #reclaim(attachmentId: number, dead: boolean): number {
    const core = coreOf(this);
    check.integer('attachmentId', attachmentId, 0, ATTACHMENT_ID_LIMIT - 1);
    if (attachmentId === this.attachmentId) {
      throw check.invalid('attachmentId', 'the id of another thread\'s attachment', attachmentId);
    }
    const result = core.exports.reclaim(attachmentId, dead ? 1 : 0);
    if (result === -STATUS_BUSY) return -1;
    if (result < 0) throw errorFromStatus(-result, `reclaim(${attachmentId})`);
    return result;
  }

  /** The attachment id of the thread that attached with `token` and was not reclaimed yet (library internal), or -1. */
  attachmentOfToken(token: number): number {
    return coreOf(this).exports.attachmentOfToken(token);
  }

  /** A fresh token for a thread about to attach (library internal: pools find their workers' slots by it). */
  nextToken(): number {
    return coreOf(this).exports.nextToken();
  }

  /** Is `attachmentId` attached now? */
  isAttached(attachmentId: number): boolean {
    return coreOf(this).exports.attachmentLive(attachmentId) !== 0;
  }

  /**
   * Detaches this thread: its cached blocks go back to the heap and its slot is freed.
   * Images it still holds stay alive until released or reclaimed. The arena object is
   * unusable afterwards (INVALID_HANDLE).
   */
  /** This arena's core. @throws {ArenaError} INVALID_HANDLE once closed (as coreOf). */
  #live(): Core {
    const core = this.#core;
    if (core === undefined) throw arenaClosed();
    return core;
  }

  close(): void {
    this.#core = undefined;
    const core = unbindCore(this);
    if (core === undefined) return;
    core.exports.detach();
  }

  // ── cache and statistics ──────────────────────────────────────────────────────

  /**
   * Sets how many freed blocks the cache keeps (Pillow's blocks_max); evicts the excess.
   * @throws {ArenaError} INVALID_ARGUMENT for a negative or non-integer count.
   */
  setBlocksMax(n: number): void {
    const core = coreOf(this);
    check.integer('blocksMax', n, 0, MAX_BLOCKS_MAX);
    core.check(core.exports.blocksMaxSet(n), 'setBlocksMax()');
  }

  /**
   * Evicts cached blocks until at most `keep` remain (default 0).
   * @throws {ArenaError} INVALID_ARGUMENT for a negative or non-integer count.
   */
  clearCache(keep = 0): void {
    const core = coreOf(this);
    check.integer('keep', keep, 0, MAX_BLOCKS_MAX);
    const evicted = core.exports.cacheClear(keep);
    if (evicted < 0) throw errorFromStatus(-evicted, 'clearCache()');
  }

  /** Counters summed over every thread. */
  stats(): ArenaStats {
    const core = coreOf(this);
    core.check(core.exports.statsCollect(), 'stats()');
    const s = core.stats;
    return {
      bytesMax: core.exports.memoryMaximum() >>> 0,
      bytesCommitted: s[STAT_BYTES_COMMITTED]!,
      bytesInUse: s[STAT_BYTES_IN_USE]!,
      peakBytesInUse: s[STAT_PEAK_BYTES]!,
      blocksInUse: s[STAT_BLOCKS_IN_USE]!,
      blocksCached: s[STAT_BLOCKS_CACHED]!,
      imagesLive: s[STAT_IMAGES_LIVE]!,
      allocated: s[STAT_ALLOCATED]!,
      reused: s[STAT_REUSED]!,
      freed: s[STAT_FREED]!,
      reclaimed: s[STAT_RECLAIMED]!,
      bytesHeld: s[STAT_BYTES_HELD]!,
      attachments: s[STAT_ATTACHMENTS]!,
    };
  }

  /**
   * Walks the whole heap and checks the allocator's invariants: every page free or in
   * exactly one block, slab or cache; counters equal to what the walk finds; reference
   * counts equal to live references. Call it while no other thread is working.
   * @throws {Error} naming the first violation found.
   */
  checkHeap(): HeapReport {
    const core = coreOf(this);
    const status = core.exports.heapCheck();
    if (status < 0) throw errorFromStatus(-status, 'checkHeap()');
    const s = core.stats;
    if (status !== 0) {
      throw heapCorrupt(VIOLATIONS[status] ?? `violation ${status}`, s[WALK_WHERE]!);
    }
    return {
      liveBlocks: s[WALK_LIVE_BLOCKS]!,
      liveBytes: s[WALK_LIVE_BYTES]!,
      smallBlocks: s[WALK_SMALL_BLOCKS]!,
      cachedBlocks: s[WALK_CACHED_BLOCKS]!,
      freePages: s[WALK_FREE_PAGES]!,
      slabPages: s[WALK_SLAB_PAGES]!,
      referenceChunks: s[WALK_REF_CHUNKS]!,
      liveReferences: s[WALK_LIVE_REFERENCES]!,
      liveImages: s[WALK_LIVE_IMAGES]!,
      pagesHeld: s[WALK_PAGES_HELD]!,
    };
  }
}

/** Makes an image in the core and wraps it. */
function createImage(arena: Arena, mode: Mode, width: number, height: number, fill: Fill, what: string): Image {
  return wrapImage(arena, createReference(coreOf(arena), mode, width, height, fill, what));
}

/** Checks a handle's shape, and that it is of this arena; returns the arena's id. */
function checkHandle(core: Core, handle: ImageHandle, what: string): number {
  if (!isImageHandle(handle)) throw check.invalid('handle', 'an ImageHandle from image.share()', handle);
  const arenaId = core.exports.arenaId() >>> 0;
  if (handle.arena !== arenaId) {
    throw foreignHandle(`${what}(handle)`, handle.arena, arenaId);
  }
  return arenaId;
}

/** The error of a refused adoption: the core cannot tell a used-up handle from an altered one. */
function handleError(status: number, what: string): ArenaError {
  if (status !== STATUS_INVALID_HANDLE) return errorFromStatus(status, `${what}(handle)`);
  return deadHandle(`${what}(handle)`);
}

