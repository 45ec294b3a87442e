// Images: creation (header, row table and blocks of whole rows), references, and
// destruction when the last reference goes. Each of these is an operation over a frame
// (alloc/frames.ts), so that a thread that dies in the middle leaves an image either
// unmade or whole, and a reference either taken or not.

import {
  IMAGE_MAGIC, IMAGE_REFERENCES, IMAGE_MODE, IMAGE_BANDS, IMAGE_PIXEL_SIZE, IMAGE_WIDTH, IMAGE_HEIGHT,
  IMAGE_STRIDE, IMAGE_BLOCK_COUNT, IMAGE_HEADER_TAG, IMAGE_ROWS, IMAGE_BLOCKS, IMAGE_ROWS_PER_BLOCK,
  IMAGE_HEADER_SIZE, IMAGE_LIVE, IMAGE_DEAD, MODE_L, MODE_LA, MODE_RGB, BLOCK_ENTRY_SIZE,
  REF_HELD, REF_SENT, REF_SIZE, REFS_PER_CHUNK, REF_FREE
} from "./layout";
import {
  RESULT_AUX, OK, ERR_ARENA_FULL, ERR_INVALID_HANDLE, ERR_LIMIT, PAGE_SHIFT,
  COUNTER_IMAGES_CREATED, COUNTER_IMAGES_DESTROYED, COUNTER_RECLAIMED
} from "../alloc/layout";
import { fetchAdd32, publish32 } from "../shared/atomics";
import { allocate, release, arenaId, footprint } from "../alloc/arena";
import {
  DEBUG, slotIndex, blockSize, rowAlignment, setResult, setResultTag, resultTag, fail, count, lastError, pageCount
} from "../alloc/state";
import {
  frameNext, frameOpen, frameClose, phase, setPhase, arg, setArg,
  OP_CREATE_IMAGE, OP_SHARE_IMAGE, OP_DROP_REFERENCE
} from "../alloc/frames";
import {
  ensureRecord, takeRecord, recordPublished, returnRecord, adoptReference, freeRecord, referencedImage,
  isRecordAddress, firstChunk, nextChunk, recordWord, wordState, wordHolder, wordTag
} from "./references";

// ── accessors (kernels use these) ─────────────────────────────────────────────────

// @ts-ignore: decorator
@inline export function imageWidth(image: usize): i32 { return <i32>load<u32>(image + IMAGE_WIDTH); }
// @ts-ignore: decorator
@inline export function imageHeight(image: usize): i32 { return <i32>load<u32>(image + IMAGE_HEIGHT); }
// @ts-ignore: decorator
@inline export function imageMode(image: usize): u32 { return <u32>load<u8>(image + IMAGE_MODE); }
// @ts-ignore: decorator
@inline export function imageBands(image: usize): i32 { return <i32>load<u8>(image + IMAGE_BANDS); }
// @ts-ignore: decorator
@inline export function imagePixelSize(image: usize): i32 { return <i32>load<u8>(image + IMAGE_PIXEL_SIZE); }
/** Address of row `y`. */
// @ts-ignore: decorator
@inline export function imageRow(image: usize, y: i32): usize {
  return <usize>load<u32>(<usize>load<u32>(image + IMAGE_ROWS) + (<usize>y << 2));
}

export function bandsOf(mode: u32): u32 { return mode + 1; }
export function pixelSizeOf(mode: u32): u32 { return mode == MODE_L ? 1 : 4; }

// @ts-ignore: decorator
@inline function alignUp(value: u64, alignment: u64): u64 {
  return (value + alignment - 1) & ~(alignment - 1);
}

// @ts-ignore: decorator
@inline function blockEntry(image: usize, b: u32): usize {
  return <usize>load<u32>(image + IMAGE_BLOCKS) + <usize>b * BLOCK_ENTRY_SIZE;
}

/** Pixel value of `fill` in this library's internal layout for `mode` (packed bands in). */
function internalPixel(mode: u32, packed: u32): u32 {
  if (mode == MODE_L) return packed & 0xFF;
  if (mode == MODE_LA) {
    let l = packed & 0xFF;
    return l | (l << 8) | (l << 16) | ((packed >> 8) & 0xFF) << 24;
  }
  if (mode == MODE_RGB) return (packed & 0xFFFFFF) | 0xFF000000;
  return packed;
}

/** Writes the rows of one block: zero, or one pixel value everywhere. */
function fillRows(first: usize, rows: u32, stride: usize, lineBytes: usize, pixelSize: u32, value: u32, zero: bool): void {
  let bytes = <usize>rows * stride;
  if (zero) { memory.fill(first, 0, bytes); return; }
  // One row by pixels, the others copied from it; padding bytes are zero.
  if (pixelSize == 1) {
    memory.fill(first, <u8>value, lineBytes);
  } else {
    let pattern = i32x4.splat(<i32>value);
    let x: usize = 0;
    for (; x + 16 <= lineBytes; x += 16) v128.store(first + x, pattern);
    for (; x < lineBytes; x += 4) store<u32>(first + x, value);
  }
  if (stride > lineBytes) memory.fill(first + lineBytes, 0, stride - lineBytes);
  for (let r: u32 = 1; r < rows; r++) memory.copy(first + <usize>r * stride, first, stride);
}

/** Fill modes of imageCreate. */
export const FILL_NONE: u32 = 0;
export const FILL_ZERO: u32 = 1;
export const FILL_VALUE: u32 = 2;

// ── creating: OP_CREATE_IMAGE ─────────────────────────────────────────────────────
//
//  args  0 mode   1 width   2 height   3 fill   4 fill value   5 image (its header block)
//        6 blocks made   7 record   8 record tag
const CREATE_ARG_MODE: usize = 0;
const CREATE_ARG_WIDTH: usize = 1;
const CREATE_ARG_HEIGHT: usize = 2;
const CREATE_ARG_FILL: usize = 3;
const CREATE_ARG_VALUE: usize = 4;
const CREATE_ARG_IMAGE: usize = 5;
const CREATE_ARG_BLOCKS: usize = 6;
const CREATE_ARG_RECORD: usize = 7;
const CREATE_ARG_RECORD_TAG: usize = 8;
/** Allocating the header block (nested; undone if it did not finish). */
const CREATE_HEADING: u32 = 1;
/** The header is arg 5; blocks [0, arg 6) are made and in its table. */
const CREATE_BUILDING: u32 = 2;
/** Allocating block arg 6 (nested; undone if it did not finish). */
const CREATE_BLOCKING: u32 = 3;
/** Growing the record free list (nested). */
const CREATE_GROWING: u32 = 5;
/** Taking a record (args 7, 8 set first; published or not). */
const CREATE_REFERENCING: u32 = 6;
/** The record says HELD by this slot: from here the image is finished, never undone. */
const CREATE_REFERENCED: u32 = 8;
/** The image is live and counted. */
const CREATE_LIVE: u32 = 10;
/** Undoing: freeing blocks [0, arg 6) from the last (a loop), then the header. */
const CREATE_UNDOING: u32 = 20;
const CREATE_UNDOING_HEADER: u32 = 21;
const CREATE_UNDONE: u32 = 22;

/**
 * The geometry of an image: stride, rows per block, blocks, in 64-bit arithmetic. Returns
 * OK, ERR_LIMIT when a row or a table is beyond what 32-bit addresses can hold, or
 * ERR_ARENA_FULL when a block or the header is larger than the whole heap.
 */
// @ts-ignore: decorator
@inline function geometry(mode: u32, width: u32, height: u32): i32 {
  let alignment = <u64>rowAlignment;
  let line = <u64>width * <u64>pixelSizeOf(mode);
  let stride = alignUp(line, alignment);
  let limit = <u64>pageCount << PAGE_SHIFT;
  geometryStride = 0;
  geometryRowsPerBlock = 0;
  geometryBlocks = 0;
  if (stride > 0 && height > 0) {
    // As Pillow: as many whole rows as fit a block, at least one; room to align the start.
    let rows = max<u64>(1, (<u64>blockSize - (alignment - 1)) / stride);
    rows = min<u64>(rows, <u64>height);
    geometryBlocks = <u32>((<u64>height + rows - 1) / rows);
    geometryRowsPerBlock = <u32>rows;
    if (stride > 0xFFFFFFFF) return ERR_LIMIT;
    if (rows * stride + alignment - 1 > limit) return ERR_ARENA_FULL;
  }
  geometryStride = <u32>stride;
  let header = <u64>IMAGE_HEADER_SIZE + <u64>geometryBlocks * BLOCK_ENTRY_SIZE + (<u64>height << 2);
  return header > 0xFFFFFFFF ? ERR_LIMIT : header > limit ? ERR_ARENA_FULL : OK;
}
/**
 * The heap bytes an image of this geometry takes: its header with the block and row
 * tables, and its blocks of rows, each as the allocator rounds it. -1 when no 32-bit
 * address space could hold it. (What a caller needs to know before it waits for memory.)
 */
export function imageBytes(mode: u32, width: u32, height: u32): f64 {
  if (geometry(mode, width, height) == ERR_LIMIT) return -1;
  let alignment = <u64>rowAlignment;
  let stride = alignUp(<u64>width * <u64>pixelSizeOf(mode), alignment);
  let blocks = <u64>geometryBlocks;
  let rowsPerBlock = <u64>geometryRowsPerBlock;
  let total = footprint(<u64>IMAGE_HEADER_SIZE + blocks * BLOCK_ENTRY_SIZE + (<u64>height << 2));
  if (blocks > 0) {
    let lastRows = <u64>height - (blocks - 1) * rowsPerBlock;
    total += (blocks - 1) * footprint(rowsPerBlock * stride + alignment - 1) + footprint(lastRows * stride + alignment - 1);
  }
  return <f64>total;
}

let geometryStride: u32 = 0;
let geometryRowsPerBlock: u32 = 0;
let geometryBlocks: u32 = 0;

/**
 * Creates an image with one reference held by this thread. Returns the image address (0:
 * with the error set) with the reference record in RESULT_AUX and its tag as the result
 * tag. `fill`: FILL_NONE (the caller writes every pixel), FILL_ZERO, or FILL_VALUE with
 * `value` holding the bands packed (band 0 in the low byte).
 */
export function imageCreate(mode: u32, width: u32, height: u32, fill: u32, value: u32): usize {
  let fits = geometry(mode, width, height);
  if (fits != OK) { fail(fits); return 0; }
  let frame = frameNext();
  setArg(frame, CREATE_ARG_MODE, mode);
  setArg(frame, CREATE_ARG_WIDTH, width);
  setArg(frame, CREATE_ARG_HEIGHT, height);
  setArg(frame, CREATE_ARG_FILL, fill);
  setArg(frame, CREATE_ARG_VALUE, value);
  setArg(frame, CREATE_ARG_BLOCKS, 0);
  setArg(frame, CREATE_ARG_RECORD, 0);
  frameOpen(frame, OP_CREATE_IMAGE);
  let stride = <usize>geometryStride;
  let rowsPerBlock = geometryRowsPerBlock;
  let blocks = geometryBlocks;
  let pixelSize = pixelSizeOf(mode);
  let lineBytes = <usize>width * pixelSize;
  let alignment = <usize>rowAlignment;

  setPhase(frame, CREATE_HEADING);
  let image = allocate(IMAGE_HEADER_SIZE + <usize>blocks * BLOCK_ENTRY_SIZE + (<usize>height << 2));
  if (image == 0) { frameClose(frame); return 0; }
  setArg(frame, CREATE_ARG_IMAGE, image);
  store<u64>(image + IMAGE_HEADER_TAG, resultTag());
  setPhase(frame, CREATE_BUILDING);
  let table = image + IMAGE_HEADER_SIZE;
  let rowTable = table + <usize>blocks * BLOCK_ENTRY_SIZE;
  store<u32>(image + IMAGE_MAGIC, IMAGE_DEAD);
  store<u32>(image + IMAGE_REFERENCES, 0);
  store<u8>(image + IMAGE_MODE, <u8>mode);
  store<u8>(image + IMAGE_BANDS, <u8>bandsOf(mode));
  store<u8>(image + IMAGE_PIXEL_SIZE, <u8>pixelSize);
  store<u32>(image + IMAGE_WIDTH, width);
  store<u32>(image + IMAGE_HEIGHT, height);
  store<u32>(image + IMAGE_STRIDE, <u32>stride);
  store<u32>(image + IMAGE_BLOCK_COUNT, blocks);
  store<u32>(image + IMAGE_ROWS, <u32>rowTable);
  store<u32>(image + IMAGE_BLOCKS, <u32>table);
  store<u32>(image + IMAGE_ROWS_PER_BLOCK, rowsPerBlock);
  let pixel = internalPixel(mode, value);
  let y: u32 = 0;
  for (let b: u32 = 0; b < blocks; b++) {
    let rows = min<u32>(rowsPerBlock, height - y);
    setPhase(frame, CREATE_BLOCKING);
    let block = allocate(<usize>rows * stride + alignment - 1);
    if (block == 0) {
      let error = lastError();
      undoCreateImage(frame);
      fail(error);
      return 0;
    }
    let entry = blockEntry(image, b);
    store<u32>(entry, <u32>block);
    store<u64>(entry + 8, resultTag());
    setArg(frame, CREATE_ARG_BLOCKS, b + 1);
    setPhase(frame, CREATE_BUILDING);
    let first = <usize>alignUp(<u64>block, <u64>alignment);
    for (let r: u32 = 0; r < rows; r++) {
      store<u32>(rowTable + (<usize>(y + r) << 2), <u32>(first + <usize>r * stride));
    }
    if (fill != FILL_NONE) fillRows(first, rows, stride, lineBytes, pixelSize, pixel, fill == FILL_ZERO || pixel == 0);
    y += rows;
  }
  // Rows of a zero-width image hold no bytes, but kernels still take their addresses:
  // point them at the header, which is in bounds.
  for (; y < height; y++) store<u32>(rowTable + (<usize>y << 2), <u32>image);
  store<u32>(image + IMAGE_REFERENCES, 1);
  setPhase(frame, CREATE_GROWING);
  if (!ensureRecord()) {
    undoCreateImage(frame);
    fail(ERR_ARENA_FULL);
    return 0;
  }
  setArg(frame, CREATE_ARG_RECORD, 0);
  setPhase(frame, CREATE_REFERENCING);
  takeRecord(frame, CREATE_ARG_RECORD, CREATE_ARG_RECORD_TAG, image, REF_HELD);
  setPhase(frame, CREATE_REFERENCED);
  finishCreateImage(frame);
  setResult(RESULT_AUX, <u32>arg(frame, CREATE_ARG_RECORD));
  setResultTag(arg(frame, CREATE_ARG_RECORD_TAG));
  frameClose(frame);
  return image;
}

/** The last steps of a creation whose reference is published (normal path and recovery). */
function finishCreateImage(frame: usize): void {
  if (phase(frame) == CREATE_REFERENCED) {
    publish32(<usize>arg(frame, CREATE_ARG_IMAGE) + IMAGE_MAGIC, IMAGE_LIVE);
    count(COUNTER_IMAGES_CREATED, 1);
    setPhase(frame, CREATE_LIVE);
  }
}

/**
 * Recovery of a creation: finishes it if its reference was published (reclaim then drops
 * that reference like any other), else undoes it. Closes the frame.
 */
export function recoverCreateImage(frame: usize): void {
  let p = phase(frame);
  if (p == CREATE_REFERENCING) {
    let record = <usize>arg(frame, CREATE_ARG_RECORD);
    if (recordPublished(record, REF_HELD, arg(frame, CREATE_ARG_RECORD_TAG))) {
      setPhase(frame, CREATE_REFERENCED);
    } else if (record != 0) {
      returnRecord(record);
      setArg(frame, CREATE_ARG_RECORD, 0);
    }
  }
  if (phase(frame) >= CREATE_REFERENCED && phase(frame) <= CREATE_LIVE) {
    finishCreateImage(frame);
    frameClose(frame);
    return;
  }
  undoCreateImage(frame);
}

/** Frees what a creation made, from the last block back to the header, and closes its frame. */
function undoCreateImage(frame: usize): void {
  let image = <usize>arg(frame, CREATE_ARG_IMAGE);
  let p = phase(frame);
  if (p == CREATE_HEADING) { frameClose(frame); return; }
  if (p < CREATE_UNDOING) setPhase(frame, CREATE_UNDOING);
  if (phase(frame) == CREATE_UNDOING) {
    for (let made = <u32>arg(frame, CREATE_ARG_BLOCKS); made > 0; made--) {
      let entry = blockEntry(image, made - 1);
      release(<usize>load<u32>(entry), load<u64>(entry + 8)); // freed already after a restart: refused, harmless
      setArg(frame, CREATE_ARG_BLOCKS, made - 1);
    }
    setPhase(frame, CREATE_UNDOING_HEADER);
  }
  if (phase(frame) == CREATE_UNDOING_HEADER) {
    release(image, load<u64>(image + IMAGE_HEADER_TAG));
    setPhase(frame, CREATE_UNDONE);
  }
  frameClose(frame);
}

// ── references ────────────────────────────────────────────────────────────────────

/** The image of a reference this thread holds, or 0 (ERR_INVALID_HANDLE). */
export function imageOf(record: usize, tag: u64): usize {
  if (!isRecordAddress(record)) { fail(ERR_INVALID_HANDLE); return 0; }
  let image = referencedImage(record, tag, REF_HELD, slotIndex);
  if (image == 0) fail(ERR_INVALID_HANDLE);
  return image;
}

// ── sharing: OP_SHARE_IMAGE ───────────────────────────────────────────────────────
//
//  args  0 image   1 new record   2 its tag
const SHARE_ARG_IMAGE: usize = 0;
const SHARE_ARG_RECORD: usize = 1;
const SHARE_ARG_TAG: usize = 2;
/** The image's count is one higher. */
const SHARE_COUNTED: u32 = 2;
/** Growing the record free list (nested). */
const SHARE_GROWING: u32 = 3;
/** Taking a record (args 1, 2 set first; published or not). */
const SHARE_REFERENCING: u32 = 4;
/** Undoing: the count is back. */
const SHARE_UNDONE: u32 = 10;

/**
 * Makes a new reference to the image of `record` (held by this thread), to be sent to
 * another thread. Returns the new record (its tag as the result tag), or 0.
 */
export function imageShare(record: usize, tag: u64): usize {
  let image = imageOf(record, tag);
  if (image == 0) return 0;
  let frame = frameNext();
  setArg(frame, SHARE_ARG_IMAGE, image);
  setArg(frame, SHARE_ARG_RECORD, 0);
  frameOpen(frame, OP_SHARE_IMAGE);
  fetchAdd32(image + IMAGE_REFERENCES, 1);
  setPhase(frame, SHARE_COUNTED);
  setPhase(frame, SHARE_GROWING);
  if (!ensureRecord()) {
    undoShareImage(frame);
    fail(ERR_ARENA_FULL);
    return 0;
  }
  setPhase(frame, SHARE_REFERENCING);
  let sent = takeRecord(frame, SHARE_ARG_RECORD, SHARE_ARG_TAG, image, REF_SENT);
  setResultTag(arg(frame, SHARE_ARG_TAG));
  frameClose(frame);
  return sent;
}

/** Undoes a share that never returned (recovery, or no record left), and closes its frame. */
export function undoShareImage(frame: usize): void {
  let p = phase(frame);
  if (p == SHARE_REFERENCING) {
    let record = <usize>arg(frame, SHARE_ARG_RECORD);
    if (recordPublished(record, REF_SENT, arg(frame, SHARE_ARG_TAG))) {
      // A handle that no one will adopt: reclaim drops it with the others.
      frameClose(frame);
      return;
    }
    if (record != 0) {
      returnRecord(record);
      setArg(frame, SHARE_ARG_RECORD, 0);
    }
    setPhase(frame, SHARE_COUNTED);
  }
  if (phase(frame) == SHARE_COUNTED || phase(frame) == SHARE_GROWING) {
    // The sharer's own reference still holds the image: the count stays above zero.
    fetchAdd32(<usize>arg(frame, SHARE_ARG_IMAGE) + IMAGE_REFERENCES, <u32>-1);
    setPhase(frame, SHARE_UNDONE);
  }
  frameClose(frame);
}

/**
 * Takes over a shared reference; returns the image or 0 (ERR_INVALID_HANDLE). A handle
 * is verified against the arena and the image header: its arena id, record, tag, mode
 * and size must all match, else it is refused and nothing changes (the record stays SENT).
 */
export function imageAdopt(record: usize, tag: u64, mode: u32, width: u32, height: u32, arena: u32): usize {
  if (arena != arenaId() || !isRecordAddress(record)) { fail(ERR_INVALID_HANDLE); return 0; }
  return adoptReference(record, tag, mode, width, height);
}

// ── dropping: OP_DROP_REFERENCE ───────────────────────────────────────────────────
//
//  args  0 record   1 tag   2 holder slot   3 states (bit per state)   4 image
//        5 blocks freed   6 counted as reclaimed (1) or not
const DROP_ARG_RECORD: usize = 0;
const DROP_ARG_TAG: usize = 1;
const DROP_ARG_HOLDER: usize = 2;
const DROP_ARG_STATES: usize = 3;
const DROP_ARG_IMAGE: usize = 4;
const DROP_ARG_FREED: usize = 5;
const DROP_ARG_RECLAIMED: usize = 6;
const DROP_START: u32 = 0;
/** The record is FREE and this thread's: image arg 4. */
const DROP_FREED: u32 = 2;
/** The record is on this slot's free list. */
const DROP_RECYCLED: u32 = 4;
/** The count dropped to zero: destroying. The magic says DEAD; blocks [0, arg 5) are freed. */
const DROP_DESTROYING: u32 = 6;
/** Freeing the header block (nested). */
const DROP_FREEING_HEADER: u32 = 7;
const DROP_HEADER_FREED: u32 = 8;

/**
 * Drops a reference held by slot `holder` (this thread, or one being reclaimed) in one of
 * the states in `states`; the last reference frees the image. Returns OK or an error.
 */
function dropReference(record: usize, tag: u64, holder: u32, states: u32, reclaimed: bool): i32 {
  let frame = frameNext();
  setArg(frame, DROP_ARG_RECORD, record);
  setArg(frame, DROP_ARG_TAG, tag);
  setArg(frame, DROP_ARG_HOLDER, holder);
  setArg(frame, DROP_ARG_STATES, states);
  setArg(frame, DROP_ARG_FREED, 0);
  setArg(frame, DROP_ARG_RECLAIMED, reclaimed ? 1 : 0);
  frameOpen(frame, OP_DROP_REFERENCE);
  let image = freeRecord(record, tag, holder, states);
  if (image == 0) {
    frameClose(frame);
    return lastError();
  }
  setArg(frame, DROP_ARG_IMAGE, image);
  setPhase(frame, DROP_FREED);
  resumeDropReference(frame);
  return OK;
}

/** Runs a drop from the phase it reached, and closes its frame. */
export function resumeDropReference(frame: usize): void {
  if (phase(frame) == DROP_START) { frameClose(frame); return; }
  let image = <usize>arg(frame, DROP_ARG_IMAGE);
  if (phase(frame) == DROP_FREED) {
    returnRecord(<usize>arg(frame, DROP_ARG_RECORD));
    setPhase(frame, DROP_RECYCLED);
  }
  if (phase(frame) == DROP_RECYCLED) {
    let before = fetchAdd32(image + IMAGE_REFERENCES, <u32>-1);
    if (before != 1) {
      if (DEBUG) assert(before > 1, "reference count underflow");
      if (arg(frame, DROP_ARG_RECLAIMED) != 0) count(COUNTER_RECLAIMED, 1);
      frameClose(frame);
      return;
    }
    setPhase(frame, DROP_DESTROYING);
  }
  if (phase(frame) == DROP_DESTROYING) {
    publish32(image + IMAGE_MAGIC, IMAGE_DEAD);
    let blocks = load<u32>(image + IMAGE_BLOCK_COUNT);
    for (let b = <u32>arg(frame, DROP_ARG_FREED); b < blocks; b++) {
      let entry = blockEntry(image, b);
      release(<usize>load<u32>(entry), load<u64>(entry + 8)); // freed already after a restart: refused, harmless
      setArg(frame, DROP_ARG_FREED, b + 1);
    }
    setPhase(frame, DROP_FREEING_HEADER);
  }
  if (phase(frame) == DROP_FREEING_HEADER) {
    release(image, load<u64>(image + IMAGE_HEADER_TAG));
    setPhase(frame, DROP_HEADER_FREED);
  }
  count(COUNTER_IMAGES_DESTROYED, 1);
  if (arg(frame, DROP_ARG_RECLAIMED) != 0) count(COUNTER_RECLAIMED, 1);
  frameClose(frame);
}

/** Drops a reference this thread holds; the last reference frees the image. */
export function imageRelease(record: usize, tag: u64): i32 {
  if (!isRecordAddress(record)) return fail(ERR_INVALID_HANDLE);
  return dropReference(record, tag, slotIndex, 1 << REF_HELD, false);
}

/** Drops a shared reference that will never be adopted (its sender takes it back). */
export function imageUnshare(record: usize, tag: u64): i32 {
  if (!isRecordAddress(record)) return fail(ERR_INVALID_HANDLE);
  return dropReference(record, tag, slotIndex, 1 << REF_SENT, false);
}

/**
 * Drops every reference slot `holder` holds (held, and sent but not yet adopted): for a
 * thread that died or ended without releasing. Returns the references dropped. Running it
 * again drops only what is still there.
 */
export function dropReferencesOf(holder: u32): i32 {
  let dropped: i32 = 0;
  for (let chunk = firstChunk(); chunk != 0; chunk = nextChunk(chunk)) {
    for (let i: u32 = 1; i < REFS_PER_CHUNK; i++) {
      let record = chunk + <usize>i * REF_SIZE;
      let word = recordWord(record);
      if (wordState(word) == REF_FREE || wordHolder(word) != holder) continue;
      // Adopted meanwhile: refused, and not counted.
      if (dropReference(record, wordTag(word), holder, (1 << REF_HELD) | (1 << REF_SENT), true) == OK) dropped++;
    }
  }
  return dropped;
}

export { IMAGE_DEAD, ERR_ARENA_FULL };
