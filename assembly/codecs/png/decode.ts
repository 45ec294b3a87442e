// PNG decoding straight into an arena image, and the probe.
//
// The compressed stream is inflated from the IDAT chunks where they lie in the input
// (each chunk's CRC checked on entry) into a window of filtered rows; each row is
// unfiltered into a working row (or straight into the image row when the layouts agree)
// and converted into the image's pixels. Memory beyond the image and the input is one
// scratch block of a few rows and a 32 KiB window, whatever the image size:
//
//   work + 0        CRC tables             8 KiB
//   WORK_INFLATE    inflate tables         ~12.5 KiB
//   WORK_LOOKUP     u32 × 256              palette, or gray sample → pixel
//   zeroRow         rowBytes + 32          zeros: the row above the first
//   rowA, rowB      rowBytes + 32 each     unfiltered rows (this one, the one above)
//   window          32 KiB + a filtered row + WINDOW_ROOM, + slack
//                   inflate output; when full, the last 32 KiB (and any partial row)
//                   move to its start
//
// Natural modes: gray → L, gray + alpha → LA, RGB → RGB, RGBA → RGBA, palette → RGB
// (RGBA with tRNS); a gray or RGB tRNS colour key gives LA / RGBA with alpha 0 where the
// samples as stored equal the key. 16-bit samples keep their high byte. Gray of 1, 2, 4
// bits is scaled to 8 (×255, ×85, ×17). Palette indices past the PLTE entries give
// (i, i, i) and tRNS alphas apply to them, as in Pillow.
//
// The stream must give exactly the image's filtered bytes and end there, with a matching
// Adler-32: less, or more, is DECODE_FAILED. Inflating stops at most a window past the
// image's size (a decompression bomb goes no further). After the image data the chunks
// are walked to IEND: more IDATs must follow the first run directly, and the CRCs of the
// critical chunks must hold.

import { ERR_DECODE, ERR_LIMIT, ERR_ARENA_FULL, ERR_UNSUPPORTED, OK, RESULT_AUX, SLOT_RESULTS } from "../../alloc/layout";
import { lastError, fail, setResult, slotBase, resultTag, setResultTag } from "../../alloc/state";
import { scratchAllocate, scratchRelease } from "../../alloc/arena";
import { imageCreate, imageRelease, imageRow, FILL_NONE } from "../../image/image";
import { MODE_L } from "../../image/layout";
import { CRC_TABLE_BYTES, crcTableBuild, crcUpdate } from "../deflate/crc32";
import { adler32 } from "../deflate/adler32";
import {
  INFLATE_WORK_BYTES, INFLATE_SLACK, INFLATE_END, INFLATE_ERROR, inflateBeginChunks, inflateRun,
  inflateOut, inflateWindow, inflateZlibHeader, inflateZlibTrailer, inflateChunkNext, inflateChunkFailed
} from "../deflate/inflate";
import { WINDOW_SIZE, MAX_MATCH } from "../deflate/tables";
import { unfilterRow } from "./filters";
import {
  headerRead, infoWrite, readU32, width, height, bitDepth, colorType, interlaced, channels, mode,
  palette, paletteEntries, transparency, transparencyLength, firstData,
  COLOR_GRAY, COLOR_RGB, COLOR_PALETTE, COLOR_GRAY_ALPHA, COLOR_RGBA, CHUNK_IHDR, CHUNK_PLTE, CHUNK_IDAT, CHUNK_IEND,
  CHUNK_LENGTH_MAX
} from "./header";

const WORK_CRC: usize = 0;
const WORK_INFLATE: usize = CRC_TABLE_BYTES;
const WORK_LOOKUP: usize = (WORK_INFLATE + INFLATE_WORK_BYTES + 15) & ~15;
const WORK_ROWS: usize = WORK_LOOKUP + 1024;
/** Free window space after a compaction: how much one inflate call may produce. */
const WINDOW_ROOM: usize = 65536;
const ROW_SLACK: usize = 32;
const ALPHA: u32 = 0xFF000000;

// Adam7: first column, first row, column step, row step of passes 1..7
// @ts-ignore: decorator
@lazy const ADAM7 = memory.data<u8>([
  0, 0, 8, 8, 4, 0, 8, 8, 0, 4, 4, 8, 2, 0, 4, 4, 0, 2, 2, 4, 1, 0, 2, 2, 0, 1, 1, 2,
]);

// RGB bytes of four pixels to R,G,B,0 (the alpha is or-ed in).
// @ts-ignore: decorator
@lazy const RGB_SPREAD = i8x16(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1);
// gray+alpha bytes of eight pixels to L,L,L,A (first four, last four).
// @ts-ignore: decorator
@lazy const LA_SPREAD_0 = i8x16(0, 0, 0, 1, 2, 2, 2, 3, 4, 4, 4, 5, 6, 6, 6, 7);
// @ts-ignore: decorator
@lazy const LA_SPREAD_1 = i8x16(8, 8, 8, 9, 10, 10, 10, 11, 12, 12, 12, 13, 14, 14, 14, 15);

// ── per-call state ──────────────────────────────────────────────────────────────

let work: usize = 0;
let lookup: usize = 0;
let bitsPerPixel: u32 = 0;
let inputEnd: usize = 0;
// window
let windowBase: usize = 0;
let windowLimit: usize = 0;
let produced: usize = 0;   // end of the inflated bytes
let consumed: usize = 0;   // start of the first byte not yet taken as a row
let streamEnded: bool = false;
let adler: u32 = 1;

/** Bytes of a row of `pixels` pixels. */
// @ts-ignore: decorator
@inline function rowBytesOf(pixels: u32): u64 {
  return (<u64>pixels * <u64>bitsPerPixel + 7) >> 3;
}

/** `probe` for PNG: the header only, into the INFO area. */
export function pngProbe(input: usize, length: usize): i32 {
  let status = headerRead(input, length);
  if (status != OK) return fail(status);
  infoWrite();
  return OK;
}

/** `decode` for PNG (contract in ../common.ts). */
export function pngDecode(input: usize, length: usize, maxPixels: f64): usize {
  let status = headerRead(input, length);
  if (status != OK) { fail(status); return 0; }
  infoWrite();
  if (<f64>width * <f64>height > maxPixels) { fail(ERR_LIMIT); return 0; }
  bitsPerPixel = channels * bitDepth;
  let rowMax = rowBytesOf(width);
  let pixelBytes: u64 = mode == MODE_L ? 1 : 4;
  if (rowMax > 0x10000000 || <u64>width * pixelBytes > 0x40000000) { fail(ERR_ARENA_FULL); return 0; }
  let rowSpace = (<usize>rowMax + ROW_SLACK + 15) & ~15;
  let windowBytes = WINDOW_SIZE + <usize>rowMax + 1 + WINDOW_ROOM + INFLATE_SLACK;
  let block = scratchAllocate(WORK_ROWS + 3 * rowSpace + windowBytes);
  if (block == 0) return 0;
  let image = imageCreate(mode, width, height, FILL_NONE, 0);
  if (image == 0) {
    let error = lastError();
    scratchRelease(block);
    fail(error);
    return 0;
  }
  let record = <usize>load<u32>(slotBase + SLOT_RESULTS + (RESULT_AUX << 2));
  let tag = resultTag();
  inputEnd = input + length;
  status = imageDecode(image, block, rowSpace, windowBytes);
  scratchRelease(block);
  if (status != OK) {
    imageRelease(record, tag);
    fail(status);
    return 0;
  }
  setResult(RESULT_AUX, <u32>record);
  setResultTag(tag);
  return image;
}

function imageDecode(image: usize, workArea: usize, rowSpace: usize, windowBytes: usize): i32 {
  work = workArea;
  let crcTables = work + WORK_CRC;
  crcTableBuild(crcTables);
  lookup = work + WORK_LOOKUP;
  lookupBuild();
  let zeroRow = work + WORK_ROWS;
  let rowA = zeroRow + rowSpace, rowB = rowA + rowSpace;
  memory.fill(zeroRow, 0, rowSpace);
  windowBase = rowB + rowSpace;
  windowLimit = windowBase + windowBytes - INFLATE_SLACK;
  produced = windowBase;
  consumed = windowBase;
  streamEnded = false;
  adler = 1;
  inflateWindow(windowBase);
  if (!inflateBeginChunks(work + WORK_INFLATE, firstData, inputEnd, crcTables) || !inflateZlibHeader()) return ERR_DECODE;

  let bpp = <usize>max<u32>(1, bitsPerPixel >> 3);
  let direct = !interlaced && bitDepth == 8
    && ((colorType == COLOR_GRAY && transparency == 0) || colorType == COLOR_RGBA);
  for (let pass: u32 = interlaced ? 0 : 6; pass < 7; pass++) {
    let x0 = <u32>load<u8>(ADAM7 + pass * 4), y0 = <u32>load<u8>(ADAM7 + pass * 4 + 1);
    let dx = <u32>load<u8>(ADAM7 + pass * 4 + 2), dy = <u32>load<u8>(ADAM7 + pass * 4 + 3);
    if (!interlaced) { x0 = 0; y0 = 0; dx = 1; dy = 1; }
    if (x0 >= width || y0 >= height) continue;
    let columns = (width - x0 + dx - 1) / dx;
    let rows = (height - y0 + dy - 1) / dy;
    let rowLength = <usize>rowBytesOf(columns);
    let prior = zeroRow;
    let current = rowA, spare = rowB;
    for (let r: u32 = 0; r < rows; r++) {
      let status = rowFetch(rowLength + 1);
      if (status != OK) return status;
      let filter = <u32>load<u8>(consumed);
      if (filter > 4) return ERR_DECODE;
      let y = <i32>(y0 + r * dy);
      let target = direct ? imageRow(image, y) : current;
      unfilterRow(filter, target, consumed + 1, prior, rowLength, bpp);
      adler = adler32(adler, consumed, rowLength + 1);
      consumed += rowLength + 1;
      if (!direct) {
        rowEmit(target, imageRow(image, y), x0, dx, columns);
        current = spare;
        spare = target;
      }
      prior = target;
    }
  }
  return streamFinish();
}

/** Makes `bytes` inflated bytes available at `consumed`. */
function rowFetch(bytes: usize): i32 {
  while (produced - consumed < bytes) {
    if (streamEnded) return ERR_DECODE;
    if (windowLimit - produced < <usize>MAX_MATCH) windowCompact();
    let status = inflateRun(produced, windowLimit);
    produced = inflateOut;
    if (status == INFLATE_ERROR) return ERR_DECODE;
    if (status == INFLATE_END) streamEnded = true;
  }
  return OK;
}

/** Keeps the last 32 KiB of output (distances reach that far) and any partial row. */
function windowCompact(): void {
  let keep = produced - windowBase > WINDOW_SIZE ? produced - WINDOW_SIZE : windowBase;
  if (consumed < keep) keep = consumed;
  let shift = keep - windowBase;
  if (shift == 0) return;
  memory.copy(windowBase, keep, produced - keep);
  produced -= shift;
  consumed -= shift;
}

/**
 * After the last row the stream must end: its final block closes with no more data, and
 * its Adler-32 matches. More image data than the image holds is DECODE_FAILED at once (at
 * most a window past the image is ever inflated). Then the chunks up to IEND.
 */
function streamFinish(): i32 {
  if (produced != consumed) return ERR_DECODE;
  if (!streamEnded) {
    if (windowLimit - produced < <usize>MAX_MATCH) windowCompact();
    let status = inflateRun(produced, windowLimit);
    if (status != INFLATE_END || inflateOut != produced) return ERR_DECODE;
  }
  let expected = inflateZlibTrailer();
  if (expected < 0 || <u32>expected != adler) return ERR_DECODE;
  if (inflateChunkFailed()) return ERR_DECODE;
  return chunksAfterData(inflateChunkNext());
}

/** Walks from `at` to IEND: IDATs only directly after the others, CRCs of critical chunks. */
function chunksAfterData(at: usize): i32 {
  let crcTables = work + WORK_CRC;
  let dataEnded = false;
  while (true) {
    if (at > inputEnd || inputEnd - at < 12) return ERR_DECODE;
    let size = readU32(at);
    let type = readU32(at + 4);
    if (size > CHUNK_LENGTH_MAX || <usize>size > inputEnd - at - 12) return ERR_DECODE;
    let critical = (load<u8>(at + 4) & 0x20) == 0;
    if (critical) {
      if (type != CHUNK_IDAT && type != CHUNK_IEND) return type == CHUNK_PLTE || type == CHUNK_IHDR ? ERR_DECODE : ERR_UNSUPPORTED;
      if (type == CHUNK_IDAT && dataEnded) return ERR_DECODE;
      if (crcUpdate(crcTables, 0, at + 4, <usize>size + 4) != readU32(at + 8 + <usize>size)) return ERR_DECODE;
      if (type == CHUNK_IEND) return size == 0 ? OK : ERR_DECODE;
    } else {
      dataEnded = true;
    }
    at += <usize>size + 12;
  }
  return OK;
}

// ── from unfiltered rows to pixels ──────────────────────────────────────────────

/** The u32 pixel of each 8-bit-or-less sample: palette entries, or scaled gray with the key's alpha. */
function lookupBuild(): void {
  if (colorType == COLOR_PALETTE) {
    for (let i: u32 = 0; i < 256; i++) {
      let pixel: u32 = i < paletteEntries
        ? <u32>load<u8>(palette + i * 3) | (<u32>load<u8>(palette + i * 3 + 1) << 8) | (<u32>load<u8>(palette + i * 3 + 2) << 16)
        : i * 0x010101;
      let alpha: u32 = i < transparencyLength ? <u32>load<u8>(transparency + i) : 255;
      store<u32>(lookup + (<usize>i << 2), pixel | (alpha << 24));
    }
  } else if (colorType == COLOR_GRAY && bitDepth <= 8) {
    let top: u32 = (1 << bitDepth) - 1;
    let key: i32 = transparency != 0 ? <i32>bswap<u16>(load<u16>(transparency)) : -1;
    for (let i: u32 = 0; i < 256; i++) {
      let level = (i & top) * (255 / top);
      let alpha: u32 = <i32>i == key ? 0 : 255;
      store<u32>(lookup + (<usize>i << 2), level * 0x010101 | (alpha << 24));
    }
  }
}

/** Sample `i` of a row of `depth`-bit samples (depth ≤ 8), most significant bits first. */
// @ts-ignore: decorator
@inline function sampleAt(row: usize, i: u32, depth: u32): u32 {
  let bit = i * depth;
  return (<u32>load<u8>(row + (bit >> 3)) >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
}

/** Converts `count` unfiltered pixels to image pixels at x0, x0 + dx, ... of `out`. */
function rowEmit(raw: usize, out: usize, x0: u32, dx: u32, count: u32): void {
  if (colorType == COLOR_PALETTE || (colorType == COLOR_GRAY && bitDepth <= 8)) {
    indexedEmit(raw, out, x0, dx, count);
    return;
  }
  if (dx == 1 && bitDepth == 8 && transparency == 0) {
    if (colorType == COLOR_RGB) { rgbEmit(raw, out, count); return; }
    if (colorType == COLOR_GRAY_ALPHA) { grayAlphaEmit(raw, out, count); return; }
  }
  let step: usize = bitDepth >> 3; // bytes per sample; the first is the high byte
  let pixelStep = step * <usize>channels;
  for (let i: u32 = 0; i < count; i++) {
    let p = raw + <usize>i * pixelStep;
    let x = <usize>(x0 + i * dx);
    if (colorType == COLOR_GRAY) {
      let level = <u32>load<u8>(p);
      if (transparency == 0) {
        store<u8>(out + x, <u8>level);
      } else {
        // 16-bit: the key is compared with the whole sample
        let alpha: u32 = load<u16>(p) == load<u16>(transparency) ? 0 : 255;
        store<u32>(out + (x << 2), level * 0x010101 | (alpha << 24));
      }
    } else if (colorType == COLOR_RGB) {
      let pixel = <u32>load<u8>(p) | (<u32>load<u8>(p + step) << 8) | (<u32>load<u8>(p + 2 * step) << 16);
      let alpha: u32 = 255;
      if (transparency != 0) {
        let same = step == 2
          ? load<u16>(p) == load<u16>(transparency) && load<u16>(p + 2) == load<u16>(transparency + 2)
            && load<u16>(p + 4) == load<u16>(transparency + 4)
          : <u32>bswap<u16>(load<u16>(transparency)) == <u32>load<u8>(p)
            && <u32>bswap<u16>(load<u16>(transparency + 2)) == <u32>load<u8>(p + 1)
            && <u32>bswap<u16>(load<u16>(transparency + 4)) == <u32>load<u8>(p + 2);
        if (same) alpha = 0;
      }
      store<u32>(out + (x << 2), pixel | (alpha << 24));
    } else if (colorType == COLOR_GRAY_ALPHA) {
      store<u32>(out + (x << 2), <u32>load<u8>(p) * 0x010101 | (<u32>load<u8>(p + step) << 24));
    } else {
      store<u32>(out + (x << 2), <u32>load<u8>(p) | (<u32>load<u8>(p + step) << 8)
        | (<u32>load<u8>(p + 2 * step) << 16) | (<u32>load<u8>(p + 3 * step) << 24));
    }
  }
}

/** Palette indices or gray samples of up to 8 bits, through the lookup table. */
function indexedEmit(raw: usize, out: usize, x0: u32, dx: u32, count: u32): void {
  let wide = mode != MODE_L;
  if (bitDepth == 8 && dx == 1) {
    if (wide) {
      for (let i: usize = 0; i < <usize>count; i++) {
        store<u32>(out + (i << 2), load<u32>(lookup + (<usize>load<u8>(raw + i) << 2)));
      }
    } else {
      for (let i: usize = 0; i < <usize>count; i++) {
        store<u8>(out + i, load<u8>(lookup + (<usize>load<u8>(raw + i) << 2)));
      }
    }
    return;
  }
  for (let i: u32 = 0; i < count; i++) {
    let value = load<u32>(lookup + (<usize>sampleAt(raw, i, bitDepth) << 2));
    let x = <usize>(x0 + i * dx);
    if (wide) store<u32>(out + (x << 2), value);
    else store<u8>(out + x, <u8>value);
  }
}

/** 8-bit RGB to R,G,B,255: four pixels a step. */
function rgbEmit(raw: usize, out: usize, count: u32): void {
  let alpha = i32x4.splat(ALPHA);
  let i: usize = 0;
  for (; i + 4 <= <usize>count; i += 4) {
    v128.store(out + (i << 2), v128.or(i8x16.swizzle(v128.load(raw + i * 3), RGB_SPREAD), alpha));
  }
  for (; i < <usize>count; i++) {
    let p = raw + i * 3;
    store<u32>(out + (i << 2), <u32>load<u8>(p) | (<u32>load<u8>(p + 1) << 8) | (<u32>load<u8>(p + 2) << 16) | ALPHA);
  }
}

/** 8-bit gray+alpha to L,L,L,A: eight pixels a step. */
function grayAlphaEmit(raw: usize, out: usize, count: u32): void {
  let i: usize = 0;
  for (; i + 8 <= <usize>count; i += 8) {
    let pixels = v128.load(raw + (i << 1));
    v128.store(out + (i << 2), i8x16.swizzle(pixels, LA_SPREAD_0));
    v128.store(out + (i << 2), i8x16.swizzle(pixels, LA_SPREAD_1), 16);
  }
  for (; i < <usize>count; i++) {
    let p = raw + (i << 1);
    store<u32>(out + (i << 2), <u32>load<u8>(p) * 0x010101 | (<u32>load<u8>(p + 1) << 24));
  }
}
