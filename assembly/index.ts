// The core's exports: what the TypeScript wrapper calls. Each function works on the
// arena this instance is attached to; addresses are plain numbers into the shared memory,
// tags and attachment ids are numbers below 2^48 (f64).
//
// Every call of an attached thread goes through `enter` and `leave` (threads.ts): a thread
// whose slot was reclaimed is refused (ERR_FENCED), and reclaim can tell whether a thread
// is inside a call. Functions that return an address return 0 when refused, with the
// status in the result words; the others return the status.

import { enter, leave, stopRequested } from "./threads";
import * as T from "./threads";
import * as A from "./alloc/arena";
import * as I from "./image/image";
import * as P from "./image/pixels";
import * as G from "./kernels/geometry";
import * as AL from "./kernels/alpha";
import * as R from "./kernels/resize";
import * as C from "./kernels/convert";
import * as RD from "./kernels/reduce";
import * as CO from "./kernels/composite";
import * as B from "./kernels/blur";
import * as JE from "./codecs/jpeg/encoder";
import * as JD from "./codecs/jpeg/decoder";
import * as PD from "./codecs/png/decode";
import * as PE from "./codecs/png/encode";
import * as Z from "./codecs/deflate/zlib";
import * as Q from "./codecs/qoi";
import { heapCheck as walk } from "./check";
import { lastError, takeShortfall } from "./alloc/state";
import * as L from "./alloc/layout";
import * as IL from "./image/layout";
import * as CK from "./check";
import * as CC from "./codecs/common";

/**
 * Kernels run in chunks of rows (or columns), and stop between two when this thread is
 * being reclaimed: a terminated worker that goes on for a moment stops within a chunk.
 */
const CHUNK: i32 = 64;
const RESAMPLE_CHUNK: i32 = 256;

// @ts-ignore: decorator
@inline function chunkEnd(start: i32, end: i32, chunk: i32): i32 { return min(start + chunk, end); }

// ── arena and threads (no fence: they run before or around attachment) ─────────────

export function arenaInit(maxWasmPages: u32, blockSize: u32, blocksMax: u32, alignment: u32, arenaId: u32, trackCalls: bool): i32 {
  return A.arenaInit(maxWasmPages, blockSize, blocksMax, alignment, arenaId, trackCalls);
}
export function attach(token: u32): f64 { return T.attach(token); }
export function nextToken(): u32 { return T.nextToken(); }
export function attachmentOfToken(token: u32): f64 { return T.attachmentOfToken(token); }
export function attachmentLive(id: f64): bool { return T.attachmentLive(id); }
export function arenaId(): u32 { return A.arenaId(); }
export function memoryMaximum(): usize { return A.memoryMaximum(); }

export function detach(): void {
  if (!enter()) return;
  T.detach();
}

export function reclaim(id: f64, dead: bool): i32 {
  if (!enter()) return -lastError();
  let dropped = T.reclaim(id, dead);
  leave();
  return dropped;
}

// ── blocks ────────────────────────────────────────────────────────────────────────

export function allocate(bytes: usize): usize {
  if (!enter()) return 0;
  let address = A.allocate(bytes);
  leave();
  return address;
}

export function release(address: usize, tag: f64): i32 {
  if (!enter()) return lastError();
  let status = A.releaseInline(address, <u64>tag);
  leave();
  return status;
}

export function blockLive(address: usize, tag: f64): usize {
  if (!enter()) return 0;
  let size = A.blockLive(address, <u64>tag);
  leave();
  return size;
}

export function scratchAllocate(bytes: usize): usize {
  if (!enter()) return 0;
  let address = A.scratchAllocate(bytes);
  leave();
  return address;
}

export function scratchRelease(address: usize): void {
  if (!enter()) return;
  A.scratchRelease(address);
  leave();
}

export function blocksMaxSet(n: u32): i32 {
  if (!enter()) return lastError();
  A.blocksMaxSet(n);
  leave();
  return L.OK;
}

export function cacheClear(keep: u32): i32 {
  if (!enter()) return -lastError();
  let evicted = A.cacheClear(keep);
  leave();
  return <i32>evicted;
}

/**
 * Gives up this thread's active slabs: an empty one goes back to the heap, one still in use
 * to the partial lists. Pool workers call it between jobs, so that an idle thread holds no
 * page that splits the free memory (a slab page taken while a large block sat below it).
 */
export function slabsRelease(): i32 {
  if (!enter()) return lastError();
  A.abandonActiveSlabs();
  leave();
  return L.OK;
}

/**
 * The bytes of the last request of this thread that found no memory (ARENA_FULL) since the
 * last call, or 0; forgets it. Pool workers send it back with a job that ran out of memory.
 */
export function shortfallTake(): usize {
  return takeShortfall();
}

export function statsCollect(): i32 {
  if (!enter()) return lastError();
  A.statsCollect();
  leave();
  return L.OK;
}

export function heapCheck(): i32 {
  if (!enter()) return -lastError();
  let status = walk();
  leave();
  return status;
}

// ── images ────────────────────────────────────────────────────────────────────────

export function imageCreate(mode: u32, width: u32, height: u32, fill: u32, value: u32): usize {
  if (!enter()) return 0;
  let image = I.imageCreate(mode, width, height, fill, value);
  leave();
  return image;
}

/** The heap bytes an image of this mode and size would take (-1: it cannot be made at all). */
export function imageBytes(mode: u32, width: u32, height: u32): f64 {
  if (!enter()) return -1;
  let bytes = I.imageBytes(mode, width, height);
  leave();
  return bytes;
}

export function imageShare(record: usize, tag: f64): usize {
  if (!enter()) return 0;
  let sent = I.imageShare(record, <u64>tag);
  leave();
  return sent;
}

/** `mode`, `width`, `height` and `arena` are what the handle claims: checked, not trusted. */
export function imageAdopt(record: usize, tag: f64, mode: u32, width: u32, height: u32, arena: u32): usize {
  if (!enter()) return 0;
  let image = I.imageAdopt(record, <u64>tag, mode, width, height, arena);
  leave();
  return image;
}

export function imageRelease(record: usize, tag: f64): i32 {
  if (!enter()) return lastError();
  let status = I.imageRelease(record, <u64>tag);
  leave();
  return status;
}

export function imageUnshare(record: usize, tag: f64): i32 {
  if (!enter()) return lastError();
  let status = I.imageUnshare(record, <u64>tag);
  leave();
  return status;
}

export function imageOf(record: usize, tag: f64): usize {
  if (!enter()) return 0;
  let image = I.imageOf(record, <u64>tag);
  leave();
  return image;
}

export function imageUnpack(image: usize, source: usize): i32 {
  if (!enter()) return lastError();
  P.imageUnpack(image, source);
  leave();
  return L.OK;
}

export function imagePack(image: usize, target: usize): i32 {
  if (!enter()) return lastError();
  P.imagePack(image, target);
  leave();
  return L.OK;
}

// ── kernels: output rows [rowStart, rowEnd) of `target` from `source`; each returns a status

export function transposeImage(target: usize, source: usize, method: u32, rowStart: i32, rowEnd: i32): i32 {
  if (!enter()) return lastError();
  for (let y = rowStart; y < rowEnd; y += CHUNK) {
    if (stopRequested()) { leave(); return L.ERR_FENCED; }
    G.transposeImage(target, source, method, y, chunkEnd(y, rowEnd, CHUNK));
  }
  leave();
  return L.OK;
}

export function cropImage(target: usize, source: usize, left: i32, top: i32, rowStart: i32, rowEnd: i32): i32 {
  if (!enter()) return lastError();
  for (let y = rowStart; y < rowEnd; y += CHUNK) {
    if (stopRequested()) { leave(); return L.ERR_FENCED; }
    G.cropImage(target, source, left, top, y, chunkEnd(y, rowEnd, CHUNK));
  }
  leave();
  return L.OK;
}

export function premultiplyImage(target: usize, source: usize, rowStart: i32, rowEnd: i32): i32 {
  if (!enter()) return lastError();
  for (let y = rowStart; y < rowEnd; y += CHUNK) {
    if (stopRequested()) { leave(); return L.ERR_FENCED; }
    AL.premultiplyImage(target, source, y, chunkEnd(y, rowEnd, CHUNK));
  }
  leave();
  return L.OK;
}

export function unpremultiplyImage(target: usize, source: usize, rowStart: i32, rowEnd: i32): i32 {
  if (!enter()) return lastError();
  for (let y = rowStart; y < rowEnd; y += CHUNK) {
    if (stopRequested()) { leave(); return L.ERR_FENCED; }
    AL.unpremultiplyImage(target, source, y, chunkEnd(y, rowEnd, CHUNK));
  }
  leave();
  return L.OK;
}

export function resampleImage(target: usize, source: usize, horizontal: usize, vertical: usize, premultiplied: bool,
  rowStart: i32, rowEnd: i32): i32 {
  if (!enter()) return lastError();
  let status = L.OK;
  for (let y = rowStart; y < rowEnd && status == L.OK; y += RESAMPLE_CHUNK) {
    status = stopRequested() ? L.ERR_FENCED : R.resampleImage(target, source, horizontal, vertical, premultiplied, y, chunkEnd(y, rowEnd, RESAMPLE_CHUNK));
  }
  leave();
  return status;
}

export function nearestImage(target: usize, source: usize, columns: usize, rows: usize, rowStart: i32, rowEnd: i32): i32 {
  if (!enter()) return lastError();
  for (let y = rowStart; y < rowEnd; y += CHUNK) {
    if (stopRequested()) { leave(); return L.ERR_FENCED; }
    R.nearestImage(target, source, columns, rows, y, chunkEnd(y, rowEnd, CHUNK));
  }
  leave();
  return L.OK;
}

export function convertImage(target: usize, source: usize, rowStart: i32, rowEnd: i32): i32 {
  if (!enter()) return lastError();
  for (let y = rowStart; y < rowEnd; y += CHUNK) {
    if (stopRequested()) { leave(); return L.ERR_FENCED; }
    C.convertImage(target, source, y, chunkEnd(y, rowEnd, CHUNK));
  }
  leave();
  return L.OK;
}

export function reduceImage(target: usize, source: usize, factorX: i32, factorY: i32,
  boxX: i32, boxY: i32, boxWidth: i32, boxHeight: i32, rowStart: i32, rowEnd: i32): i32 {
  if (!enter()) return lastError();
  for (let y = rowStart; y < rowEnd; y += CHUNK) {
    if (stopRequested()) { leave(); return L.ERR_FENCED; }
    RD.reduceImage(target, source, factorX, factorY, boxX, boxY, boxWidth, boxHeight, y, chunkEnd(y, rowEnd, CHUNK));
  }
  leave();
  return L.OK;
}

export function alphaCompositeImage(target: usize, base: usize, overlay: usize, dx: i32, dy: i32, sx: i32, sy: i32,
  width: i32, height: i32, rowStart: i32, rowEnd: i32): i32 {
  if (!enter()) return lastError();
  for (let y = rowStart; y < rowEnd; y += CHUNK) {
    if (stopRequested()) { leave(); return L.ERR_FENCED; }
    CO.alphaCompositeImage(target, base, overlay, dx, dy, sx, sy, width, height, y, chunkEnd(y, rowEnd, CHUNK));
  }
  leave();
  return L.OK;
}

export function pasteImage(target: usize, base: usize, source: usize, mask: usize, dx: i32, dy: i32, sx: i32, sy: i32,
  width: i32, height: i32, rowStart: i32, rowEnd: i32): i32 {
  if (!enter()) return lastError();
  let status = L.OK;
  for (let y = rowStart; y < rowEnd && status == L.OK; y += CHUNK) {
    status = stopRequested() ? L.ERR_FENCED : CO.pasteImage(target, base, source, mask, dx, dy, sx, sy, width, height, y, chunkEnd(y, rowEnd, CHUNK));
  }
  leave();
  return status;
}

export function fillImage(target: usize, base: usize, ink: u32, mask: usize, dx: i32, dy: i32, sx: i32, sy: i32,
  width: i32, height: i32, rowStart: i32, rowEnd: i32): i32 {
  if (!enter()) return lastError();
  for (let y = rowStart; y < rowEnd; y += CHUNK) {
    if (stopRequested()) { leave(); return L.ERR_FENCED; }
    CO.fillImage(target, base, ink, mask, dx, dy, sx, sy, width, height, y, chunkEnd(y, rowEnd, CHUNK));
  }
  leave();
  return L.OK;
}

export function blurRows(target: usize, source: usize, radius: f32, passes: i32, rowStart: i32, rowEnd: i32): i32 {
  if (!enter()) return lastError();
  let status = L.OK;
  for (let y = rowStart; y < rowEnd && status == L.OK; y += CHUNK) {
    status = stopRequested() ? L.ERR_FENCED : B.blurRows(target, source, radius, passes, y, chunkEnd(y, rowEnd, CHUNK));
  }
  leave();
  return status;
}

export function blurColumns(target: usize, source: usize, radius: f32, passes: i32, columnStart: i32, columnEnd: i32): i32 {
  if (!enter()) return lastError();
  let status = L.OK;
  for (let y = columnStart; y < columnEnd && status == L.OK; y += CHUNK) {
    status = stopRequested() ? L.ERR_FENCED : B.blurColumns(target, source, radius, passes, y, chunkEnd(y, columnEnd, CHUNK));
  }
  leave();
  return status;
}

// ── codecs (assembly/codecs; the contract is in codecs/common.ts) ────────────────

export function pngProbe(input: usize, length: usize): i32 {
  if (!enter()) return lastError();
  let status = PD.pngProbe(input, length);
  leave();
  return status;
}

export function pngDecode(input: usize, length: usize, maxPixels: f64): usize {
  if (!enter()) return 0;
  let image = PD.pngDecode(input, length, maxPixels);
  leave();
  return image;
}

export function pngEncode(image: usize, level: i32, filter: i32): usize {
  if (!enter()) return 0;
  let output = PE.pngEncode(image, level, filter);
  leave();
  return output;
}

export function qoiProbe(input: usize, length: usize): i32 {
  if (!enter()) return lastError();
  let status = Q.qoiProbe(input, length);
  leave();
  return status;
}

export function qoiDecode(input: usize, length: usize, maxPixels: f64): usize {
  if (!enter()) return 0;
  let image = Q.qoiDecode(input, length, maxPixels);
  leave();
  return image;
}

export function qoiEncode(image: usize): usize {
  if (!enter()) return 0;
  let output = Q.qoiEncode(image);
  leave();
  return output;
}

export function zlibDeflate(input: usize, length: usize, level: i32): usize {
  if (!enter()) return 0;
  let output = Z.zlibDeflate(input, length, level);
  leave();
  return output;
}

export function zlibInflate(input: usize, length: usize, maxOutput: f64): usize {
  if (!enter()) return 0;
  let output = Z.zlibInflate(input, length, maxOutput);
  leave();
  return output;
}

export function jpegProbe(input: usize, length: usize): i32 {
  if (!enter()) return lastError();
  let status = JD.jpegProbe(input, length);
  leave();
  return status;
}

export function jpegDecode(input: usize, length: usize, maxPixels: f64, reduce: u32): usize {
  if (!enter()) return 0;
  let image = JD.jpegDecode(input, length, maxPixels, reduce);
  leave();
  return image;
}

export function jpegEncode(image: usize, quality: i32, subsampling: i32, progressive: i32, optimize: i32): usize {
  if (!enter()) return 0;
  let output = JE.jpegEncode(image, quality, subsampling, progressive, optimize);
  leave();
  return output;
}

// Layout constants, exported as globals so that a test can compare them with src/layout.ts.
export const LAYOUT_VERSION = L.LAYOUT_VERSION;
export const ARENA_HEADER = L.ARENA_HEADER;
export const SLOTS_BASE = L.SLOTS_BASE;
export const SLOT_SIZE = L.SLOT_SIZE;
export const SLOT_RESULTS = L.SLOT_RESULTS;
export const SLOT_RESULT_TAG = L.SLOT_RESULT_TAG;
export const SLOT_STATS = L.SLOT_STATS;
export const SLOT_STATE = L.SLOT_STATE;
export const SLOT_IN_CORE = L.SLOT_IN_CORE;
export const MAX_ATTACHMENTS = L.MAX_ATTACHMENTS;
export const MEMORY_BASE = L.MEMORY_BASE;
export const FIXED_END = L.FIXED_END;
export const PAGE_SIZE = L.PAGE_SIZE;
export const SMALL_MAX_BYTES = L.SMALL_MAX_BYTES;
export const HEADER_PAGE_COUNT = L.HEADER_PAGE_COUNT;
export const HEADER_HEAP_START = L.HEADER_HEAP_START;
export const HEADER_PAGE_MAP = L.HEADER_PAGE_MAP;
export const HEADER_FLAGS = L.HEADER_FLAGS;
export const FLAG_TRACK_CALLS = L.FLAG_TRACK_CALLS;
export const IMAGE_HEADER_SIZE = IL.IMAGE_HEADER_SIZE;
export const IMAGE_ROWS = IL.IMAGE_ROWS;
export const IMAGE_STRIDE = IL.IMAGE_STRIDE;
export const IMAGE_MODE = IL.IMAGE_MODE;
export const IMAGE_WIDTH = IL.IMAGE_WIDTH;
export const IMAGE_HEIGHT = IL.IMAGE_HEIGHT;
export const RESULT_SIZE = L.RESULT_SIZE;
export const RESULT_ERROR = L.RESULT_ERROR;
export const RESULT_AUX = L.RESULT_AUX;
export const STAT_BYTES_COMMITTED = L.STAT_BYTES_COMMITTED;
export const STAT_BYTES_IN_USE = L.STAT_BYTES_IN_USE;
export const STAT_PEAK_BYTES = L.STAT_PEAK_BYTES;
export const STAT_BLOCKS_IN_USE = L.STAT_BLOCKS_IN_USE;
export const STAT_BLOCKS_CACHED = L.STAT_BLOCKS_CACHED;
export const STAT_IMAGES_LIVE = L.STAT_IMAGES_LIVE;
export const STAT_ALLOCATED = L.STAT_ALLOCATED;
export const STAT_REUSED = L.STAT_REUSED;
export const STAT_FREED = L.STAT_FREED;
export const STAT_RECLAIMED = L.STAT_RECLAIMED;
export const STAT_BYTES_HELD = L.STAT_BYTES_HELD;
export const STAT_BLOCKS_MAX = L.STAT_BLOCKS_MAX;
export const STAT_ATTACHMENTS = L.STAT_ATTACHMENTS;
export const WALK_LIVE_BLOCKS = CK.WALK_LIVE_BLOCKS;
export const WALK_LIVE_BYTES = CK.WALK_LIVE_BYTES;
export const WALK_CACHED_BLOCKS = CK.WALK_CACHED_BLOCKS;
export const WALK_FREE_PAGES = CK.WALK_FREE_PAGES;
export const WALK_SLAB_PAGES = CK.WALK_SLAB_PAGES;
export const WALK_REF_CHUNKS = CK.WALK_REF_CHUNKS;
export const WALK_LIVE_REFERENCES = CK.WALK_LIVE_REFERENCES;
export const WALK_LIVE_IMAGES = CK.WALK_LIVE_IMAGES;
export const WALK_WHERE = CK.WALK_WHERE;
export const WALK_SMALL_BLOCKS = CK.WALK_SMALL_BLOCKS;
export const WALK_PAGES_HELD = CK.WALK_PAGES_HELD;
export const VIOLATION_COUNT = CK.VIOLATION_UNFINISHED;
export const FILL_NONE = I.FILL_NONE;
export const FILL_ZERO = I.FILL_ZERO;
export const FILL_VALUE = I.FILL_VALUE;
export const MODE_L = IL.MODE_L;
export const MODE_LA = IL.MODE_LA;
export const MODE_RGB = IL.MODE_RGB;
export const MODE_RGBA = IL.MODE_RGBA;
export const TAG_SLOT_BITS = L.TAG_SLOT_BITS;
export const TAG_BITS = L.TAG_BITS;
export const STATUS_OK = L.OK;
export const STATUS_ARENA_FULL = L.ERR_ARENA_FULL;
export const STATUS_DOUBLE_FREE = L.ERR_DOUBLE_FREE;
export const STATUS_INVALID_HANDLE = L.ERR_INVALID_HANDLE;
export const STATUS_NOT_A_BLOCK = L.ERR_NOT_A_BLOCK;
export const STATUS_NOT_READY = L.ERR_NOT_READY;
export const STATUS_NO_SLOT = L.ERR_NO_SLOT;
export const STATUS_LIMIT = L.ERR_LIMIT;
export const STATUS_DECODE = L.ERR_DECODE;
export const STATUS_UNSUPPORTED = L.ERR_UNSUPPORTED;
export const STATUS_FENCED = L.ERR_FENCED;
export const STATUS_BUSY = L.ERR_BUSY;
export const STATUS_UNTRACKED = L.ERR_UNTRACKED;
export const FORMAT_PNG = CC.FORMAT_PNG;
export const FORMAT_JPEG = CC.FORMAT_JPEG;
export const FORMAT_QOI = CC.FORMAT_QOI;
export const INFO_FORMAT = CC.INFO_FORMAT;
export const INFO_WIDTH = CC.INFO_WIDTH;
export const INFO_HEIGHT = CC.INFO_HEIGHT;
export const INFO_MODE = CC.INFO_MODE;
export const INFO_BIT_DEPTH = CC.INFO_BIT_DEPTH;
export const INFO_INTERLACED = CC.INFO_INTERLACED;
export const INFO_PROGRESSIVE = CC.INFO_PROGRESSIVE;
export const INFO_SAMPLING = CC.INFO_SAMPLING;
export const INFO_ORIENTATION = CC.INFO_ORIENTATION;
export const INFO_HAS_ICC = CC.INFO_HAS_ICC;
export const INFO_COMPONENTS = CC.INFO_COMPONENTS;
export const INFO_COLOR = CC.INFO_COLOR;
