// PNG row filters (PNG specification §9): undoing them when decoding, applying them
// when encoding, and the per-row choice of the adaptive encoder.
//
//   type 0 None     x
//   type 1 Sub      x − a                 a: the byte bpp to the left (0 before the row)
//   type 2 Up       x − b                 b: the byte above (0 on the first row)
//   type 3 Average  x − ⌊(a + b) / 2⌋
//   type 4 Paeth    x − paeth(a, b, c)    c: the byte above a
//
// bpp is the number of bytes of a whole pixel (1 for bit depths under 8). Up is
// independent per byte: 16 at a time. Sub is a prefix sum per byte lane: for bpp 1, 2, 4
// and 8, 16 bytes at a time by shifted adds (as libpng's SSE2 filters). Average and
// Paeth depend on the pixel just decoded: for 3- and 4-byte pixels, one pixel at a time
// with all its bytes in SIMD lanes; other sizes byte by byte.
//
// Rows: `dst` receives `length` bytes and nothing past them (it may be an image row);
// `src` and `prior` may be read up to 16 bytes past `length` (they are working rows
// with slack, or the input window). `prior` is a row of zeros for the first row.

const FILTER_NONE: u32 = 0;
const FILTER_SUB: u32 = 1;
const FILTER_UP: u32 = 2;
const FILTER_AVERAGE: u32 = 3;
const FILTER_PAETH: u32 = 4;

// ── decoding ────────────────────────────────────────────────────────────────────

/** Undoes filter `type` (0..4) of one row: dst = src + prediction from dst's left and `prior`. */
export function unfilterRow(type: u32, dst: usize, src: usize, prior: usize, length: usize, bpp: usize): void {
  if (type == FILTER_NONE) memory.copy(dst, src, length);
  else if (type == FILTER_SUB) unfilterSub(dst, src, length, bpp);
  else if (type == FILTER_UP) unfilterUp(dst, src, prior, length);
  else if (type == FILTER_AVERAGE) {
    if (bpp == 4 || bpp == 3) unfilterAveragePixels(dst, src, prior, length, bpp);
    else unfilterAverageBytes(dst, src, prior, length, bpp);
  } else {
    if (bpp == 4 || bpp == 3) unfilterPaethPixels(dst, src, prior, length, bpp);
    else unfilterPaethBytes(dst, src, prior, length, bpp);
  }
}

function unfilterUp(dst: usize, src: usize, prior: usize, length: usize): void {
  let i: usize = 0;
  for (; i + 16 <= length; i += 16) v128.store(dst + i, i8x16.add(v128.load(src + i), v128.load(prior + i)));
  for (; i < length; i++) store<u8>(dst + i, load<u8>(src + i) + load<u8>(prior + i));
}

/** v shifted up by `bytes` lanes (lane i takes lane i − bytes; zeros come in). */
// @ts-ignore: decorator
@inline function shiftUp(v: v128, bytes: usize): v128 {
  let z = i8x16.splat(0);
  if (bytes == 1) return i8x16.shuffle(z, v, 0, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30);
  if (bytes == 2) return i8x16.shuffle(z, v, 0, 1, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29);
  if (bytes == 4) return i8x16.shuffle(z, v, 0, 1, 2, 3, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27);
  return i8x16.shuffle(z, v, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
}

/** Sub for bpp 1, 2, 4, 8: the prefix sum of each byte lane over a vector, plus the last pixel before it. */
// @ts-ignore: decorator
@inline function unfilterSubVector(dst: usize, src: usize, length: usize, bpp: usize): usize {
  let carry = i8x16.splat(0);
  let i: usize = 0;
  for (; i + 16 <= length; i += 16) {
    let x = v128.load(src + i);
    if (bpp <= 1) x = i8x16.add(x, shiftUp(x, 1));
    if (bpp <= 2) x = i8x16.add(x, shiftUp(x, 2));
    if (bpp <= 4) x = i8x16.add(x, shiftUp(x, 4));
    x = i8x16.add(i8x16.add(x, shiftUp(x, 8)), carry);
    v128.store(dst + i, x);
    if (bpp == 1) carry = i8x16.shuffle(x, x, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15);
    else if (bpp == 2) carry = i8x16.shuffle(x, x, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15);
    else if (bpp == 4) carry = i8x16.shuffle(x, x, 12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15);
    else carry = i8x16.shuffle(x, x, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
  }
  return i;
}

function unfilterSub(dst: usize, src: usize, length: usize, bpp: usize): void {
  let i: usize = 0;
  if (bpp == 1) i = unfilterSubVector(dst, src, length, 1);
  else if (bpp == 2) i = unfilterSubVector(dst, src, length, 2);
  else if (bpp == 4) i = unfilterSubVector(dst, src, length, 4);
  else if (bpp == 8) i = unfilterSubVector(dst, src, length, 8);
  else if (bpp == 3) {
    // one pixel a step, its bytes in lanes
    let a = i8x16.splat(0);
    for (; i + 4 <= length; i += 3) {
      a = i8x16.add(v128.load32_zero(src + i), a);
      v128.store16_lane(dst + i, a, 0);
      v128.store8_lane(dst + i + 2, a, 2);
    }
  }
  for (; i < length && i < bpp; i++) store<u8>(dst + i, load<u8>(src + i));
  for (; i < length; i++) store<u8>(dst + i, load<u8>(src + i) + load<u8>(dst + i - bpp));
}

function unfilterAverageBytes(dst: usize, src: usize, prior: usize, length: usize, bpp: usize): void {
  let i: usize = 0;
  for (; i < length && i < bpp; i++) store<u8>(dst + i, load<u8>(src + i) + (load<u8>(prior + i) >> 1));
  for (; i < length; i++) {
    store<u8>(dst + i, load<u8>(src + i) + <u8>((<u32>load<u8>(dst + i - bpp) + <u32>load<u8>(prior + i)) >> 1));
  }
}

/** Average, one 3- or 4-byte pixel a step: ⌊(a + b) / 2⌋ = avgr(a, b) − ((a ^ b) & 1) in byte lanes. */
function unfilterAveragePixels(dst: usize, src: usize, prior: usize, length: usize, bpp: usize): void {
  let one = i8x16.splat(1);
  let a = i8x16.splat(0);
  let i: usize = 0;
  // whole 4-byte loads and stores while a full pixel plus the 4th byte fit
  for (; i + 4 <= length; i += bpp) {
    let b = v128.load32_zero(prior + i);
    let floor = i8x16.sub(i8x16.avgr_u(a, b), v128.and(v128.xor(a, b), one));
    a = i8x16.add(v128.load32_zero(src + i), floor);
    if (bpp == 4) v128.store32_lane(dst + i, a, 0);
    else {
      v128.store16_lane(dst + i, a, 0);
      v128.store8_lane(dst + i + 2, a, 2);
    }
  }
  for (; i < length; i++) {
    let left: u32 = i >= bpp ? <u32>load<u8>(dst + i - bpp) : 0;
    store<u8>(dst + i, load<u8>(src + i) + <u8>((left + <u32>load<u8>(prior + i)) >> 1));
  }
}

// @ts-ignore: decorator
@inline function paeth(a: i32, b: i32, c: i32): i32 {
  let pa = abs<i32>(b - c), pb = abs<i32>(a - c), pc = abs<i32>(a + b - c - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function unfilterPaethBytes(dst: usize, src: usize, prior: usize, length: usize, bpp: usize): void {
  let i: usize = 0;
  for (; i < length && i < bpp; i++) store<u8>(dst + i, load<u8>(src + i) + load<u8>(prior + i));
  for (; i < length; i++) {
    let p = paeth(<i32>load<u8>(dst + i - bpp), <i32>load<u8>(prior + i), <i32>load<u8>(prior + i - bpp));
    store<u8>(dst + i, load<u8>(src + i) + <u8>p);
  }
}

/** Paeth, one 3- or 4-byte pixel a step, its bytes in 16-bit lanes. */
function unfilterPaethPixels(dst: usize, src: usize, prior: usize, length: usize, bpp: usize): void {
  let a = i16x8.splat(0), c = i16x8.splat(0);
  let i: usize = 0;
  for (; i + 4 <= length; i += bpp) {
    let b = i16x8.extend_low_i8x16_u(v128.load32_zero(prior + i));
    let bc = i16x8.sub(b, c), ac = i16x8.sub(a, c);
    let pa = i16x8.abs(bc), pb = i16x8.abs(ac), pc = i16x8.abs(i16x8.add(bc, ac));
    let takeA = v128.and(i16x8.le_s(pa, pb), i16x8.le_s(pa, pc));
    let predicted = v128.bitselect(a, v128.bitselect(b, c, i16x8.le_s(pb, pc)), takeA);
    let x = i16x8.add(i16x8.extend_low_i8x16_u(v128.load32_zero(src + i)), predicted);
    a = v128.and(x, i16x8.splat(0xFF));
    c = b;
    let bytes = i8x16.narrow_i16x8_u(a, a);
    if (bpp == 4) v128.store32_lane(dst + i, bytes, 0);
    else {
      v128.store16_lane(dst + i, bytes, 0);
      v128.store8_lane(dst + i + 2, bytes, 2);
    }
  }
  for (; i < length; i++) {
    let left: i32 = 0, upLeft: i32 = 0;
    if (i >= bpp) {
      left = <i32>load<u8>(dst + i - bpp);
      upLeft = <i32>load<u8>(prior + i - bpp);
    }
    store<u8>(dst + i, load<u8>(src + i) + <u8>paeth(left, <i32>load<u8>(prior + i), upLeft));
  }
}

// ── encoding ────────────────────────────────────────────────────────────────────
//
// Encoding filters read the row (`row`) and the one above (`prior`) as they are: no
// dependency on output, so every filter runs 16 bytes at a time. Both rows need `bpp`
// readable zero bytes before their start (the pixel left of the first) and 16 readable
// bytes past their end.

/** The bytes of each lane index 0..15, to mask the lanes past a row's end. */
// @ts-ignore: decorator
@lazy const LANES = i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

/** ⌊(a + b) / 2⌋ per byte. */
// @ts-ignore: decorator
@inline function averageFloor(a: v128, b: v128): v128 {
  return i8x16.sub(i8x16.avgr_u(a, b), v128.and(v128.xor(a, b), i8x16.splat(1)));
}

/** The Paeth predictor per byte, in two halves of 16-bit lanes. */
// @ts-ignore: decorator
@inline function paethBytes(a: v128, b: v128, c: v128): v128 {
  return i8x16.narrow_i16x8_u(
    paethLanes(i16x8.extend_low_i8x16_u(a), i16x8.extend_low_i8x16_u(b), i16x8.extend_low_i8x16_u(c)),
    paethLanes(i16x8.extend_high_i8x16_u(a), i16x8.extend_high_i8x16_u(b), i16x8.extend_high_i8x16_u(c)));
}

// @ts-ignore: decorator
@inline function paethLanes(a: v128, b: v128, c: v128): v128 {
  let bc = i16x8.sub(b, c), ac = i16x8.sub(a, c);
  let pa = i16x8.abs(bc), pb = i16x8.abs(ac), pc = i16x8.abs(i16x8.add(bc, ac));
  let takeA = v128.and(i16x8.le_s(pa, pb), i16x8.le_s(pa, pc));
  return v128.bitselect(a, v128.bitselect(b, c, i16x8.le_s(pb, pc)), takeA);
}

/** Filtered bytes of `type` for the 16 bytes at offset i. */
// @ts-ignore: decorator
@inline function filtered(type: u32, row: usize, prior: usize, i: usize, bpp: usize): v128 {
  let x = v128.load(row + i);
  if (type == FILTER_NONE) return x;
  if (type == FILTER_SUB) return i8x16.sub(x, v128.load(row + i - bpp));
  if (type == FILTER_UP) return i8x16.sub(x, v128.load(prior + i));
  if (type == FILTER_AVERAGE) return i8x16.sub(x, averageFloor(v128.load(row + i - bpp), v128.load(prior + i)));
  return i8x16.sub(x, paethBytes(v128.load(row + i - bpp), v128.load(prior + i), v128.load(prior + i - bpp)));
}

/** Writes the filter type byte and the row filtered with `type` to `out` (1 + length bytes, 16 of slack). */
export function filterRow(type: u32, out: usize, row: usize, prior: usize, length: usize, bpp: usize): void {
  store<u8>(out, <u8>type);
  out++;
  for (let i: usize = 0; i < length; i += 16) {
    let v: v128;
    if (type == FILTER_NONE) v = filtered(FILTER_NONE, row, prior, i, bpp);
    else if (type == FILTER_SUB) v = filtered(FILTER_SUB, row, prior, i, bpp);
    else if (type == FILTER_UP) v = filtered(FILTER_UP, row, prior, i, bpp);
    else if (type == FILTER_AVERAGE) v = filtered(FILTER_AVERAGE, row, prior, i, bpp);
    else v = filtered(FILTER_PAETH, row, prior, i, bpp);
    v128.store(out + i, v);
  }
}

// @ts-ignore: decorator
@inline function absoluteSum(v: v128): v128 {
  return i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(i8x16.abs(v)));
}

// @ts-ignore: decorator
@inline function lanesTotal(v: v128): u64 {
  return <u64>i32x4.extract_lane(v, 0) + <u64>i32x4.extract_lane(v, 1)
    + <u64>i32x4.extract_lane(v, 2) + <u64>i32x4.extract_lane(v, 3);
}

/**
 * The filter libpng's and Pillow's adaptive choice takes: the least sum of the filtered
 * bytes read as signed (|b| for b < 128, 256 − b above), the first of equals.
 */
export function filterChoose(row: usize, prior: usize, length: usize, bpp: usize): u32 {
  let none = i32x4.splat(0), sub = none, up = none, average = none, paeth = none;
  for (let i: usize = 0; i < length; i += 16) {
    let keep = length - i >= 16 ? i8x16.splat(-1) : i8x16.lt_u(LANES, i8x16.splat(<i8>(length - i)));
    none = i32x4.add(none, absoluteSum(v128.and(filtered(FILTER_NONE, row, prior, i, bpp), keep)));
    sub = i32x4.add(sub, absoluteSum(v128.and(filtered(FILTER_SUB, row, prior, i, bpp), keep)));
    up = i32x4.add(up, absoluteSum(v128.and(filtered(FILTER_UP, row, prior, i, bpp), keep)));
    average = i32x4.add(average, absoluteSum(v128.and(filtered(FILTER_AVERAGE, row, prior, i, bpp), keep)));
    paeth = i32x4.add(paeth, absoluteSum(v128.and(filtered(FILTER_PAETH, row, prior, i, bpp), keep)));
  }
  let best = FILTER_NONE;
  let least = lanesTotal(none);
  let s = lanesTotal(sub);
  if (s < least) { least = s; best = FILTER_SUB; }
  s = lanesTotal(up);
  if (s < least) { least = s; best = FILTER_UP; }
  s = lanesTotal(average);
  if (s < least) { least = s; best = FILTER_AVERAGE; }
  s = lanesTotal(paeth);
  if (s < least) best = FILTER_PAETH;
  return best;
}
