// The forward DCT and quantization of one 8×8 block, as libjpeg-turbo's islow path
// (jfdctint.c with its SIMD twins, then jcdctmgr.c's reciprocal quantizer): the same
// integer arithmetic, so the same coefficients, in wasm SIMD.
//
// The transform is the Loeffler–Ligtenberg–Moschytz factorization in 13-bit fixed point,
// rows first, then columns:
//
//   pass 1 (rows):    outputs 0, 4 scaled up by 2^2; the rotated ones descaled by 2^11
//   pass 2 (columns): outputs 0, 4 descaled by 2^2; the rotated ones by 2^15
//
// where descaling by 2^n is (x + 2^(n−1)) >> n. Each pass runs on eight i16x8 vectors, one
// 1-D transform per lane; a transpose before each pass puts the samples of a row (then of
// a column) across the vectors. The quantized rows leave in zigzag order. Sums stay within 16 bits (the largest, the DC sum of pass
// 2, is 4·Σ(x − 128) over 64 samples, in −32768..32512); each product pair a·c1 + b·c2 is
// one i32x4.dot_i16x8_s, the constants regrouped so that every product is such a pair
// (the regrouping is exact in integers). Quantization follows quality.ts.

import { QUANT_RECIPROCAL, QUANT_CORRECTION, QUANT_SCALE } from "./quality";

// FIX(x) = round(x · 2^13), as jfdctint.c
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

/** Constant pairs (c1, c2) four times, for dot(interleave(a, b), pair) = a·c1 + b·c2. */
// @ts-ignore: decorator
@inline function pair(c1: i32, c2: i32): v128 {
  return i32x4.splat((c1 & 0xFFFF) | (c2 << 16));
}

/** Lanes 0..3 of a and b interleaved: a0 b0 a1 b1 a2 b2 a3 b3. */
// @ts-ignore: decorator
@inline function low(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11);
}

/** Lanes 4..7 of a and b interleaved. */
// @ts-ignore: decorator
@inline function high(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15);
}

/** (x + 2^(n−1)) >> n of two i32x4 halves, packed back to i16x8. */
// @ts-ignore: decorator
@inline function descale(lo: v128, hi: v128, n: i32): v128 {
  let round = i32x4.splat(1 << (n - 1));
  return i16x8.narrow_i32x4_s(i32x4.shr_s(i32x4.add(lo, round), n), i32x4.shr_s(i32x4.add(hi, round), n));
}

/** The high 16 bits of the unsigned 16-bit products a·b (x86's pmulhuw). */
// @ts-ignore: decorator
@inline function mulhiU(a: v128, b: v128): v128 {
  return i16x8.shuffle(i32x4.extmul_low_i16x8_u(a, b), i32x4.extmul_high_i16x8_u(a, b), 1, 3, 5, 7, 9, 11, 13, 15);
}

/** Quantizes one row of coefficients with the divisors of that row. */
// @ts-ignore: decorator
@inline function quantizeRow(c: v128, divisors: usize): v128 {
  let sign = i16x8.shr_s(c, 15);
  let magnitude = i16x8.add(i16x8.abs(c), v128.load(divisors + QUANT_CORRECTION));
  magnitude = mulhiU(mulhiU(magnitude, v128.load(divisors + QUANT_RECIPROCAL)), v128.load(divisors + QUANT_SCALE));
  return i16x8.sub(v128.xor(magnitude, sign), sign);
}

/**
 * Transforms and quantizes the 8×8 samples at `samples` (rows `stride` bytes apart) with
 * the divisors of a quality.ts table, into the 64 i16 coefficients at `target` in zigzag
 * order.
 */
export function forwardDct(samples: usize, stride: usize, divisors: usize, target: usize): void {
  let center = i16x8.splat(128);
  let x0 = i16x8.sub(v128.load8x8_u(samples), center);
  let x1 = i16x8.sub(v128.load8x8_u(samples + stride), center);
  let x2 = i16x8.sub(v128.load8x8_u(samples + stride * 2), center);
  let x3 = i16x8.sub(v128.load8x8_u(samples + stride * 3), center);
  let x4 = i16x8.sub(v128.load8x8_u(samples + stride * 4), center);
  let x5 = i16x8.sub(v128.load8x8_u(samples + stride * 5), center);
  let x6 = i16x8.sub(v128.load8x8_u(samples + stride * 6), center);
  let x7 = i16x8.sub(v128.load8x8_u(samples + stride * 7), center);
  for (let pass = 0; pass < 2; pass++) {
    // Transpose: the samples of a row (then of a column) across the eight vectors, by
    // interleaving 16-bit lanes, then 32-bit pairs, then 64-bit halves.
    let a0 = low(x0, x1), a1 = high(x0, x1), a2 = low(x2, x3), a3 = high(x2, x3);
    let a4 = low(x4, x5), a5 = high(x4, x5), a6 = low(x6, x7), a7 = high(x6, x7);
    let b0 = i32x4.shuffle(a0, a2, 0, 4, 1, 5), b1 = i32x4.shuffle(a0, a2, 2, 6, 3, 7);
    let b2 = i32x4.shuffle(a1, a3, 0, 4, 1, 5), b3 = i32x4.shuffle(a1, a3, 2, 6, 3, 7);
    let b4 = i32x4.shuffle(a4, a6, 0, 4, 1, 5), b5 = i32x4.shuffle(a4, a6, 2, 6, 3, 7);
    let b6 = i32x4.shuffle(a5, a7, 0, 4, 1, 5), b7 = i32x4.shuffle(a5, a7, 2, 6, 3, 7);
    x0 = v128.shuffle<i64>(b0, b4, 0, 2); x1 = v128.shuffle<i64>(b0, b4, 1, 3);
    x2 = v128.shuffle<i64>(b1, b5, 0, 2); x3 = v128.shuffle<i64>(b1, b5, 1, 3);
    x4 = v128.shuffle<i64>(b2, b6, 0, 2); x5 = v128.shuffle<i64>(b2, b6, 1, 3);
    x6 = v128.shuffle<i64>(b3, b7, 0, 2); x7 = v128.shuffle<i64>(b3, b7, 1, 3);
    // The 1-D transform, one per lane.
    let first = pass == 0;
    let shift = first ? 11 : 15;
    let tmp0 = i16x8.add(x0, x7), tmp7 = i16x8.sub(x0, x7);
    let tmp1 = i16x8.add(x1, x6), tmp6 = i16x8.sub(x1, x6);
    let tmp2 = i16x8.add(x2, x5), tmp5 = i16x8.sub(x2, x5);
    let tmp3 = i16x8.add(x3, x4), tmp4 = i16x8.sub(x3, x4);
    let tmp10 = i16x8.add(tmp0, tmp3), tmp13 = i16x8.sub(tmp0, tmp3);
    let tmp11 = i16x8.add(tmp1, tmp2), tmp12 = i16x8.sub(tmp1, tmp2);
    let sum = i16x8.add(tmp10, tmp11), difference = i16x8.sub(tmp10, tmp11);
    if (first) {
      x0 = i16x8.shl(sum, 2);
      x4 = i16x8.shl(difference, 2);
    } else {
      let two = i16x8.splat(2);
      x0 = i16x8.shr_s(i16x8.add(sum, two), 2);
      x4 = i16x8.shr_s(i16x8.add(difference, two), 2);
    }
    // out2 = z1 + tmp13·c765, out6 = z1 − tmp12·c1847, with z1 = (tmp12 + tmp13)·c541
    let lo = low(tmp12, tmp13), hi = high(tmp12, tmp13);
    let k2 = pair(F_0_541, F_0_541 + F_0_765), k6 = pair(F_0_541 - F_1_847, F_0_541);
    x2 = descale(i32x4.dot_i16x8_s(lo, k2), i32x4.dot_i16x8_s(hi, k2), shift);
    x6 = descale(i32x4.dot_i16x8_s(lo, k6), i32x4.dot_i16x8_s(hi, k6), shift);
    // Odd part: z3 = tmp4 + tmp6 and z4 = tmp5 + tmp7 rotated together (z5 shared) ...
    let z3 = i16x8.add(tmp4, tmp6), z4 = i16x8.add(tmp5, tmp7);
    lo = low(z3, z4); hi = high(z3, z4);
    let k3 = pair(F_1_175 - F_1_961, F_1_175), k4 = pair(F_1_175, F_1_175 - F_0_390);
    let z3lo = i32x4.dot_i16x8_s(lo, k3), z3hi = i32x4.dot_i16x8_s(hi, k3);
    let z4lo = i32x4.dot_i16x8_s(lo, k4), z4hi = i32x4.dot_i16x8_s(hi, k4);
    // ... then tmp4/tmp7 with z1 = tmp4 + tmp7, and tmp5/tmp6 with z2 = tmp5 + tmp6.
    lo = low(tmp4, tmp7); hi = high(tmp4, tmp7);
    let k7 = pair(F_0_298 - F_0_899, -F_0_899), k1 = pair(-F_0_899, F_1_501 - F_0_899);
    x7 = descale(i32x4.add(i32x4.dot_i16x8_s(lo, k7), z3lo), i32x4.add(i32x4.dot_i16x8_s(hi, k7), z3hi), shift);
    x1 = descale(i32x4.add(i32x4.dot_i16x8_s(lo, k1), z4lo), i32x4.add(i32x4.dot_i16x8_s(hi, k1), z4hi), shift);
    lo = low(tmp5, tmp6); hi = high(tmp5, tmp6);
    let k5 = pair(F_2_053 - F_2_562, -F_2_562), k3b = pair(-F_2_562, F_3_072 - F_2_562);
    x5 = descale(i32x4.add(i32x4.dot_i16x8_s(lo, k5), z4lo), i32x4.add(i32x4.dot_i16x8_s(hi, k5), z4hi), shift);
    x3 = descale(i32x4.add(i32x4.dot_i16x8_s(lo, k3b), z3lo), i32x4.add(i32x4.dot_i16x8_s(hi, k3b), z3hi), shift);
  }
  let r0 = quantizeRow(x0, divisors);
  let r1 = quantizeRow(x1, divisors + 16);
  let r2 = quantizeRow(x2, divisors + 32);
  let r3 = quantizeRow(x3, divisors + 48);
  let r4 = quantizeRow(x4, divisors + 64);
  let r5 = quantizeRow(x5, divisors + 80);
  let r6 = quantizeRow(x6, divisors + 96);
  let r7 = quantizeRow(x7, divisors + 112);
  // Zigzag: each group of eight takes its coefficients from three to six rows, gathered
  // one row per shuffle (lanes marked 0 are filled by a later shuffle of the group).
  let z = i16x8.shuffle(r0, r1, 0, 1, 8, 0, 9, 2, 3, 10);
  v128.store(target, i16x8.shuffle(z, r2, 0, 1, 2, 8, 4, 5, 6, 7), 0);
  z = i16x8.shuffle(r2, r3, 1, 8, 0, 9, 2, 0, 0, 0);
  z = i16x8.shuffle(z, r4, 0, 1, 8, 3, 4, 0, 0, 0);
  z = i16x8.shuffle(z, r1, 0, 1, 2, 3, 4, 11, 0, 0);
  v128.store(target, i16x8.shuffle(z, r0, 0, 1, 2, 3, 4, 5, 12, 13), 16);
  z = i16x8.shuffle(r1, r2, 4, 11, 0, 0, 0, 0, 0, 0);
  z = i16x8.shuffle(z, r3, 0, 1, 10, 0, 0, 0, 0, 0);
  z = i16x8.shuffle(z, r4, 0, 1, 2, 9, 0, 0, 0, 10);
  z = i16x8.shuffle(z, r5, 0, 1, 2, 3, 8, 0, 9, 7);
  v128.store(target, i16x8.shuffle(z, r6, 0, 1, 2, 3, 4, 8, 6, 7), 32);
  z = i16x8.shuffle(r3, r2, 3, 12, 0, 0, 0, 0, 13, 4);
  z = i16x8.shuffle(z, r1, 0, 1, 13, 0, 0, 14, 6, 7);
  v128.store(target, i16x8.shuffle(z, r0, 0, 1, 2, 14, 15, 5, 6, 7), 48);
  z = i16x8.shuffle(r4, r5, 3, 10, 0, 0, 0, 0, 11, 4);
  z = i16x8.shuffle(z, r6, 0, 1, 9, 0, 0, 10, 6, 7);
  v128.store(target, i16x8.shuffle(z, r7, 0, 1, 2, 8, 9, 5, 6, 7), 64);
  z = i16x8.shuffle(r3, r2, 5, 14, 0, 15, 6, 0, 0, 0);
  z = i16x8.shuffle(z, r1, 0, 1, 15, 3, 4, 0, 0, 0);
  z = i16x8.shuffle(z, r4, 0, 1, 2, 3, 4, 13, 0, 0);
  z = i16x8.shuffle(z, r5, 0, 1, 2, 3, 4, 5, 12, 0);
  v128.store(target, i16x8.shuffle(z, r6, 0, 1, 2, 3, 4, 5, 6, 11), 80);
  z = i16x8.shuffle(r7, r6, 2, 3, 12, 0, 0, 0, 0, 0);
  z = i16x8.shuffle(z, r5, 0, 1, 2, 13, 0, 0, 0, 14);
  z = i16x8.shuffle(z, r4, 0, 1, 2, 3, 14, 0, 15, 7);
  v128.store(target, i16x8.shuffle(z, r3, 0, 1, 2, 3, 4, 15, 6, 7), 96);
  z = i16x8.shuffle(r6, r7, 5, 12, 13, 6, 0, 7, 14, 15);
  v128.store(target, i16x8.shuffle(z, r5, 0, 1, 2, 3, 15, 5, 6, 7), 112);
}
