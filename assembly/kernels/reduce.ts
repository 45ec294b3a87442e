// Reduce by integer factors, as Pillow's Reduce.c: each output pixel is the rounded mean of
// a factorX × factorY block of the box, blocks in the last column and row cut by the box
// edge. Per channel, with d the pixels in the block:
//
//   out = ((Σ + d/2) * floor(2^24 / d)) >> 24        in u32 arithmetic
//
// Pillow computes the multiplier as (UINT32)(2^32 / (256*d)) in single precision, which is
// floor(2^24 / d) for every d < 2^24; its 2×2 and 4×4 functions shift by 2 and 4 instead,
// which is the same value. For d a power of two the formula is (Σ + d/2) >> log2(d).
//
// Every byte of a 4-byte pixel is averaged independently (LA's middle bytes and RGB's pad
// included), so LA, RGB and RGBA share one path. LA and RGBA arrive premultiplied: the
// TypeScript side premultiplies the input and unpremultiplies the output, as Pillow goes
// through La and RGBa.
//
// Rows are addressed through the row tables, and only output rows [rowStart, rowEnd) are
// computed, so that a call can be split across threads by rows.

import { imageWidth, imageRow, imagePixelSize } from "../image/image";

/** Pixels summed in 16-bit lanes before they are widened: 2 per lane per 4 pixels, 512 × 255 / 2 < 65536. */
const CHUNK_PIXELS: i32 = 512;

// Two adjacent pixels' bytes of each channel side by side: r0 r1 g0 g1 b0 b1 a0 a1, twice.
// @ts-ignore: decorator
@lazy const PAIR_CHANNELS = i8x16(0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15);
// Four pixels' bytes grouped by channel: r0 r1 r2 r3 g0 .. a3.
// @ts-ignore: decorator
@lazy const GROUP_CHANNELS = i8x16(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);

/** floor(2^24 / d): the multiplier of the mean of d values. */
// @ts-ignore: decorator
@inline function multiplier(d: u32): u32 {
  return <u32>(16777216 / d);
}

/** Channel sums (i32x4: one channel per lane) of `count` 4-byte pixels from `address`. */
function sumPixels(address: usize, count: i32): v128 {
  let total = i32x4.splat(0);
  let i = 0;
  while (i + 4 <= count) {
    // Up to CHUNK_PIXELS in 16-bit lanes (pixels 0/2 in the low half, 1/3 in the high).
    let end = min(count & ~3, i + CHUNK_PIXELS);
    let partial = i16x8.splat(0);
    for (; i < end; i += 4) {
      let pixels = v128.load(address + (<usize>i << 2));
      partial = i16x8.add(partial, i16x8.add(i16x8.extend_low_i8x16_u(pixels), i16x8.extend_high_i8x16_u(pixels)));
    }
    total = i32x4.add(total, i32x4.add(i32x4.extend_low_i16x8_u(partial), i32x4.extend_high_i16x8_u(partial)));
  }
  for (; i < count; i++) {
    let pixel = v128.load32_zero(address + (<usize>i << 2));
    total = i32x4.add(total, i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(pixel)));
  }
  return total;
}

/** The formula on four channel sums of `d` pixels; the result in the low byte of each lane. */
// @ts-ignore: decorator
@inline function meanLanes(sums: v128, d: u32, scale: u32): v128 {
  return i32x4.shr_u(i32x4.mul(i32x4.add(sums, i32x4.splat(d >> 1)), i32x4.splat(scale)), 24);
}

/** Four 32-bit lanes holding bytes, as one 4-byte pixel. */
// @ts-ignore: decorator
@inline function packPixel(lanes: v128): u32 {
  let words = i16x8.narrow_i32x4_u(lanes, lanes);
  return <u32>i32x4.extract_lane(i8x16.narrow_i16x8_u(words, words), 0);
}

/**
 * Output pixels [xStart, outWidth) of one output row of a 4-byte image, any block size:
 * source rows [y0, y0 + rows), the box's columns [boxX, boxEnd).
 */
function reduceBlocks4(out: usize, source: usize, y0: i32, rows: i32, boxX: i32, boxEnd: i32, factorX: i32, xStart: i32, outWidth: i32): void {
  let lastD: u32 = 0, scale: u32 = 0;
  for (let x = xStart; x < outWidth; x++) {
    let sx = boxX + x * factorX;
    let columns = min(factorX, boxEnd - sx);
    let d = <u32>(columns * rows);
    if (d != lastD) { lastD = d; scale = multiplier(d); }
    let sums = i32x4.splat(0);
    for (let r = 0; r < rows; r++) sums = i32x4.add(sums, sumPixels(imageRow(source, y0 + r) + (<usize>sx << 2), columns));
    store<u32>(out + (<usize>x << 2), packPixel(meanLanes(sums, d, scale)));
  }
}

/** As reduceBlocks4, for 1-byte pixels. */
function reduceBlocks1(out: usize, source: usize, y0: i32, rows: i32, boxX: i32, boxEnd: i32, factorX: i32, xStart: i32, outWidth: i32): void {
  let lastD: u32 = 0, scale: u32 = 0;
  for (let x = xStart; x < outWidth; x++) {
    let sx = boxX + x * factorX;
    let columns = min(factorX, boxEnd - sx);
    let d = <u32>(columns * rows);
    if (d != lastD) { lastD = d; scale = multiplier(d); }
    let sum: u32 = 0;
    for (let r = 0; r < rows; r++) {
      let row = imageRow(source, y0 + r) + <usize>sx;
      for (let i = 0; i < columns; i++) sum += <u32>load<u8>(row + <usize>i);
    }
    store<u8>(out + <usize>x, <u8>(((sum + (d >> 1)) * scale) >> 24));
  }
}

/** 2×2 blocks of 4-byte pixels, four outputs a step; returns the outputs written (a multiple of 4, ≤ count). */
function reduce2x2Pixels4(out: usize, a: usize, b: usize, count: i32): i32 {
  let half = i16x8.splat(2);
  let x = 0;
  for (; x + 4 <= count; x += 4) {
    let offset = <usize>x << 3;
    let low = i16x8.add(
      i16x8.extadd_pairwise_i8x16_u(i8x16.swizzle(v128.load(a + offset), PAIR_CHANNELS)),
      i16x8.extadd_pairwise_i8x16_u(i8x16.swizzle(v128.load(b + offset), PAIR_CHANNELS)));
    let high = i16x8.add(
      i16x8.extadd_pairwise_i8x16_u(i8x16.swizzle(v128.load(a + offset, 16), PAIR_CHANNELS)),
      i16x8.extadd_pairwise_i8x16_u(i8x16.swizzle(v128.load(b + offset, 16), PAIR_CHANNELS)));
    v128.store(out + (<usize>x << 2), i8x16.narrow_i16x8_u(
      i16x8.shr_u(i16x8.add(low, half), 2), i16x8.shr_u(i16x8.add(high, half), 2)));
  }
  return x;
}

/** Channel sums of one 4×4 block of 4-byte pixels (rows at a, b, c, d, same offset). */
// @ts-ignore: decorator
@inline function sum4x4(a: usize, b: usize, c: usize, d: usize, offset: usize): v128 {
  let pairs = i16x8.add(
    i16x8.add(
      i16x8.extadd_pairwise_i8x16_u(i8x16.swizzle(v128.load(a + offset), GROUP_CHANNELS)),
      i16x8.extadd_pairwise_i8x16_u(i8x16.swizzle(v128.load(b + offset), GROUP_CHANNELS))),
    i16x8.add(
      i16x8.extadd_pairwise_i8x16_u(i8x16.swizzle(v128.load(c + offset), GROUP_CHANNELS)),
      i16x8.extadd_pairwise_i8x16_u(i8x16.swizzle(v128.load(d + offset), GROUP_CHANNELS))));
  return i32x4.shr_u(i32x4.add(i32x4.extadd_pairwise_i16x8_u(pairs), i32x4.splat(8)), 4);
}

/** 4×4 blocks of 4-byte pixels, four outputs a step; returns the outputs written. */
function reduce4x4Pixels4(out: usize, a: usize, b: usize, c: usize, d: usize, count: i32): i32 {
  let x = 0;
  for (; x + 4 <= count; x += 4) {
    let offset = <usize>x << 4;
    v128.store(out + (<usize>x << 2), i8x16.narrow_i16x8_u(
      i16x8.narrow_i32x4_u(sum4x4(a, b, c, d, offset), sum4x4(a, b, c, d, offset + 16)),
      i16x8.narrow_i32x4_u(sum4x4(a, b, c, d, offset + 32), sum4x4(a, b, c, d, offset + 48))));
  }
  return x;
}

/** 2×2 blocks of 1-byte pixels, sixteen outputs a step; returns the outputs written. */
function reduce2x2Pixels1(out: usize, a: usize, b: usize, count: i32): i32 {
  let half = i16x8.splat(2);
  let x = 0;
  for (; x + 16 <= count; x += 16) {
    let offset = <usize>x << 1;
    let low = i16x8.add(i16x8.extadd_pairwise_i8x16_u(v128.load(a + offset)), i16x8.extadd_pairwise_i8x16_u(v128.load(b + offset)));
    let high = i16x8.add(i16x8.extadd_pairwise_i8x16_u(v128.load(a + offset, 16)), i16x8.extadd_pairwise_i8x16_u(v128.load(b + offset, 16)));
    v128.store(out + <usize>x, i8x16.narrow_i16x8_u(
      i16x8.shr_u(i16x8.add(low, half), 2), i16x8.shr_u(i16x8.add(high, half), 2)));
  }
  return x;
}

/** Sums of four 4×4 blocks of 1-byte pixels, one per 32-bit lane, divided by 16. */
// @ts-ignore: decorator
@inline function sum4x4Bytes(a: usize, b: usize, c: usize, d: usize, offset: usize): v128 {
  let pairs = i16x8.add(
    i16x8.add(i16x8.extadd_pairwise_i8x16_u(v128.load(a + offset)), i16x8.extadd_pairwise_i8x16_u(v128.load(b + offset))),
    i16x8.add(i16x8.extadd_pairwise_i8x16_u(v128.load(c + offset)), i16x8.extadd_pairwise_i8x16_u(v128.load(d + offset))));
  return i32x4.shr_u(i32x4.add(i32x4.extadd_pairwise_i16x8_u(pairs), i32x4.splat(8)), 4);
}

/** 4×4 blocks of 1-byte pixels, sixteen outputs a step; returns the outputs written. */
function reduce4x4Pixels1(out: usize, a: usize, b: usize, c: usize, d: usize, count: i32): i32 {
  let x = 0;
  for (; x + 16 <= count; x += 16) {
    let offset = <usize>x << 2;
    v128.store(out + <usize>x, i8x16.narrow_i16x8_u(
      i16x8.narrow_i32x4_u(sum4x4Bytes(a, b, c, d, offset), sum4x4Bytes(a, b, c, d, offset + 16)),
      i16x8.narrow_i32x4_u(sum4x4Bytes(a, b, c, d, offset + 32), sum4x4Bytes(a, b, c, d, offset + 48))));
  }
  return x;
}

/**
 * Output rows [rowStart, rowEnd) of `source` reduced by factorX × factorY over the box
 * (boxX, boxY, boxWidth, boxHeight); `target` is ceil(boxWidth / factorX) ×
 * ceil(boxHeight / factorY), of the source's mode.
 */
export function reduceImage(target: usize, source: usize, factorX: i32, factorY: i32,
  boxX: i32, boxY: i32, boxWidth: i32, boxHeight: i32, rowStart: i32, rowEnd: i32): void {
  let pixelSize = imagePixelSize(source);
  let outWidth = imageWidth(target);
  if (outWidth == 0) return; // an empty image has no row addresses to follow
  let boxEnd = boxX + boxWidth;
  let boxBottom = boxY + boxHeight;
  // Output columns whose block is whole; the fast paths stop there.
  let wholeColumns = boxWidth / factorX;
  let left = <usize>(boxX * pixelSize);
  for (let y = rowStart; y < rowEnd; y++) {
    let out = imageRow(target, y);
    let y0 = boxY + y * factorY;
    let rows = min(factorY, boxBottom - y0);
    if (factorX == 1 && factorY == 1) {
      memory.copy(out, imageRow(source, y0) + left, <usize>(outWidth * pixelSize));
      continue;
    }
    let x = 0;
    // The fast paths go by block shape: a last row cut to 2 (or 4) rows of a taller factor fits too.
    if (rows == 2 && factorX == 2) {
      let a = imageRow(source, y0) + left, b = imageRow(source, y0 + 1) + left;
      x = pixelSize == 4 ? reduce2x2Pixels4(out, a, b, wholeColumns) : reduce2x2Pixels1(out, a, b, wholeColumns);
    } else if (rows == 4 && factorX == 4) {
      let a = imageRow(source, y0) + left, b = imageRow(source, y0 + 1) + left;
      let c = imageRow(source, y0 + 2) + left, d = imageRow(source, y0 + 3) + left;
      x = pixelSize == 4 ? reduce4x4Pixels4(out, a, b, c, d, wholeColumns) : reduce4x4Pixels1(out, a, b, c, d, wholeColumns);
    }
    if (pixelSize == 4) reduceBlocks4(out, source, y0, rows, boxX, boxEnd, factorX, x, outWidth);
    else reduceBlocks1(out, source, y0, rows, boxX, boxEnd, factorX, x, outWidth);
  }
}
