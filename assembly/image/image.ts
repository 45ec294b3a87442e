// Images: creation (header, row table and blocks of whole rows), references, and
// destruction when the last reference goes.

import {
  IMAGE_MAGIC, IMAGE_REFERENCES, IMAGE_MODE, IMAGE_BANDS, IMAGE_PIXEL_SIZE, IMAGE_WIDTH, IMAGE_HEIGHT,
  IMAGE_STRIDE, IMAGE_BLOCK_COUNT, IMAGE_HEADER_TAG, IMAGE_ROWS, IMAGE_BLOCKS, IMAGE_ROWS_PER_BLOCK,
  IMAGE_HEADER_SIZE, IMAGE_LIVE, IMAGE_DEAD, MODE_L, MODE_LA, MODE_RGB, REF_SIZE, REFS_PER_CHUNK,
  REF_HELD, REF_SENT, REF_FREE
} from "./layout";

import {
  RESULT_TAG, RESULT_AUX, SLOT_RESULTS, OK, ERR_ARENA_FULL, ERR_INVALID_HANDLE,
  COUNTER_IMAGES_CREATED, COUNTER_IMAGES_DESTROYED, COUNTER_RECLAIMED
} from "../alloc/layout";
import { fetchAdd32, publish32 } from "../shared/atomics";
import { allocate, release, releaseSlot, attachmentLive } from "../alloc/arena";
import {
  DEBUG, slotBase, blockSize, rowAlignment, setResult, fail, count, lastError, attachmentIdHere
} from "../alloc/state";
import {
  newReference, adoptReference, dropReference, referencedImage, isRecordAddress, firstChunk, nextChunk,
  recordWord, wordState, wordHolder, wordTag
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
@inline function alignUp(value: usize, alignment: usize): usize {
  return (value + alignment - 1) & ~(alignment - 1);
}

// ── creation and destruction ──────────────────────────────────────────────────────

/** Frees the blocks of a half-built or dead image and its header block. */
function freeImageMemory(image: usize, blocksMade: u32): void {
  let table = <usize>load<u32>(image + IMAGE_BLOCKS);
  for (let b: u32 = 0; b < blocksMade; b++) {
    let entry = table + (<usize>b << 3);
    let status = release(<usize>load<u32>(entry), load<u32>(entry + 4));
    if (DEBUG) assert(status == OK, "an image block was not live");
  }
  let status = release(image, load<u32>(image + IMAGE_HEADER_TAG));
  if (DEBUG) assert(status == OK, "an image header was not live");
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

/**
 * Creates an image with one reference held by this thread. Returns the image address (0:
 * no memory, ERR_ARENA_FULL) with the reference record in RESULT_AUX and its tag in
 * RESULT_TAG. `fill`: FILL_NONE (the caller writes every pixel), FILL_ZERO, or FILL_VALUE
 * with `value` holding the bands packed (band 0 in the low byte).
 */
export function imageCreate(mode: u32, width: u32, height: u32, fill: u32, value: u32): usize {
  let pixelSize = pixelSizeOf(mode);
  let lineBytes = <usize>width * pixelSize;
  let alignment = <usize>rowAlignment;
  let stride = alignUp(lineBytes, alignment);
  let rowsPerBlock: u32 = 0, blocks: u32 = 0;
  if (stride > 0 && height > 0) {
    // As Pillow: as many whole rows as fit a block, at least one; room to align the start.
    rowsPerBlock = max<u32>(1, <u32>((<usize>blockSize - (alignment - 1)) / stride));
    rowsPerBlock = min<u32>(rowsPerBlock, height);
    blocks = (height + rowsPerBlock - 1) / rowsPerBlock;
  }
  let image = allocate(IMAGE_HEADER_SIZE + (<usize>blocks << 3) + (<usize>height << 2));
  if (image == 0) return 0;
  let headerTag = load<u32>(slotBase + SLOT_RESULTS + (RESULT_TAG << 2));
  let table = image + IMAGE_HEADER_SIZE;
  let rowTable = table + (<usize>blocks << 3);
  store<u32>(image + IMAGE_MAGIC, IMAGE_DEAD);
  store<u32>(image + IMAGE_REFERENCES, 0);
  store<u8>(image + IMAGE_MODE, <u8>mode);
  store<u8>(image + IMAGE_BANDS, <u8>bandsOf(mode));
  store<u8>(image + IMAGE_PIXEL_SIZE, <u8>pixelSize);
  store<u32>(image + IMAGE_WIDTH, width);
  store<u32>(image + IMAGE_HEIGHT, height);
  store<u32>(image + IMAGE_STRIDE, <u32>stride);
  store<u32>(image + IMAGE_BLOCK_COUNT, blocks);
  store<u32>(image + IMAGE_HEADER_TAG, headerTag);
  store<u32>(image + IMAGE_ROWS, <u32>rowTable);
  store<u32>(image + IMAGE_BLOCKS, <u32>table);
  store<u32>(image + IMAGE_ROWS_PER_BLOCK, rowsPerBlock);
  let pixel = internalPixel(mode, value);
  // A zero-width image has rows but no blocks: point its empty rows at the header, so
  // that kernels may address them (with zero lengths) like any other row.
  if (blocks == 0) for (let r: u32 = 0; r < height; r++) store<u32>(rowTable + (<usize>r << 2), <u32>image);
  let y: u32 = 0;
  for (let b: u32 = 0; b < blocks; b++) {
    let rows = min<u32>(rowsPerBlock, height - y);
    let block = allocate(<usize>rows * stride + alignment - 1);
    if (block == 0) {
      freeImageMemory(image, b);
      return 0;
    }
    let entry = table + (<usize>b << 3);
    store<u32>(entry, <u32>block);
    store<u32>(entry + 4, load<u32>(slotBase + SLOT_RESULTS + (RESULT_TAG << 2)));
    let first = alignUp(block, alignment);
    for (let r: u32 = 0; r < rows; r++) {
      store<u32>(rowTable + (<usize>(y + r) << 2), <u32>(first + <usize>r * stride));
    }
    if (fill != FILL_NONE) fillRows(first, rows, stride, lineBytes, pixelSize, pixel, fill == FILL_ZERO || pixel == 0);
    y += rows;
  }
  store<u32>(image + IMAGE_REFERENCES, 1);
  let record = newReference(image, REF_HELD);
  if (record == 0) {
    freeImageMemory(image, blocks);
    fail(ERR_ARENA_FULL);
    return 0;
  }
  publish32(image + IMAGE_MAGIC, IMAGE_LIVE);
  count(COUNTER_IMAGES_CREATED, 1);
  setResult(RESULT_AUX, <u32>record);
  return image;
}

/** Drops one count from an image; the last one destroys it. */
function dropCount(image: usize): void {
  let before = fetchAdd32(image + IMAGE_REFERENCES, <u32>-1);
  if (DEBUG) assert(before > 0 && load<u32>(image + IMAGE_MAGIC) == IMAGE_LIVE, "reference count underflow");
  if (before == 1) {
    publish32(image + IMAGE_MAGIC, IMAGE_DEAD);
    freeImageMemory(image, load<u32>(image + IMAGE_BLOCK_COUNT));
    count(COUNTER_IMAGES_DESTROYED, 1);
  }
}

// ── references ────────────────────────────────────────────────────────────────────

/** The image of a reference this thread holds, or 0 (ERR_INVALID_HANDLE). */
export function imageOf(record: usize, tag: u32): usize {
  if (!isRecordAddress(record)) { fail(ERR_INVALID_HANDLE); return 0; }
  let image = referencedImage(record, tag, REF_HELD, attachmentIdHere());
  if (image == 0) fail(ERR_INVALID_HANDLE);
  return image;
}

/**
 * Makes a new reference to the image of `record` (held by this thread), to be sent to
 * another thread. Returns the new record (tag in RESULT_TAG), or 0.
 */
export function imageShare(record: usize, tag: u32): usize {
  let image = imageOf(record, tag);
  if (image == 0) return 0;
  fetchAdd32(image + IMAGE_REFERENCES, 1);
  let sent = newReference(image, REF_SENT);
  if (sent == 0) {
    dropCount(image);
    fail(ERR_ARENA_FULL);
    return 0;
  }
  return sent;
}

/** Takes over a shared reference; returns the image or 0 (ERR_INVALID_HANDLE). */
export function imageAdopt(record: usize, tag: u32): usize {
  if (!isRecordAddress(record)) { fail(ERR_INVALID_HANDLE); return 0; }
  return adoptReference(record, tag);
}

/** Drops a reference this thread holds; the last reference frees the image. */
export function imageRelease(record: usize, tag: u32): i32 {
  if (!isRecordAddress(record)) return fail(ERR_INVALID_HANDLE);
  let image = dropReference(record, tag, attachmentIdHere(), 1 << REF_HELD);
  if (image == 0) return lastError();
  dropCount(image);
  return OK;
}

/** Drops a shared reference that will never be adopted (its sender takes it back). */
export function imageUnshare(record: usize, tag: u32): i32 {
  if (!isRecordAddress(record)) return fail(ERR_INVALID_HANDLE);
  let image = dropReference(record, tag, attachmentIdHere(), 1 << REF_SENT);
  if (image == 0) return lastError();
  dropCount(image);
  return OK;
}

/**
 * Releases everything attachment `id` held: its image references (held, and sent but not
 * yet adopted); and if it is still attached, its slab and cached blocks, freeing its slot.
 * For a thread that died, or ended without releasing. Returns the references dropped.
 */
export function reclaim(id: u32): i32 {
  let dropped: i32 = 0;
  for (let chunk = firstChunk(); chunk != 0; chunk = nextChunk(chunk)) {
    for (let i: u32 = 1; i < REFS_PER_CHUNK; i++) {
      let record = chunk + <usize>i * REF_SIZE;
      let word = recordWord(record);
      if (wordState(word) == REF_FREE || wordHolder(word) != id) continue;
      let image = dropReference(record, wordTag(word), id, (1 << REF_HELD) | (1 << REF_SENT));
      if (image == 0) continue; // adopted meanwhile
      dropCount(image);
      dropped++;
    }
  }
  count(COUNTER_RECLAIMED, <u64>dropped);
  if (attachmentLive(id)) releaseSlot(id & 0xFF);
  return dropped;
}
