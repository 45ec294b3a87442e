// Box blur and Gaussian blur, as Pillow 9.4's BoxBlur.c computes them.
//
// One pass along a line of n samples with radius `rf` (f32):
//
//   r      = trunc(rf)
//   ww     = u32(f32(2^24) / (f32(rf * 2) + 1))           single-precision division
//   fw     = ((2^24) - (2r + 1) * ww) / 2                  u32
//   S(x)   = Σ p[x + i] for i in -r..r                     indices clamped to 0..n-1
//   out[x] = (ww * S(x) + fw * (p[x - r - 1] + p[x + r + 1]) + 2^23) >> 24      (u32)
//
// Every pass is rounded to 8 bits; all horizontal passes come before all vertical ones.
// Every byte is blurred on its own (no premultiplication), so the unused bytes of LA and
// RGB pixels never reach the others. Gaussian blur is this box blur with 3 passes and a
// radius derived from sigma (done by the caller).
//
// Pillow's arithmetic is u32 and wraps; i32x4 add and mul keep exactly the low 32 bits
// and the final shift is logical, so u32 lanes give its results bit for bit. (For radii
// that are not absurd nothing wraps: (2r+1)*ww + 2*fw <= 2^24, so the sum stays below
// 255 * 2^24 + 2^23.)
//
// The work splits for a thread pool: blurRows does every horizontal pass of rows
// [rowStart, rowEnd); blurColumns every vertical pass of columns [columnStart,
// columnEnd) (columns are independent) and reads the whole height of its source. The
// vertical pass walks strips of columns as wide as the cache allows, row by row, so that
// memory is read in row order.
//
// Both trust their arguments, as every kernel does; both return OK, or the error of a
// scratch allocation that failed (nothing is left allocated then).

import { OK } from "../alloc/layout";
import { lastError } from "../alloc/state";
import { scratchAllocate, scratchRelease } from "../alloc/arena";
import { imageWidth, imageHeight, imageRow, imagePixelSize } from "../image/image";

/** Narrowest strip of the vertical pass, in bytes (a multiple of 16). */
const STRIP_MIN: i32 = 256;
/** Bytes a strip of the vertical pass keeps in reach: its sums, rings and source rows. */
const STRIP_BUDGET: i32 = 768 << 10;

// @ts-ignore: decorator
@inline function boxWeight(radius: f32): u32 {
  return <u32>(<f32>16777216.0 / (radius * 2 + 1));
}

// @ts-ignore: decorator
@inline function edgeWeight(r: i32, ww: u32): u32 {
  return (<u32>16777216 - <u32>(2 * r + 1) * ww) >> 1;
}

// ── horizontal ────────────────────────────────────────────────────────────────────

// One 4-byte pixel as four u32 lanes.
// @ts-ignore: decorator
@inline function pixelLanes(address: usize): v128 {
  return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(address)));
}

// @ts-ignore: decorator
@inline function storePixel(address: usize, lanes: v128): void {
  let words = i16x8.narrow_i32x4_u(lanes, lanes);
  v128.store32_lane(address, i8x16.narrow_i16x8_u(words, words), 0);
}

// @ts-ignore: decorator
@inline function weighLanes(sum: v128, edges: v128, ww: v128, fw: v128): v128 {
  let total = i32x4.add(i32x4.add(i32x4.mul(sum, ww), i32x4.mul(edges, fw)), i32x4.splat(1 << 23));
  return i32x4.shr_u(total, 24);
}

/** One pass over a line of `n` 4-byte pixels, `source` to `target` (distinct). */
function blurLine4(target: usize, source: usize, n: i32, r: i32, ww: u32, fw: u32): void {
  let last = n - 1;
  let wwLanes = i32x4.splat(<i32>ww);
  let fwLanes = i32x4.splat(<i32>fw);
  // S(0) = (r + 1) * p[0] + p[1] + ... + p[r], indices past the end repeat p[last].
  let sum = i32x4.mul(pixelLanes(source), i32x4.splat(r + 1));
  let inside = min(r, last);
  for (let i = 1; i <= inside; i++) sum = i32x4.add(sum, pixelLanes(source + (<usize>i << 2)));
  if (r > last) sum = i32x4.add(sum, i32x4.mul(pixelLanes(source + (<usize>last << 2)), i32x4.splat(r - last)));
  // Clamped near the ends; [middleStart, middleEnd) needs no clamping.
  let middleStart = min(r + 1, n);
  let middleEnd = max(middleStart, n - r - 1);
  let x = 0;
  for (; x < middleStart; x++) {
    let right = pixelLanes(source + (<usize>min(x + r + 1, last) << 2));
    let left = pixelLanes(source + (<usize>max(x - r - 1, 0) << 2));
    storePixel(target + (<usize>x << 2), weighLanes(sum, i32x4.add(left, right), wwLanes, fwLanes));
    sum = i32x4.sub(i32x4.add(sum, right), pixelLanes(source + (<usize>max(x - r, 0) << 2)));
  }
  let leaving = source + (<usize>(x - r - 1) << 2);
  let entering = source + (<usize>(x + r + 1) << 2);
  // Four pixels at a time: their edge sums and sum changes in u16/i16 lanes, the running
  // sum carried from one pixel to the next.
  for (; x + 4 <= middleEnd; x += 4) {
    let right = v128.load(entering);
    let rightLow = i16x8.extend_low_i8x16_u(right);
    let rightHigh = i16x8.extend_high_i8x16_u(right);
    let left = v128.load(leaving);
    let edgesLow = i16x8.add(i16x8.extend_low_i8x16_u(left), rightLow);
    let edgesHigh = i16x8.add(i16x8.extend_high_i8x16_u(left), rightHigh);
    let gone = v128.load(leaving, 4);
    let changeLow = i16x8.sub(rightLow, i16x8.extend_low_i8x16_u(gone));
    let changeHigh = i16x8.sub(rightHigh, i16x8.extend_high_i8x16_u(gone));
    let s1 = i32x4.add(sum, i32x4.extend_low_i16x8_s(changeLow));
    let s2 = i32x4.add(s1, i32x4.extend_high_i16x8_s(changeLow));
    let s3 = i32x4.add(s2, i32x4.extend_low_i16x8_s(changeHigh));
    let o0 = weighLanes(sum, i32x4.extend_low_i16x8_u(edgesLow), wwLanes, fwLanes);
    let o1 = weighLanes(s1, i32x4.extend_high_i16x8_u(edgesLow), wwLanes, fwLanes);
    let o2 = weighLanes(s2, i32x4.extend_low_i16x8_u(edgesHigh), wwLanes, fwLanes);
    let o3 = weighLanes(s3, i32x4.extend_high_i16x8_u(edgesHigh), wwLanes, fwLanes);
    v128.store(target + (<usize>x << 2), i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(o0, o1), i16x8.narrow_i32x4_u(o2, o3)));
    sum = i32x4.add(s3, i32x4.extend_high_i16x8_s(changeHigh));
    leaving += 16;
    entering += 16;
  }
  for (; x < middleEnd; x++) {
    let right = pixelLanes(entering);
    let left = pixelLanes(leaving);
    storePixel(target + (<usize>x << 2), weighLanes(sum, i32x4.add(left, right), wwLanes, fwLanes));
    sum = i32x4.sub(i32x4.add(sum, right), pixelLanes(leaving + 4));
    leaving += 4;
    entering += 4;
  }
  for (; x < n; x++) {
    let right = pixelLanes(source + (<usize>min(x + r + 1, last) << 2));
    let left = pixelLanes(source + (<usize>max(x - r - 1, 0) << 2));
    storePixel(target + (<usize>x << 2), weighLanes(sum, i32x4.add(left, right), wwLanes, fwLanes));
    sum = i32x4.sub(i32x4.add(sum, right), pixelLanes(source + (<usize>max(x - r, 0) << 2)));
  }
}

// @ts-ignore: decorator
@inline function weigh(sum: u32, edges: u32, ww: u32, fw: u32): u8 {
  return <u8>((sum * ww + edges * fw + (1 << 23)) >> 24);
}

/** Inclusive prefix sums of eight i16 lanes. */
// @ts-ignore: decorator
@inline function prefixSum8(v: v128): v128 {
  let zero = i32x4.splat(0);
  v = i16x8.add(v, i8x16.shuffle(zero, v, 0, 1, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29));
  v = i16x8.add(v, i8x16.shuffle(zero, v, 0, 1, 2, 3, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27));
  return i16x8.add(v, i8x16.shuffle(zero, v, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
}

// (base + ww * change + fw * edges) >> 24, with base = ww * S + 2^23.
// @ts-ignore: decorator
@inline function shiftOut(base: v128, change: v128, edges: v128, ww: v128, fw: v128): v128 {
  return i32x4.shr_u(i32x4.add(i32x4.add(base, i32x4.mul(change, ww)), i32x4.mul(edges, fw)), 24);
}

/** One pass over a line of `n` 1-byte pixels, `source` to `target` (distinct). */
function blurLine1(target: usize, source: usize, n: i32, r: i32, ww: u32, fw: u32): void {
  let last = n - 1;
  let sum = <u32>load<u8>(source) * <u32>(r + 1);
  let inside = min(r, last);
  for (let i = 1; i <= inside; i++) sum += <u32>load<u8>(source + <usize>i);
  if (r > last) sum += <u32>load<u8>(source + <usize>last) * <u32>(r - last);
  let middleStart = min(r + 1, n);
  let middleEnd = max(middleStart, n - r - 1);
  let x = 0;
  for (; x < middleStart; x++) {
    let right = <u32>load<u8>(source + <usize>min(x + r + 1, last));
    let left = <u32>load<u8>(source + <usize>max(x - r - 1, 0));
    store<u8>(target + <usize>x, weigh(sum, left + right, ww, fw));
    sum = sum + right - <u32>load<u8>(source + <usize>max(x - r, 0));
  }
  // Sixteen pixels at a time: the sum before each is the sum before the first plus the
  // changes before it (an exclusive prefix sum of i16 lanes, at most 16 * 255 in size),
  // and ww * (S + e) = ww * S + ww * e in wrapping u32 arithmetic.
  let wwLanes = i32x4.splat(<i32>ww);
  let fwLanes = i32x4.splat(<i32>fw);
  for (; x + 16 <= middleEnd; x += 16) {
    let leaving = source + <usize>(x - r - 1);
    let right = v128.load(source + <usize>(x + r + 1));
    let rightLow = i16x8.extend_low_i8x16_u(right);
    let rightHigh = i16x8.extend_high_i8x16_u(right);
    let left = v128.load(leaving);
    let edgesLow = i16x8.add(i16x8.extend_low_i8x16_u(left), rightLow);
    let edgesHigh = i16x8.add(i16x8.extend_high_i8x16_u(left), rightHigh);
    let gone = v128.load(leaving, 1);
    let changeLow = i16x8.sub(rightLow, i16x8.extend_low_i8x16_u(gone));
    let changeHigh = i16x8.sub(rightHigh, i16x8.extend_high_i8x16_u(gone));
    let throughLow = prefixSum8(changeLow);
    let throughHigh = i16x8.add(prefixSum8(changeHigh), i8x16.shuffle(throughLow, throughLow, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15));
    let beforeLow = i16x8.sub(throughLow, changeLow);
    let beforeHigh = i16x8.sub(throughHigh, changeHigh);
    let base = i32x4.splat(<i32>(sum * ww + (1 << 23)));
    let o0 = shiftOut(base, i32x4.extend_low_i16x8_s(beforeLow), i32x4.extend_low_i16x8_u(edgesLow), wwLanes, fwLanes);
    let o1 = shiftOut(base, i32x4.extend_high_i16x8_s(beforeLow), i32x4.extend_high_i16x8_u(edgesLow), wwLanes, fwLanes);
    let o2 = shiftOut(base, i32x4.extend_low_i16x8_s(beforeHigh), i32x4.extend_low_i16x8_u(edgesHigh), wwLanes, fwLanes);
    let o3 = shiftOut(base, i32x4.extend_high_i16x8_s(beforeHigh), i32x4.extend_high_i16x8_u(edgesHigh), wwLanes, fwLanes);
    v128.store(target + <usize>x, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(o0, o1), i16x8.narrow_i32x4_u(o2, o3)));
    sum += <u32>i16x8.extract_lane_s(throughHigh, 7);
  }
  for (; x < middleEnd; x++) {
    let right = <u32>load<u8>(source + <usize>(x + r + 1));
    let leaving = source + <usize>(x - r - 1);
    store<u8>(target + <usize>x, weigh(sum, <u32>load<u8>(leaving) + right, ww, fw));
    sum = sum + right - <u32>load<u8>(leaving, 1);
  }
  for (; x < n; x++) {
    let right = <u32>load<u8>(source + <usize>min(x + r + 1, last));
    let left = <u32>load<u8>(source + <usize>max(x - r - 1, 0));
    store<u8>(target + <usize>x, weigh(sum, left + right, ww, fw));
    sum = sum + right - <u32>load<u8>(source + <usize>max(x - r, 0));
  }
}

/**
 * Every horizontal pass (`passes` of them, radius `radius`) of rows [rowStart, rowEnd):
 * `target` rows from `source` rows (same mode and size, distinct images).
 */
export function blurRows(target: usize, source: usize, radius: f32, passes: i32, rowStart: i32, rowEnd: i32): i32 {
  let width = imageWidth(source);
  let pixelSize = imagePixelSize(source);
  if (width == 0 || rowStart >= rowEnd || passes < 1) return OK;
  let r = <i32>radius;
  let ww = boxWeight(radius);
  let fw = edgeWeight(r, ww);
  // Passes alternate between the target row and one line of scratch, arranged so that
  // the last one lands in the target.
  let line: usize = 0;
  if (passes > 1) {
    line = scratchAllocate(<usize>width * pixelSize);
    if (line == 0) return lastError();
  }
  for (let y = rowStart; y < rowEnd; y++) {
    let out = imageRow(target, y);
    let from = imageRow(source, y);
    for (let pass = 1; pass <= passes; pass++) {
      let to = pass == passes || ((passes - pass) & 1) == 0 ? out : line;
      if (pixelSize == 4) blurLine4(to, from, width, r, ww, fw);
      else blurLine1(to, from, width, r, ww, fw);
      from = to;
    }
  }
  if (line != 0) scratchRelease(line);
  return OK;
}

// ── vertical ──────────────────────────────────────────────────────────────────────

// Sixteen bytes as four vectors of u32 lanes, for the running sums.
// @ts-ignore: decorator
@inline function addBytes(sums: usize, bytes: v128): void {
  let low = i16x8.extend_low_i8x16_u(bytes);
  let high = i16x8.extend_high_i8x16_u(bytes);
  v128.store(sums, i32x4.add(v128.load(sums), i32x4.extend_low_i16x8_u(low)));
  v128.store(sums, i32x4.add(v128.load(sums, 16), i32x4.extend_high_i16x8_u(low)), 16);
  v128.store(sums, i32x4.add(v128.load(sums, 32), i32x4.extend_low_i16x8_u(high)), 32);
  v128.store(sums, i32x4.add(v128.load(sums, 48), i32x4.extend_high_i16x8_u(high)), 48);
}

// @ts-ignore: decorator
@inline function addBytesTimes(sums: usize, bytes: v128, times: v128): void {
  let low = i16x8.extend_low_i8x16_u(bytes);
  let high = i16x8.extend_high_i8x16_u(bytes);
  v128.store(sums, i32x4.add(v128.load(sums), i32x4.mul(i32x4.extend_low_i16x8_u(low), times)));
  v128.store(sums, i32x4.add(v128.load(sums, 16), i32x4.mul(i32x4.extend_high_i16x8_u(low), times)), 16);
  v128.store(sums, i32x4.add(v128.load(sums, 32), i32x4.mul(i32x4.extend_low_i16x8_u(high), times)), 32);
  v128.store(sums, i32x4.add(v128.load(sums, 48), i32x4.mul(i32x4.extend_high_i16x8_u(high), times)), 48);
}

// The vertical passes of a strip run as a pipeline down the rows: pass k lags pass k-1 by
// r + 1 rows, and keeps the rows it still needs from it in a ring of min(2r + 3, height)
// rows (a row y reads rows y-r-1 .. y+r+1 of the pass before). The first pass reads the
// source and the last writes the target, each row once, in row order.
//
//  scratch: ┌────────────────────────┬────────────────────────────┬──────────────────┐
//           │ sums: passes × stride  │ rings: (passes-1) × ring   │ produced: passes │
//           │ × u32 (one per byte)   │ rows × stride bytes        │ × u32            │
//           └────────────────────────┴────────────────────────────┴──────────────────┘

// Where a pass reads or writes rows outside the rings: an image (`image` != 0: its row y
// at byte `base`) or a staging buffer (row y at `base + y * stride`).
// @ts-ignore: decorator
@inline function stripRow(image: usize, base: usize, stride: usize, y: i32): usize {
  return image != 0 ? imageRow(image, y) + base : base + <usize>y * stride;
}

/** Row y of the output of pass k (0-based) of a strip: in a ring, or the target. */
// @ts-ignore: decorator
@inline function passOutput(k: i32, passes: i32, y: i32, target: usize, targetBase: usize, rings: usize,
  ringRows: i32, stride: usize): usize {
  if (k == passes - 1) return stripRow(target, targetBase, 16, y);
  return rings + (<usize>k * <usize>ringRows + <usize>(y % ringRows)) * stride;
}

/** Row y of the input of pass k: the source, or the ring of pass k - 1. */
// @ts-ignore: decorator
@inline function passInput(k: i32, y: i32, source: usize, sourceBase: usize, rings: usize, ringRows: i32, stride: usize): usize {
  if (k == 0) return stripRow(source, sourceBase, 16, y);
  return rings + (<usize>(k - 1) * <usize>ringRows + <usize>(y % ringRows)) * stride;
}

/**
 * One row of a vertical pass over `length` bytes (at least 16): `out` from the running
 * sums, then the sums moved on to the next row. Sixteen bytes at a time; when `length` is
 * not a multiple of 16 the last group overlaps the one before it, whose bytes it computes
 * again to the same values.
 */
function passRow(out: usize, entering: usize, leaving: usize, dropped: usize, sums: usize, length: i32, ww: v128, fw: v128): void {
  let chunks = <usize>((length + 15) >> 4);
  let lastAt = <usize>(length - 16);
  for (let c: usize = 0; c < chunks; c++) {
    let at = min(c << 4, lastAt);
    let sum = sums + (c << 6);
    let right = v128.load(entering + at);
    let rightLow = i16x8.extend_low_i8x16_u(right);
    let rightHigh = i16x8.extend_high_i8x16_u(right);
    let left = v128.load(leaving + at);
    let edgesLow = i16x8.add(i16x8.extend_low_i8x16_u(left), rightLow);
    let edgesHigh = i16x8.add(i16x8.extend_high_i8x16_u(left), rightHigh);
    let gone = v128.load(dropped + at);
    let changeLow = i16x8.sub(rightLow, i16x8.extend_low_i8x16_u(gone));
    let changeHigh = i16x8.sub(rightHigh, i16x8.extend_high_i8x16_u(gone));
    let s0 = v128.load(sum), s1 = v128.load(sum, 16), s2 = v128.load(sum, 32), s3 = v128.load(sum, 48);
    let o0 = weighLanes(s0, i32x4.extend_low_i16x8_u(edgesLow), ww, fw);
    let o1 = weighLanes(s1, i32x4.extend_high_i16x8_u(edgesLow), ww, fw);
    let o2 = weighLanes(s2, i32x4.extend_low_i16x8_u(edgesHigh), ww, fw);
    let o3 = weighLanes(s3, i32x4.extend_high_i16x8_u(edgesHigh), ww, fw);
    v128.store(out + at, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(o0, o1), i16x8.narrow_i32x4_u(o2, o3)));
    v128.store(sum, i32x4.add(s0, i32x4.extend_low_i16x8_s(changeLow)));
    v128.store(sum, i32x4.add(s1, i32x4.extend_high_i16x8_s(changeLow)), 16);
    v128.store(sum, i32x4.add(s2, i32x4.extend_low_i16x8_s(changeHigh)), 32);
    v128.store(sum, i32x4.add(s3, i32x4.extend_high_i16x8_s(changeHigh)), 48);
  }
}

/**
 * Every vertical pass over one strip of `length` bytes (16 <= length <= stride): from
 * (source, sourceBase) to (target, targetBase), through the rings in `scratch`.
 */
function blurStrip(target: usize, targetBase: usize, source: usize, sourceBase: usize, length: i32, height: i32,
  passes: i32, r: i32, ww: u32, fw: u32, scratch: usize, stride: usize, ringRows: i32): void {
  let last = height - 1;
  let chunks = <usize>((length + 15) >> 4);
  let lastAt = <usize>(length - 16);
  let sumsBytes = stride << 2;
  let rings = scratch + <usize>passes * sumsBytes;
  let produced = rings + <usize>(passes - 1) * <usize>ringRows * stride;
  let wwLanes = i32x4.splat(<i32>ww);
  let fwLanes = i32x4.splat(<i32>fw);
  let first = i32x4.splat(r + 1);
  let inside = min(r, last);
  memory.fill(produced, 0, <usize>passes << 2);
  for (let y = 0; y < height; y++) {
    for (let k = 0; k < passes; k++) {
      // Rows pass k must have made before the last pass can make row y.
      let need = <i32>min<i64>(<i64>y + 1 + <i64>(passes - 1 - k) * <i64>(r + 1), <i64>height);
      let sums = scratch + <usize>k * sumsBytes;
      for (let j = <i32>load<u32>(produced + (<usize>k << 2)); j < need; j++) {
        if (j == 0) {
          // S(0) = (r + 1) * row 0 + rows 1..r, rows past the end repeating the last.
          memory.fill(sums, 0, chunks << 6);
          let row = passInput(k, 0, source, sourceBase, rings, ringRows, stride);
          for (let c: usize = 0; c < chunks; c++) addBytesTimes(sums + (c << 6), v128.load(row + min(c << 4, lastAt)), first);
          for (let i = 1; i <= inside; i++) {
            row = passInput(k, i, source, sourceBase, rings, ringRows, stride);
            for (let c: usize = 0; c < chunks; c++) addBytes(sums + (c << 6), v128.load(row + min(c << 4, lastAt)));
          }
          if (r > last) {
            let times = i32x4.splat(r - last);
            row = passInput(k, last, source, sourceBase, rings, ringRows, stride);
            for (let c: usize = 0; c < chunks; c++) addBytesTimes(sums + (c << 6), v128.load(row + min(c << 4, lastAt)), times);
          }
        }
        passRow(
          passOutput(k, passes, j, target, targetBase, rings, ringRows, stride),
          passInput(k, min(j + r + 1, last), source, sourceBase, rings, ringRows, stride),
          passInput(k, max(j - r - 1, 0), source, sourceBase, rings, ringRows, stride),
          passInput(k, max(j - r, 0), source, sourceBase, rings, ringRows, stride),
          sums, length, wwLanes, fwLanes);
      }
      store<u32>(produced + (<usize>k << 2), <u32>max(need, <i32>load<u32>(produced + (<usize>k << 2))));
    }
  }
}

/**
 * Every vertical pass of columns [columnStart, columnEnd): `target` from `source` (same
 * mode and size, distinct images), reading the whole height of `source`.
 */
export function blurColumns(target: usize, source: usize, radius: f32, passes: i32, columnStart: i32, columnEnd: i32): i32 {
  let height = imageHeight(source);
  let pixelSize = imagePixelSize(source);
  let byteStart = columnStart * pixelSize;
  let byteEnd = columnEnd * pixelSize;
  if (height == 0 || byteStart >= byteEnd || passes < 1) return OK;
  let r = <i32>radius;
  let ww = boxWeight(radius);
  let fw = edgeWeight(r, ww);
  let band = byteEnd - byteStart;
  let ringRows = <i32>min<i64>(2 * <i64>r + 3, <i64>height);
  // Strips as wide as keeps the sums, the rings and the source rows in reach (2r + 3 of
  // them) within the cache budget, at least STRIP_MIN bytes; a band narrower than 16
  // bytes is staged through 16-byte rows. (With a radius near the height the rings hold
  // the whole height of the strip: about twice the strip's bytes, in scratch.)
  let perByte = <i64>(passes << 2) + <i64>(passes - 1) * <i64>ringRows + min<i64>(2 * <i64>r + 3, <i64>height);
  let stride = <i32>max<i64>(<i64>STRIP_MIN, (<i64>STRIP_BUDGET / perByte) & ~15);
  stride = min(stride, (band + 15) & ~15);
  let staged = band < 16 ? <usize>height << 4 : 0;
  let scratchBytes = <usize>passes * (<usize>stride << 2) + <usize>(passes - 1) * <usize>ringRows * <usize>stride
    + (<usize>passes << 2) + 2 * staged;
  let scratch = scratchAllocate(scratchBytes);
  if (scratch == 0) return lastError();
  if (band < 16) {
    let input = scratch + scratchBytes - 2 * staged;
    let output = input + staged;
    for (let y = 0; y < height; y++) memory.copy(input + (<usize>y << 4), imageRow(source, y) + <usize>byteStart, <usize>band);
    blurStrip(0, output, 0, input, 16, height, passes, r, ww, fw, scratch, 16, ringRows);
    for (let y = 0; y < height; y++) memory.copy(imageRow(target, y) + <usize>byteStart, output + (<usize>y << 4), <usize>band);
  } else {
    for (let start = byteStart; start < byteEnd; start += stride) {
      let length = min(stride, byteEnd - start);
      if (length < 16) {
        start = byteEnd - 16; // overlaps the strip before, whose bytes it computes again
        length = 16;
      }
      blurStrip(target, <usize>start, source, <usize>start, length, height, passes, r, ww, fw, scratch, <usize>stride, ringRows);
    }
  }
  scratchRelease(scratch);
  return OK;
}
