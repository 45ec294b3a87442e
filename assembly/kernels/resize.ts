// Resampling with Pillow's convolution (Resample.c): a horizontal pass, whose results are
// rounded and clipped to 8 bits, then a vertical pass, each a sum of source samples times
// 22-bit fixed-point coefficients, with 1 << 21 added for rounding and the sum shifted
// right by 22. The coefficients come from the caller (src/kernels/resize.ts computes them
// exactly as Pillow's precompute_coeffs, in doubles).
//
// Coefficient table (i32 words), one per axis:
//   [0] output size   [1] taps per output (the table's row length)
//   [2 + 2i] first source index of output i   [3 + 2i] taps of output i
//   [2 + 2*size + i*taps + k] coefficient k of output i
// The horizontal table of 4-byte images is split instead: its row length is even, and
// coefficients k, k+1 are the words [k] = high k | high k+1 << 16 and [k+1] = low k |
// low k+1 << 16 (i16 each), coefficient = high * 2048 + low, low in 0..2047.
//
// For a band of output rows the kernel walks down the rows, computing each intermediate
// (horizontally resampled) row when a window first needs it into a ring of `taps` rows, so
// that the intermediate image never exists whole and stays in cache. Windows only move
// down, and a window is never longer than the ring, so a row is not overwritten while a
// window still reads it.

import { imageWidth, imageRow, imagePixelSize, imageBands } from "../image/image";
import { scratchAllocate, scratchRelease } from "../alloc/arena";
import { lastError } from "../alloc/state";
import { premultiplyPixels, unpremultiplyPixels } from "./alpha";

const PRECISION_BITS: i32 = 22;
const HALF: i32 = 1 << (PRECISION_BITS - 1);

// @ts-ignore: decorator
@inline function tableSize(table: usize): i32 { return load<i32>(table); }
// @ts-ignore: decorator
@inline function tableTaps(table: usize): i32 { return load<i32>(table, 4); }
// @ts-ignore: decorator
@inline function tableFirst(table: usize, i: i32): i32 { return load<i32>(table + 8 + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function tableCount(table: usize, i: i32): i32 { return load<i32>(table + 12 + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function tableWeights(table: usize, i: i32): usize {
  return table + 8 + (<usize>tableSize(table) << 3) + (<usize>(i * tableTaps(table)) << 2);
}

/** Rounds, shifts and clips four i32 sums to bytes in the low 4 lanes. */
// @ts-ignore: decorator
@inline function clipToBytes(sum: v128): v128 {
  let shifted = i32x4.shr_s(sum, PRECISION_BITS);
  let words = i16x8.narrow_i32x4_s(shifted, shifted);
  return i8x16.narrow_i16x8_u(words, words);
}

// @ts-ignore: decorator
@inline function clip8(sum: i32): u8 {
  let v = sum >> PRECISION_BITS;
  return <u8>(v < 0 ? 0 : v > 255 ? 255 : v);
}

// Bytes of two neighbouring 4-byte pixels interleaved band by band: [r0 r1 g0 g1 b0 b1 a0 a1]
// for pixels 0,1 in the low half and pixels 2,3 in the high half.
// @ts-ignore: decorator
@lazy const PAIR_BANDS = i8x16(0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15);

/**
 * One row of 4-byte pixels resampled horizontally, two taps per i32x4.dot_i16x8_s. The
 * table is split (SPLIT_TABLE): each pair of taps is two words, [high a, high b] and
 * [low a, low b] as i16, with coefficient = high * 2048 + low, so that each product fits
 * 16-bit lanes and the sums recombine exactly as (high sum << 11) + low sum.
 */
function horizontalRow32(target: usize, source: usize, table: usize, padMask: v128): void {
  let size = tableSize(table);
  for (let x = 0; x < size; x++) {
    let first = tableFirst(table, x);
    let count = tableCount(table, x);
    let weights = tableWeights(table, x);
    let pixels = source + (<usize>first << 2);
    let high = i32x4.splat(0);
    let low = i32x4.splat(HALF);
    let k = 0;
    // Four taps per load: pixels 0,1 and 2,3 as two band-interleaved i16x8 vectors.
    for (; k + 4 <= count; k += 4) {
      let bands = i8x16.swizzle(v128.load(pixels + (<usize>k << 2)), PAIR_BANDS);
      let pair01 = i16x8.extend_low_i8x16_u(bands);
      let pair23 = i16x8.extend_high_i8x16_u(bands);
      let w = weights + (<usize>k << 2);
      high = i32x4.add(high, i32x4.dot_i16x8_s(pair01, v128.load32_splat(w)));
      low = i32x4.add(low, i32x4.dot_i16x8_s(pair01, v128.load32_splat(w, 4)));
      high = i32x4.add(high, i32x4.dot_i16x8_s(pair23, v128.load32_splat(w, 8)));
      low = i32x4.add(low, i32x4.dot_i16x8_s(pair23, v128.load32_splat(w, 12)));
    }
    // Two or three taps left: one pair from an 8-byte load, then perhaps a single tap
    // (its partner's coefficient is zero, and its pixel is not loaded).
    if (k + 2 <= count) {
      let pair = i16x8.extend_low_i8x16_u(i8x16.swizzle(v128.load64_zero(pixels + (<usize>k << 2)), PAIR_BANDS));
      let w = weights + (<usize>k << 2);
      high = i32x4.add(high, i32x4.dot_i16x8_s(pair, v128.load32_splat(w)));
      low = i32x4.add(low, i32x4.dot_i16x8_s(pair, v128.load32_splat(w, 4)));
      k += 2;
    }
    if (k < count) {
      let pair = i16x8.extend_low_i8x16_u(i8x16.swizzle(v128.load32_zero(pixels + (<usize>k << 2)), PAIR_BANDS));
      let w = weights + (<usize>k << 2);
      high = i32x4.add(high, i32x4.dot_i16x8_s(pair, v128.load32_splat(w)));
      low = i32x4.add(low, i32x4.dot_i16x8_s(pair, v128.load32_splat(w, 4)));
    }
    let sum = i32x4.add(i32x4.shl(high, 11), low);
    v128.store32_lane(target + (<usize>x << 2), v128.or(clipToBytes(sum), padMask), 0);
  }
}

/** One row of 1-byte pixels resampled horizontally. */
function horizontalRow8(target: usize, source: usize, table: usize): void {
  let size = tableSize(table);
  for (let x = 0; x < size; x++) {
    let first = tableFirst(table, x);
    let count = tableCount(table, x);
    let weights = tableWeights(table, x);
    let pixels = source + <usize>first;
    let lanes = i32x4.splat(0);
    let k = 0;
    for (; k + 4 <= count; k += 4) {
      let bytes = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(pixels + <usize>k)));
      lanes = i32x4.add(lanes, i32x4.mul(bytes, v128.load(weights + (<usize>k << 2))));
    }
    let sum = HALF + i32x4.extract_lane(lanes, 0) + i32x4.extract_lane(lanes, 1)
      + i32x4.extract_lane(lanes, 2) + i32x4.extract_lane(lanes, 3);
    for (; k < count; k++) sum += <i32>load<u8>(pixels + <usize>k) * load<i32>(weights + (<usize>k << 2));
    store<u8>(target + <usize>x, clip8(sum));
  }
}

/**
 * One output row from `count` source rows (`rows`: their addresses, u32 each) with the
 * weights at `weights`; `bytes` per row, samples of any band layout.
 */
function verticalRow(target: usize, rows: usize, weights: usize, count: i32, bytes: i32, padMask: v128): void {
  let x = 0;
  // 16 samples per step: four i32x4 sums.
  for (; x + 16 <= bytes; x += 16) {
    let s0 = i32x4.splat(HALF), s1 = s0, s2 = s0, s3 = s0;
    for (let k = 0; k < count; k++) {
      let v = v128.load(<usize>load<u32>(rows + (<usize>k << 2)) + <usize>x);
      let w = v128.load32_splat(weights + (<usize>k << 2));
      let low = i16x8.extend_low_i8x16_u(v);
      let high = i16x8.extend_high_i8x16_u(v);
      s0 = i32x4.add(s0, i32x4.mul(i32x4.extend_low_i16x8_u(low), w));
      s1 = i32x4.add(s1, i32x4.mul(i32x4.extend_high_i16x8_u(low), w));
      s2 = i32x4.add(s2, i32x4.mul(i32x4.extend_low_i16x8_u(high), w));
      s3 = i32x4.add(s3, i32x4.mul(i32x4.extend_high_i16x8_u(high), w));
    }
    let low = i16x8.narrow_i32x4_s(i32x4.shr_s(s0, PRECISION_BITS), i32x4.shr_s(s1, PRECISION_BITS));
    let high = i16x8.narrow_i32x4_s(i32x4.shr_s(s2, PRECISION_BITS), i32x4.shr_s(s3, PRECISION_BITS));
    v128.store(target + <usize>x, v128.or(i8x16.narrow_i16x8_u(low, high), padMask));
  }
  for (; x < bytes; x++) {
    let sum = HALF;
    for (let k = 0; k < count; k++) {
      sum += <i32>load<u8>(<usize>load<u32>(rows + (<usize>k << 2)) + <usize>x) * load<i32>(weights + (<usize>k << 2));
    }
    store<u8>(target + <usize>x, clip8(sum));
  }
  // The pad byte of RGB pixels in the tail.
  if (!v128.any_true(padMask)) return;
  for (let p = x & ~3; p < bytes; p += 4) store<u8>(target + <usize>p, 255, 3);
}

/** Columns [first, end) of the source that the horizontal pass reads. */
// @ts-ignore: decorator
@inline function columnsRead(table: usize): i32 {
  let last = tableSize(table) - 1;
  return tableFirst(table, last) + tableCount(table, last);
}

/**
 * Output rows [rowStart, rowEnd) of `source` resampled to `target`'s size. `horizontal`
 * and `vertical` are coefficient tables, or 0 when that pass is not needed (that axis then
 * maps one to one). With `premultiplied`, 4-byte pixels are premultiplied by their alpha
 * on the way in and unpremultiplied on the way out, as Pillow resizes RGBA and LA through
 * RGBa and La (the same values, without a premultiplied copy of the whole image).
 * Returns 0, or 1 when scratch memory could not be had.
 */
export function resampleImage(target: usize, source: usize, horizontal: usize, vertical: usize, premultiplied: bool,
  rowStart: i32, rowEnd: i32): i32 {
  let pixelSize = imagePixelSize(source);
  let outWidth = imageWidth(target);
  // RGB's pad byte is written as 255, as an RGB image made from pixels has it.
  let padMask = imageBands(source) == 3 ? i32x4.splat(0xFF000000) : i32x4.splat(0);
  let rowBytes = outWidth * pixelSize;
  // With a horizontal pass, premultiplied pixels go through a buffer of source width.
  let columnStart = horizontal != 0 ? tableFirst(horizontal, 0) : 0;
  let columnEnd = horizontal != 0 ? columnsRead(horizontal) : imageWidth(source);
  let bufferBytes = premultiplied && horizontal != 0 ? <usize>(imageWidth(source) << 2) : 0;
  let taps = vertical != 0 ? tableTaps(vertical) : 0;
  let ringRows = vertical != 0 && (horizontal != 0 || premultiplied) ? taps : 0;
  let scratch = scratchAllocate(<usize>(taps << 2) + <usize>(ringRows * rowBytes) + bufferBytes + 32);
  if (scratch == 0) return lastError();
  let rows = scratch;
  let ring = (scratch + (<usize>taps << 2) + 15) & ~<usize>15;
  let buffer = (ring + <usize>(ringRows * rowBytes) + 15) & ~<usize>15;

  if (vertical == 0) {
    for (let y = rowStart; y < rowEnd; y++) {
      let out = imageRow(target, y);
      let input = imageRow(source, y);
      if (premultiplied) {
        premultiplyPixels(buffer + (<usize>columnStart << 2), input + (<usize>columnStart << 2), columnEnd - columnStart);
        input = buffer;
      }
      if (pixelSize == 4) horizontalRow32(out, input, horizontal, padMask);
      else horizontalRow8(out, input, horizontal);
      if (premultiplied) unpremultiplyPixels(out, out, outWidth);
    }
    scratchRelease(scratch);
    return 0;
  }
  let computed = -1; // highest intermediate row in the ring so far (row r in slot r % taps)
  for (let y = rowStart; y < rowEnd; y++) {
    let first = tableFirst(vertical, y);
    let count = tableCount(vertical, y);
    for (let k = 0; k < count; k++) {
      let r = first + k;
      let address: usize;
      if (ringRows == 0) {
        address = imageRow(source, r);
      } else {
        address = ring + <usize>((r % taps) * rowBytes);
        if (r > computed) {
          let input = imageRow(source, r);
          if (horizontal == 0) {
            premultiplyPixels(address, input, outWidth);
          } else {
            if (premultiplied) {
              premultiplyPixels(buffer + (<usize>columnStart << 2), input + (<usize>columnStart << 2), columnEnd - columnStart);
              input = buffer;
            }
            if (pixelSize == 4) horizontalRow32(address, input, horizontal, padMask);
            else horizontalRow8(address, input, horizontal);
          }
          computed = r;
        }
      }
      store<u32>(rows + (<usize>k << 2), <u32>address);
    }
    let out = imageRow(target, y);
    verticalRow(out, rows, tableWeights(vertical, y), count, rowBytes, padMask);
    if (premultiplied) unpremultiplyPixels(out, out, outWidth);
  }
  scratchRelease(scratch);
  return 0;
}

/**
 * Output rows [rowStart, rowEnd) of a nearest-neighbour resize: output (x, y) is source
 * (columns[x], rows[y]), or zero where the index is -1 (outside the source). The index
 * tables (i32) come from the caller, computed as Pillow's affine transform does; they
 * only grow, so the -1 entries sit at the ends and the columns between copy without a test.
 */
export function nearestImage(target: usize, source: usize, columns: usize, rows: usize, rowStart: i32, rowEnd: i32): void {
  let pixelSize = imagePixelSize(source);
  let outWidth = imageWidth(target);
  let first = 0;
  while (first < outWidth && load<i32>(columns + (<usize>first << 2)) < 0) first++;
  let end = outWidth;
  while (end > first && load<i32>(columns + (<usize>(end - 1) << 2)) < 0) end--;
  for (let y = rowStart; y < rowEnd; y++) {
    let out = imageRow(target, y);
    let sy = load<i32>(rows + (<usize>y << 2));
    if (sy < 0 || first == end) { memory.fill(out, 0, <usize>(outWidth * pixelSize)); continue; }
    let input = imageRow(source, sy);
    if (first > 0) memory.fill(out, 0, <usize>(first * pixelSize));
    if (end < outWidth) memory.fill(out + <usize>(end * pixelSize), 0, <usize>((outWidth - end) * pixelSize));
    let x = first;
    if (pixelSize == 4) {
      for (; x + 4 <= end; x += 4) {
        let index = v128.load(columns + (<usize>x << 2));
        let a = load<u32>(input + (<usize>i32x4.extract_lane(index, 0) << 2));
        let b = load<u32>(input + (<usize>i32x4.extract_lane(index, 1) << 2));
        let c = load<u32>(input + (<usize>i32x4.extract_lane(index, 2) << 2));
        let d = load<u32>(input + (<usize>i32x4.extract_lane(index, 3) << 2));
        v128.store(out + (<usize>x << 2), i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(a), 1, b), 2, c), 3, d));
      }
      for (; x < end; x++) store<u32>(out + (<usize>x << 2), load<u32>(input + (<usize>load<i32>(columns + (<usize>x << 2)) << 2)));
    } else {
      for (; x < end; x++) store<u8>(out + <usize>x, load<u8>(input + <usize>load<i32>(columns + (<usize>x << 2))));
    }
  }
}
