// Inverse DCTs, with the arithmetic of the libjpeg-turbo 2.1.5 that Pillow runs on x86-64:
//
// - 8×8: jidctint.c's "islow" (CONST_BITS 13, PASS1_BITS 2) as its SIMD form computes it
//   (jidctint-avx2.asm): coefficients dequantised with a 16-bit multiply, the rotations
//   as pairwise 16×16→32 products (i32x4.dot_i16x8_s is pmaddwd), the sums
//   in0+in4, in0-in4, in7+in3 and in5+in1 in 16 bits, pass-1 results saturated to 16
//   bits, and the samples saturated to -128..127 before the +128 shift.
// - 4×4 and 2×2 (reduce 2, 4 and 8 for luma, or chroma of a reduced frame): jidctred.c
//   as jidctred-sse2.asm computes it, with the same 16-bit steps.
// - 1×1: jidctred.c's jpeg_idct_1x1 (plain C in libjpeg-turbo): the DC through the
//   10-bit wrapping range-limit table.
//
// Each function reads a block of 64 coefficients (i16, natural order), writes its samples
// at `out` (rows `stride` bytes apart) and leaves the block zeroed for the next decode.

const F_0_298: i32 = 2446;
const F_0_390: i32 = 3196;
const F_0_541: i32 = 4433;
const F_0_765: i32 = 6270;
const F_0_899: i32 = 7373;
const F_1_175: i32 = 9633;
const F_1_501: i32 = 12299;
const F_1_847: i32 = 15137;
const F_1_961: i32 = 16069;
const F_2_053: i32 = 16819;
const F_2_562: i32 = 20995;
const F_3_072: i32 = 25172;

const F_0_211: i32 = 1730;
const F_0_509: i32 = 4176;
const F_0_601: i32 = 4926;
const F_0_720: i32 = 5906;
const F_0_850: i32 = 6967;
const F_1_061: i32 = 8697;
const F_1_272: i32 = 10426;
const F_1_451: i32 = 11893;
const F_2_172: i32 = 17799;
const F_3_624: i32 = 29692;

/** A pair of 16-bit factors repeated over the vector, for dot products of interleaved pairs. */
// @ts-ignore: decorator
@inline function pair(a: i32, b: i32): v128 {
  return i32x4.splat((b << 16) | (a & 0xFFFF));
}

// @ts-ignore: decorator
@inline function lo16(a: v128, b: v128): v128 { return i16x8.shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11); }
// @ts-ignore: decorator
@inline function hi16(a: v128, b: v128): v128 { return i16x8.shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15); }
// @ts-ignore: decorator
@inline function lo32(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 0, 4, 1, 5); }
// @ts-ignore: decorator
@inline function hi32(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 2, 6, 3, 7); }
// @ts-ignore: decorator
@inline function lo64(a: v128, b: v128): v128 { return i64x2.shuffle(a, b, 0, 2); }
// @ts-ignore: decorator
@inline function hi64(a: v128, b: v128): v128 { return i64x2.shuffle(a, b, 1, 3); }

/** (a + b) >> shift for the low and high halves, packed back to 16 bits with saturation. */
// @ts-ignore: decorator
@inline function descale(aLow: v128, aHigh: v128, bLow: v128, bHigh: v128, shift: i32): v128 {
  return i16x8.narrow_i32x4_s(i32x4.shr_s(i32x4.add(aLow, bLow), shift), i32x4.shr_s(i32x4.add(aHigh, bHigh), shift));
}

// @ts-ignore: decorator
@inline function descaleDifference(aLow: v128, aHigh: v128, bLow: v128, bHigh: v128, shift: i32): v128 {
  return i16x8.narrow_i32x4_s(i32x4.shr_s(i32x4.sub(aLow, bLow), shift), i32x4.shr_s(i32x4.sub(aHigh, bHigh), shift));
}

/**
 * One pass of the islow IDCT over eight vectors (lane = the column of pass 1, the row of
 * pass 2), results stored as eight 16-bit vectors at `ws`. `round` is 1 << (shift - 1).
 */
// @ts-ignore: decorator
@inline function islowPass(ws: usize, in0: v128, in1: v128, in2: v128, in3: v128, in4: v128, in5: v128,
  in6: v128, in7: v128, shift: i32, round: i32): void {
  // Even part: tmp3 = z2*(0.541+0.765) + z3*0.541, tmp2 = z2*0.541 + z3*(0.541-1.847).
  let in26Low = lo16(in2, in6), in26High = hi16(in2, in6);
  let tmp3Low = i32x4.dot_i16x8_s(in26Low, pair(F_0_541 + F_0_765, F_0_541));
  let tmp3High = i32x4.dot_i16x8_s(in26High, pair(F_0_541 + F_0_765, F_0_541));
  let tmp2Low = i32x4.dot_i16x8_s(in26Low, pair(F_0_541, F_0_541 - F_1_847));
  let tmp2High = i32x4.dot_i16x8_s(in26High, pair(F_0_541, F_0_541 - F_1_847));
  let sum04 = i16x8.add(in0, in4), difference04 = i16x8.sub(in0, in4);
  let rounding = i32x4.splat(round);
  let tmp0Low = i32x4.add(i32x4.shl(i32x4.extend_low_i16x8_s(sum04), 13), rounding);
  let tmp0High = i32x4.add(i32x4.shl(i32x4.extend_high_i16x8_s(sum04), 13), rounding);
  let tmp1Low = i32x4.add(i32x4.shl(i32x4.extend_low_i16x8_s(difference04), 13), rounding);
  let tmp1High = i32x4.add(i32x4.shl(i32x4.extend_high_i16x8_s(difference04), 13), rounding);
  let tmp10Low = i32x4.add(tmp0Low, tmp3Low), tmp10High = i32x4.add(tmp0High, tmp3High);
  let tmp13Low = i32x4.sub(tmp0Low, tmp3Low), tmp13High = i32x4.sub(tmp0High, tmp3High);
  let tmp11Low = i32x4.add(tmp1Low, tmp2Low), tmp11High = i32x4.add(tmp1High, tmp2High);
  let tmp12Low = i32x4.sub(tmp1Low, tmp2Low), tmp12High = i32x4.sub(tmp1High, tmp2High);

  // Odd part, with z5 folded into z3 and z4 as the SIMD code does.
  let z3 = i16x8.add(in7, in3), z4 = i16x8.add(in5, in1);
  let z34Low = lo16(z3, z4), z34High = hi16(z3, z4);
  let z3Low = i32x4.dot_i16x8_s(z34Low, pair(F_1_175 - F_1_961, F_1_175));
  let z3High = i32x4.dot_i16x8_s(z34High, pair(F_1_175 - F_1_961, F_1_175));
  let z4Low = i32x4.dot_i16x8_s(z34Low, pair(F_1_175, F_1_175 - F_0_390));
  let z4High = i32x4.dot_i16x8_s(z34High, pair(F_1_175, F_1_175 - F_0_390));
  let in71Low = lo16(in7, in1), in71High = hi16(in7, in1);
  let in53Low = lo16(in5, in3), in53High = hi16(in5, in3);
  let odd0Low = i32x4.add(i32x4.dot_i16x8_s(in71Low, pair(F_0_298 - F_0_899, -F_0_899)), z3Low);
  let odd0High = i32x4.add(i32x4.dot_i16x8_s(in71High, pair(F_0_298 - F_0_899, -F_0_899)), z3High);
  let odd3Low = i32x4.add(i32x4.dot_i16x8_s(in71Low, pair(-F_0_899, F_1_501 - F_0_899)), z4Low);
  let odd3High = i32x4.add(i32x4.dot_i16x8_s(in71High, pair(-F_0_899, F_1_501 - F_0_899)), z4High);
  let odd1Low = i32x4.add(i32x4.dot_i16x8_s(in53Low, pair(F_2_053 - F_2_562, -F_2_562)), z4Low);
  let odd1High = i32x4.add(i32x4.dot_i16x8_s(in53High, pair(F_2_053 - F_2_562, -F_2_562)), z4High);
  let odd2Low = i32x4.add(i32x4.dot_i16x8_s(in53Low, pair(-F_2_562, F_3_072 - F_2_562)), z3Low);
  let odd2High = i32x4.add(i32x4.dot_i16x8_s(in53High, pair(-F_2_562, F_3_072 - F_2_562)), z3High);

  v128.store(ws, descale(tmp10Low, tmp10High, odd3Low, odd3High, shift));
  v128.store(ws, descaleDifference(tmp10Low, tmp10High, odd3Low, odd3High, shift), 112);
  v128.store(ws, descale(tmp11Low, tmp11High, odd2Low, odd2High, shift), 16);
  v128.store(ws, descaleDifference(tmp11Low, tmp11High, odd2Low, odd2High, shift), 96);
  v128.store(ws, descale(tmp12Low, tmp12High, odd1Low, odd1High, shift), 32);
  v128.store(ws, descaleDifference(tmp12Low, tmp12High, odd1Low, odd1High, shift), 80);
  v128.store(ws, descale(tmp13Low, tmp13High, odd0Low, odd0High, shift), 48);
  v128.store(ws, descaleDifference(tmp13Low, tmp13High, odd0Low, odd0High, shift), 64);
}

/** Transposes the 8×8 16-bit matrix at `ws` and runs a pass over its columns. */
// @ts-ignore: decorator
@inline function transposedPass(ws: usize, shift: i32, round: i32): void {
  let r0 = v128.load(ws), r1 = v128.load(ws, 16), r2 = v128.load(ws, 32), r3 = v128.load(ws, 48);
  let r4 = v128.load(ws, 64), r5 = v128.load(ws, 80), r6 = v128.load(ws, 96), r7 = v128.load(ws, 112);
  let a0 = lo16(r0, r1), a1 = hi16(r0, r1), a2 = lo16(r2, r3), a3 = hi16(r2, r3);
  let a4 = lo16(r4, r5), a5 = hi16(r4, r5), a6 = lo16(r6, r7), a7 = hi16(r6, r7);
  let b0 = lo32(a0, a2), b1 = hi32(a0, a2), b2 = lo32(a1, a3), b3 = hi32(a1, a3);
  let b4 = lo32(a4, a6), b5 = hi32(a4, a6), b6 = lo32(a5, a7), b7 = hi32(a5, a7);
  islowPass(ws, lo64(b0, b4), hi64(b0, b4), lo64(b1, b5), hi64(b1, b5),
    lo64(b2, b6), hi64(b2, b6), lo64(b3, b7), hi64(b3, b7), shift, round);
}

/**
 * 8×8 islow IDCT of `block` with the quantisation table `quant` (64 u16, natural order);
 * `ws` is 128 bytes of workspace.
 */
function idct8x8(block: usize, quant: usize, out: usize, stride: usize, ws: usize): void {
  let zero = i32x4.splat(0);
  let row0 = v128.load(block);
  let ac = v128.or(v128.or(v128.or(v128.load(block, 16), v128.load(block, 32)), v128.or(v128.load(block, 48), v128.load(block, 64))),
    v128.or(v128.or(v128.load(block, 80), v128.load(block, 96)), v128.load(block, 112)));
  if (!v128.any_true(ac)) {
    let dc = i16x8.mul(row0, v128.load(quant));
    v128.store(block, zero);
    if (!v128.any_true(v128.and(dc, v128(0, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)))) {
      // Only the DC: every sample is ((dc << 2) + 16) >> 5, saturated, plus 128.
      let value = <i32>i16x8.extract_lane_s(i16x8.shl(dc, 2), 0);
      let sample = min<i32>(max<i32>((value + 16) >> 5, -128), 127) + 128;
      let bytes = u64.MAX_VALUE / 255 * <u64>sample;
      for (let r: usize = 0; r < 8; r++) store<u64>(out + r * stride, bytes);
      return;
    }
    // AC terms all zero in every column: pass 1 gives the dequantised first row << 2.
    let column = i16x8.shl(dc, 2);
    for (let r: usize = 0; r < 8; r++) v128.store(ws + (r << 4), column);
  } else {
    let q = quant;
    let in0 = i16x8.mul(row0, v128.load(q));
    let in1 = i16x8.mul(v128.load(block, 16), v128.load(q, 16));
    let in2 = i16x8.mul(v128.load(block, 32), v128.load(q, 32));
    let in3 = i16x8.mul(v128.load(block, 48), v128.load(q, 48));
    let in4 = i16x8.mul(v128.load(block, 64), v128.load(q, 64));
    let in5 = i16x8.mul(v128.load(block, 80), v128.load(q, 80));
    let in6 = i16x8.mul(v128.load(block, 96), v128.load(q, 96));
    let in7 = i16x8.mul(v128.load(block, 112), v128.load(q, 112));
    for (let i: usize = 0; i < 128; i += 16) v128.store(block + i, zero);
    islowPass(ws, in0, in1, in2, in3, in4, in5, in6, in7, 11, 1 << 10);
  }
  transposedPass(ws, 18, 1 << 17);
  // The pass-2 results are columns: transpose back to rows, saturate to bytes, add 128.
  let c0 = v128.load(ws), c1 = v128.load(ws, 16), c2 = v128.load(ws, 32), c3 = v128.load(ws, 48);
  let c4 = v128.load(ws, 64), c5 = v128.load(ws, 80), c6 = v128.load(ws, 96), c7 = v128.load(ws, 112);
  let a0 = lo16(c0, c1), a1 = hi16(c0, c1), a2 = lo16(c2, c3), a3 = hi16(c2, c3);
  let a4 = lo16(c4, c5), a5 = hi16(c4, c5), a6 = lo16(c6, c7), a7 = hi16(c6, c7);
  let b0 = lo32(a0, a2), b1 = hi32(a0, a2), b2 = lo32(a1, a3), b3 = hi32(a1, a3);
  let b4 = lo32(a4, a6), b5 = hi32(a4, a6), b6 = lo32(a5, a7), b7 = hi32(a5, a7);
  let center = i8x16.splat(-128);
  let rows01 = i8x16.add(i8x16.narrow_i16x8_s(lo64(b0, b4), hi64(b0, b4)), center);
  let rows23 = i8x16.add(i8x16.narrow_i16x8_s(lo64(b1, b5), hi64(b1, b5)), center);
  let rows45 = i8x16.add(i8x16.narrow_i16x8_s(lo64(b2, b6), hi64(b2, b6)), center);
  let rows67 = i8x16.add(i8x16.narrow_i16x8_s(lo64(b3, b7), hi64(b3, b7)), center);
  v128.store64_lane(out, rows01, 0);
  v128.store64_lane(out + stride, rows01, 1);
  v128.store64_lane(out + 2 * stride, rows23, 0);
  v128.store64_lane(out + 3 * stride, rows23, 1);
  v128.store64_lane(out + 4 * stride, rows45, 0);
  v128.store64_lane(out + 5 * stride, rows45, 1);
  v128.store64_lane(out + 6 * stride, rows67, 0);
  v128.store64_lane(out + 7 * stride, rows67, 1);
}

// ── reduced sizes ─────────────────────────────────────────────────────────────────

/** Zeroes a block of 64 coefficients. */
// @ts-ignore: decorator
@inline function clearBlock(block: usize): void {
  let zero = i32x4.splat(0);
  for (let i: usize = 0; i < 128; i += 16) v128.store(block + i, zero);
}

/**
 * 4×4 samples from an 8×8 block (jidctred-sse2.asm's jsimd_idct_4x4): pass 1 over the eight
 * columns (row 4 of the coefficients does not reach the output), pass 2 over the four
 * rows, one per 32-bit lane.
 */
function idct4x4(block: usize, quant: usize, out: usize, stride: usize, ws: usize): void {
  let raw = v128.or(v128.or(v128.or(v128.load(block, 16), v128.load(block, 32)), v128.load(block, 48)),
    v128.or(v128.or(v128.load(block, 80), v128.load(block, 96)), v128.load(block, 112)));
  let in0 = i16x8.mul(v128.load(block), v128.load(quant));
  let ws0: v128, ws1: v128, ws2: v128, ws3: v128;
  if (!v128.any_true(raw)) {
    ws0 = i16x8.shl(in0, 2);
    ws1 = ws0; ws2 = ws0; ws3 = ws0;
  } else {
    let in1 = i16x8.mul(v128.load(block, 16), v128.load(quant, 16));
    let in2 = i16x8.mul(v128.load(block, 32), v128.load(quant, 32));
    let in3 = i16x8.mul(v128.load(block, 48), v128.load(quant, 48));
    let in5 = i16x8.mul(v128.load(block, 80), v128.load(quant, 80));
    let in6 = i16x8.mul(v128.load(block, 96), v128.load(quant, 96));
    let in7 = i16x8.mul(v128.load(block, 112), v128.load(quant, 112));
    let in13Low = lo16(in1, in3), in13High = hi16(in1, in3);
    let in57Low = lo16(in5, in7), in57High = hi16(in5, in7);
    let in26Low = lo16(in2, in6), in26High = hi16(in2, in6);
    let odd2Low = i32x4.add(i32x4.dot_i16x8_s(in13Low, pair(F_2_562, F_0_899)), i32x4.dot_i16x8_s(in57Low, pair(-F_0_601, -F_0_509)));
    let odd2High = i32x4.add(i32x4.dot_i16x8_s(in13High, pair(F_2_562, F_0_899)), i32x4.dot_i16x8_s(in57High, pair(-F_0_601, -F_0_509)));
    let odd0Low = i32x4.add(i32x4.dot_i16x8_s(in13Low, pair(F_1_061, -F_2_172)), i32x4.dot_i16x8_s(in57Low, pair(F_1_451, -F_0_211)));
    let odd0High = i32x4.add(i32x4.dot_i16x8_s(in13High, pair(F_1_061, -F_2_172)), i32x4.dot_i16x8_s(in57High, pair(F_1_451, -F_0_211)));
    let even2Low = i32x4.dot_i16x8_s(in26Low, pair(F_1_847, -F_0_765));
    let even2High = i32x4.dot_i16x8_s(in26High, pair(F_1_847, -F_0_765));
    let rounding = i32x4.splat(1 << 11);
    let even0Low = i32x4.add(i32x4.shl(i32x4.extend_low_i16x8_s(in0), 14), rounding);
    let even0High = i32x4.add(i32x4.shl(i32x4.extend_high_i16x8_s(in0), 14), rounding);
    let tmp10Low = i32x4.add(even0Low, even2Low), tmp10High = i32x4.add(even0High, even2High);
    let tmp12Low = i32x4.sub(even0Low, even2Low), tmp12High = i32x4.sub(even0High, even2High);
    ws0 = descale(tmp10Low, tmp10High, odd2Low, odd2High, 12);
    ws3 = descaleDifference(tmp10Low, tmp10High, odd2Low, odd2High, 12);
    ws1 = descale(tmp12Low, tmp12High, odd0Low, odd0High, 12);
    ws2 = descaleDifference(tmp12Low, tmp12High, odd0Low, odd0High, 12);
  }
  clearBlock(block);
  // Pass 2: lane r of each vector is row r; pairs of columns gathered for the dot products.
  let p13 = lo64(i16x8.shuffle(ws0, ws1, 1, 3, 9, 11, 1, 3, 9, 11), i16x8.shuffle(ws2, ws3, 1, 3, 9, 11, 1, 3, 9, 11));
  let p57 = lo64(i16x8.shuffle(ws0, ws1, 5, 7, 13, 15, 5, 7, 13, 15), i16x8.shuffle(ws2, ws3, 5, 7, 13, 15, 5, 7, 13, 15));
  let p26 = lo64(i16x8.shuffle(ws0, ws1, 2, 6, 10, 14, 2, 6, 10, 14), i16x8.shuffle(ws2, ws3, 2, 6, 10, 14, 2, 6, 10, 14));
  let c0 = i32x4.extend_low_i16x8_s(i16x8.shuffle(ws0, ws1, 0, 8, 0, 8, 0, 8, 0, 8));
  c0 = i32x4.shuffle(c0, i32x4.extend_low_i16x8_s(i16x8.shuffle(ws2, ws3, 0, 8, 0, 8, 0, 8, 0, 8)), 0, 1, 4, 5);
  let odd2 = i32x4.add(i32x4.dot_i16x8_s(p13, pair(F_2_562, F_0_899)), i32x4.dot_i16x8_s(p57, pair(-F_0_601, -F_0_509)));
  let odd0 = i32x4.add(i32x4.dot_i16x8_s(p13, pair(F_1_061, -F_2_172)), i32x4.dot_i16x8_s(p57, pair(F_1_451, -F_0_211)));
  let even2 = i32x4.dot_i16x8_s(p26, pair(F_1_847, -F_0_765));
  let even0 = i32x4.add(i32x4.shl(c0, 14), i32x4.splat(1 << 18));
  let tmp10 = i32x4.add(even0, even2), tmp12 = i32x4.sub(even0, even2);
  let columns01 = i16x8.narrow_i32x4_s(i32x4.shr_s(i32x4.add(tmp10, odd2), 19), i32x4.shr_s(i32x4.add(tmp12, odd0), 19));
  let columns23 = i16x8.narrow_i32x4_s(i32x4.shr_s(i32x4.sub(tmp12, odd0), 19), i32x4.shr_s(i32x4.sub(tmp10, odd2), 19));
  let bytes = i8x16.add(i8x16.narrow_i16x8_s(columns01, columns23), i8x16.splat(-128));
  let rows = i8x16.shuffle(bytes, bytes, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  v128.store32_lane(out, rows, 0);
  v128.store32_lane(out + stride, rows, 1);
  v128.store32_lane(out + 2 * stride, rows, 2);
  v128.store32_lane(out + 3 * stride, rows, 3);
}

/**
 * 2×2 samples from an 8×8 block (jidctred-sse2.asm's jsimd_idct_2x2): pass 1 over the
 * columns (only 0, 1, 3, 5 and 7 reach the output), pass 2 over the two rows with column 0
 * kept in 32 bits and the odd columns saturated to 16, as the SIMD code keeps them.
 */
function idct2x2(block: usize, quant: usize, out: usize, stride: usize, ws: usize): void {
  let in0 = i16x8.mul(v128.load(block), v128.load(quant));
  let in1 = i16x8.mul(v128.load(block, 16), v128.load(quant, 16));
  let in3 = i16x8.mul(v128.load(block, 48), v128.load(quant, 48));
  let in5 = i16x8.mul(v128.load(block, 80), v128.load(quant, 80));
  let in7 = i16x8.mul(v128.load(block, 112), v128.load(quant, 112));
  clearBlock(block);
  let oddLow = i32x4.add(i32x4.dot_i16x8_s(lo16(in1, in3), pair(F_3_624, -F_1_272)), i32x4.dot_i16x8_s(lo16(in5, in7), pair(F_0_850, -F_0_720)));
  let oddHigh = i32x4.add(i32x4.dot_i16x8_s(hi16(in1, in3), pair(F_3_624, -F_1_272)), i32x4.dot_i16x8_s(hi16(in5, in7), pair(F_0_850, -F_0_720)));
  let rounding = i32x4.splat(1 << 12);
  let evenLow = i32x4.add(i32x4.shl(i32x4.extend_low_i16x8_s(in0), 15), rounding);
  let evenHigh = i32x4.add(i32x4.shl(i32x4.extend_high_i16x8_s(in0), 15), rounding);
  // Rows 0 and 1 of the workspace, lanes = columns.
  let row0Low = i32x4.shr_s(i32x4.add(evenLow, oddLow), 13), row0High = i32x4.shr_s(i32x4.add(evenHigh, oddHigh), 13);
  let row1Low = i32x4.shr_s(i32x4.sub(evenLow, oddLow), 13), row1High = i32x4.shr_s(i32x4.sub(evenHigh, oddHigh), 13);
  let row0 = i16x8.narrow_i32x4_s(row0Low, row0High), row1 = i16x8.narrow_i32x4_s(row1Low, row1High);
  // Pass 2: lanes (row 0, row 1) of (columns 1 and 3) and (columns 5 and 7), summed.
  let products = i32x4.dot_i16x8_s(i16x8.shuffle(row0, row1, 1, 3, 9, 11, 5, 7, 13, 15),
    i16x8(<i16>F_3_624, <i16>-F_1_272, <i16>F_3_624, <i16>-F_1_272, <i16>F_0_850, <i16>-F_0_720, <i16>F_0_850, <i16>-F_0_720));
  let odd = i32x4.add(products, i32x4.shuffle(products, products, 2, 3, 0, 1));
  let even = i32x4.add(i32x4.shl(i32x4.shuffle(row0Low, row1Low, 0, 4, 0, 4), 15), i32x4.splat(1 << 19));
  let samples = i32x4.shuffle(i32x4.shr_s(i32x4.add(even, odd), 20), i32x4.shr_s(i32x4.sub(even, odd), 20), 0, 4, 1, 5);
  let packed = i16x8.narrow_i32x4_s(samples, samples);
  let bytes = i8x16.add(i8x16.narrow_i16x8_s(packed, packed), i8x16.splat(-128));
  v128.store16_lane(out, bytes, 0);
  v128.store16_lane(out + stride, bytes, 1);
}

/** One sample from an 8×8 block (jidctred.c's jpeg_idct_1x1, through the range-limit table). */
function idct1x1(block: usize, quant: usize, out: usize): void {
  let dc = <i32>load<i16>(block);
  clearBlock(block);
  store<u8>(out, dcSample(dc, <i32>load<i16>(quant)));
}

/** jpeg_idct_1x1 of a block whose DC coefficient is `dc` (a JCOEF) and its quantizer `quant`. */
// @ts-ignore: decorator
@inline export function dcSample(dc: i32, quant: i32): u8 {
  let value = (dc * quant + 4) >> 3;
  // The table maps value & 1023 as a 10-bit signed number, then clamps value + 128.
  let wrapped = ((value & 1023) ^ 512) - 512;
  return <u8>min<i32>(max<i32>(wrapped + 128, 0), 255);
}

/** Inverse DCT of one block at a component's scaled block size (8, 4, 2 or 1). */
export function inverseTransform(block: usize, quant: usize, out: usize, stride: usize, size: u32, ws: usize): void {
  if (size == 8) idct8x8(block, quant, out, stride, ws);
  else if (size == 4) idct4x4(block, quant, out, stride, ws);
  else if (size == 2) idct2x2(block, quant, out, stride, ws);
  else idct1x1(block, quant, out);
}
