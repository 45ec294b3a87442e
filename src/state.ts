// What every layer above needs to know about an arena and an image, and nothing more:
// the core instance behind an Arena object, and the reference (record, tag, address)
// behind an Image object, both kept off the public objects. Kernels, codecs and the pool
// use these functions; the Arena and Image classes register themselves here. The public
// classes are imported for their types only, so this module sits below them.

import type { Arena, Block } from './arena.js';
import type { Image } from './image.js';
import type { Core } from './core.js';
import {
  arenaClosed, errorFromStatus, foreignBlock, invalid, released, tooManyPixels, tooLargeForArena, type ArenaError, STATUS_ARENA_FULL,
} from './errors.js';
import {
  MODES, MODE_CODE, RESULT_AUX, RESULT_ERROR, IMAGE_ROWS, MAX_SIDE, ARENA_HEADER, HEADER_PAGE_COUNT, PAGE_SIZE,
  MAX_MEMORY_BYTES, TAG_LIMIT,
  type Mode,
} from './layout.js';
import * as check from './validate.js';

// ── arenas ────────────────────────────────────────────────────────────────────────

const cores = new WeakMap<Arena, Core>();

export function bindCore(arena: Arena, core: Core): void {
  cores.set(arena, core);
}

/** Forgets an arena's core (close); returns it, or undefined if it was closed already. */
export function unbindCore(arena: Arena): Core | undefined {
  const core = cores.get(arena);
  cores.delete(arena);
  return core;
}

/**
 * A block's numbers, each read once by the caller (an object's getters could answer
 * differently the next time: `const { ptr, size, tag, arena } = blockOf(block)`), checked
 * before they reach the core, whose parameters are 32-bit addresses.
 */
export function blockOf(block: Block): Block {
  if (block === null || typeof block !== 'object') throw check.invalid('block', 'a Block from arena.alloc()', block);
  return block;
}

/** Checks a block's numbers (from blockOf) before a core call. */
export function checkBlock(block: Block, ptr: number, size: number, tag: number, arena: number | undefined, core: Core, what: string): void {
  if (!(Number.isInteger(ptr) && Number.isInteger(size) && Number.isInteger(tag) && ptr > 0 && ptr < MAX_MEMORY_BYTES
    && size > 0 && size <= MAX_MEMORY_BYTES && tag >= 0 && tag < TAG_LIMIT)) {
    throw check.invalid('block', 'a Block from arena.alloc()', block);
  }
  if (arena !== undefined && arena !== core.arenaId) throw foreignBlock(`${what}(block at ${ptr})`, arena, core.arenaId);
}

/** The core instance behind an arena. @throws {ArenaError} INVALID_HANDLE once closed. */
export function coreOf(arena: Arena): Core {
  const core = cores.get(arena);
  if (core === undefined) throw arenaClosed();
  return core;
}

// ── image references ──────────────────────────────────────────────────────────────

/** One reference to an image, as the core hands it out. */
export interface Reference {
  readonly address: number;
  readonly record: number;
  readonly tag: number;
}

/** A reference with the image's shape: what creating, decoding or adopting gives. */
export interface ImageReference extends Reference {
  readonly mode: Mode;
  readonly width: number;
  readonly height: number;
}

interface ImageState extends Reference {
  released: boolean;
}

const images = new WeakMap<Image, ImageState>();

/** Registers a new Image object for the reference it holds (the Image constructor). */
export function registerImage(image: Image, reference: Reference): void {
  images.set(image, { address: reference.address, record: reference.record, tag: reference.tag, released: false });
}

/** Is `value` an Image of this library (of any arena)? */
export function isImage(value: unknown): value is Image {
  return typeof value === 'object' && value !== null && images.has(value as Image);
}

/** The reference an Image holds, released or not. */
export function referenceOf(image: Image): Reference & { readonly released: boolean } {
  const state = images.get(image);
  if (state === undefined) throw invalid('image', 'Image', image);
  return state;
}

/** Marks an Image's reference released (its record was given back). */
export function markReleased(image: Image): void {
  referenceOf(image);
  images.get(image)!.released = true;
}

/** The reference of an Image this thread still holds. @throws {ArenaError} INVALID_HANDLE when released. */
export function liveReference(image: Image, what: string): Reference {
  const state = referenceOf(image);
  if (state.released) throw released(what);
  return state;
}

/**
 * The address of an image this thread holds, checked against the core: a released or
 * reclaimed reference is INVALID_HANDLE, never a read of memory that is someone else's now.
 */
export function imageAddress(image: Image, what: string): number {
  const state = liveReference(image, what);
  const core = coreOf(image.arena);
  const address = core.exports.imageOf(state.record, state.tag) >>> 0;
  if (address !== state.address) throw errorFromStatus(core.results[RESULT_ERROR]!, what);
  return address;
}

/** The address of the first byte of row `y` of an image at `address` (rows never cross a block). */
export function rowAddress(core: Core, address: number, y: number): number {
  return core.word(core.word(address + IMAGE_ROWS) + 4 * y);
}

// ── making and dropping references ────────────────────────────────────────────────

/**
 * Checks an image size against the arena's pixel limit (every operation that makes an
 * image checks its output size here).
 * @throws {ArenaError} INVALID_ARGUMENT, LIMIT_EXCEEDED.
 */
export function checkImageSize(arena: Arena, mode: Mode, width: number, height: number, names = ['width', 'height']): void {
  check.oneOf('mode', mode, MODES);
  check.integer(names[0]!, width, 0, MAX_SIDE);
  check.integer(names[1]!, height, 0, MAX_SIDE);
  if (width * height > arena.maxPixels) throw tooManyPixels(width, height, arena.maxPixels);
}

/** How an image is filled when made: FILL_NONE (the caller writes every pixel), FILL_ZERO, FILL_VALUE. */
export interface Fill {
  readonly kind: number;
  /** For FILL_VALUE: the bands packed, band 0 in the low byte. */
  readonly value: number;
}

/**
 * Makes an image in the core and returns the reference this thread now holds. Sizes are
 * checked by the caller (checkImageSize).
 * @throws {ArenaError} ARENA_FULL, LIMIT_EXCEEDED.
 */
export function createReference(core: Core, mode: Mode, width: number, height: number, fill: Fill, what: string): ImageReference {
  const address = core.exports.imageCreate(MODE_CODE[mode], width, height, fill.kind, fill.value) >>> 0;
  const results = core.results;
  if (address === 0) {
    const status = results[RESULT_ERROR]!;
    const bytes = core.exports.imageBytes(MODE_CODE[mode], width, height);
    throw allocationError(core, status, bytes, what.endsWith(')') ? what : `${what}(${mode}, ${width}, ${height})`);
  }
  return { address, record: results[RESULT_AUX]!, tag: core.tag, mode, width, height };
}

/**
 * The error of a failed allocation of at least `bytes` bytes: ARENA_FULL that says it can
 * never fit when the request is larger than the whole heap, so that nobody waits for it.
 */
export function allocationError(core: Core, status: number, bytes: number, what: string): ArenaError {
  if (status !== STATUS_ARENA_FULL) return errorFromStatus(status, what);
  const heapBytes = core.word(ARENA_HEADER + HEADER_PAGE_COUNT) * PAGE_SIZE;
  return bytes > heapBytes ? tooLargeForArena(what, bytes, heapBytes) : errorFromStatus(status, what);
}

/** Drops a reference this thread holds that no Image object wraps (a plan's temporaries). */
export function releaseReference(core: Core, reference: Reference): void {
  core.check(core.exports.imageRelease(reference.record, reference.tag), 'release()');
}
