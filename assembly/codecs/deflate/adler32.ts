// Adler-32 (RFC 1950), the checksum of a zlib stream's uncompressed data:
//   a = 1 + Σ d_i,   b = Σ (a after each byte)   (both mod 65521)
// so over a run of n bytes from (a, b):  a' = a + Σ d_i,  b' = b + n·a + Σ (n − i)·d_i.
//
// The SIMD loop takes 16 bytes a step and keeps three 32-bit vectors:
//   sums     the bytes so far (four lanes, each the sum of its four byte columns)
//   prefix   += sums before each step: Σ over steps of the bytes of the earlier steps
//   weighted Σ (16 − j)·d_j within each step (dot products with 16..1)
// and at the end of a run  b' = b + n·a + 16·Σprefix + Σweighted,  a' = a + Σsums.
// Runs are at most RUN bytes so that no lane, nor b' before its reduction, overflows.

const MODULUS: u32 = 65521;
/** Bytes per run between reductions: 16·Σprefix stays below 2^32 (5552 is zlib's NMAX). */
const RUN: usize = 5552 & ~15;

// Weights 16..1 of the bytes of one step, as two i16x8 halves.
// @ts-ignore: decorator
@lazy const WEIGHTS_LOW = i16x8(16, 15, 14, 13, 12, 11, 10, 9);
// @ts-ignore: decorator
@lazy const WEIGHTS_HIGH = i16x8(8, 7, 6, 5, 4, 3, 2, 1);

// @ts-ignore: decorator
@inline function lanesSum(v: v128): u64 {
  return <u64>i32x4.extract_lane(v, 0) + <u64>i32x4.extract_lane(v, 1)
    + <u64>i32x4.extract_lane(v, 2) + <u64>i32x4.extract_lane(v, 3);
}

/** The Adler-32 of `adler`'s data followed by the `length` bytes at `data` (start with 1). */
export function adler32(adler: u32, data: usize, length: usize): u32 {
  let a: u64 = adler & 0xFFFF;
  let b: u64 = adler >> 16;
  let end = data + length;
  while (end - data >= 16) {
    let n = min<usize>(end - data, RUN) & ~15;
    let runEnd = data + n;
    let sums = i32x4.splat(0), prefix = i32x4.splat(0), weighted = i32x4.splat(0);
    while (data < runEnd) {
      let bytes = v128.load(data);
      prefix = i32x4.add(prefix, sums);
      sums = i32x4.add(sums, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(bytes)));
      weighted = i32x4.add(weighted, i32x4.add(
        i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(bytes), WEIGHTS_LOW),
        i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(bytes), WEIGHTS_HIGH)));
      data += 16;
    }
    b = (b + <u64>n * a + (lanesSum(prefix) << 4) + lanesSum(weighted)) % MODULUS;
    a = (a + lanesSum(sums)) % MODULUS;
  }
  while (data < end) {
    a += <u64>load<u8>(data);
    b += a;
    data++;
  }
  return <u32>((b % MODULUS) << 16 | (a % MODULUS));
}
