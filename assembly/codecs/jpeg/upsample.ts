// Chroma upsampling as libjpeg-turbo's jdsample.c (which Pillow uses with fancy
// upsampling on): one output row at a time, from the component rows it needs.
//
//   h2v1 fancy  out[2i]   = (3 in[i] + in[i-1] + 1) >> 2
//               out[2i+1] = (3 in[i] + in[i+1] + 2) >> 2
//   h1v2 fancy  out[i]    = (3 near[i] + far[i] + bias) >> 2     bias 1 above, 2 below
//   h2v2 fancy  sum[i]    = 3 near[i] + far[i]
//               out[2i]   = (3 sum[i] + sum[i-1] + 8) >> 4
//               out[2i+1] = (3 sum[i] + sum[i+1] + 7) >> 4
//   plain       each sample repeated h times (h2v1, h2v2, and jdsample's int_upsample)
//
// where "far" is the nearest other input row (above for the upper output row of a pair,
// below for the lower one) and the edge columns repeat (in[-1] = in[0], in[w] = in[w-1]),
// which gives libjpeg's special first and last columns. Callers leave 16 writable bytes
// before and after each input row, and room for 16 samples past each output row.

/** h2v1 fancy: `width` (> 2) samples at `input` to 2 × width at `out`. */
export function upsampleH2V1Fancy(input: usize, width: u32, out: usize): void {
  store<u8>(input - 1, load<u8>(input));
  store<u8>(input + width, load<u8>(input + width - 1));
  let one = i16x8.splat(1), two = i16x8.splat(2);
  for (let i: u32 = 0; i < width; i += 8) {
    let at = input + i;
    let current = v128.load8x8_u(at);
    let three = i16x8.add(i16x8.shl(current, 1), current);
    let even = i16x8.shr_u(i16x8.add(i16x8.add(three, v128.load8x8_u(at - 1)), one), 2);
    let odd = i16x8.shr_u(i16x8.add(i16x8.add(three, v128.load8x8_u(at + 1)), two), 2);
    v128.store(out + (<usize>i << 1), interleave(even, odd));
  }
}

/** h1v2 fancy: one output row from the nearer row and the farther one. */
export function upsampleH1V2Fancy(near: usize, far: usize, width: u32, out: usize, bias: i32): void {
  let biasVector = i16x8.splat(<i16>bias);
  for (let i: u32 = 0; i < width; i += 8) {
    let current = v128.load8x8_u(near + i);
    let sum = i16x8.add(i16x8.add(i16x8.shl(current, 1), current), v128.load8x8_u(far + i));
    let value = i16x8.shr_u(i16x8.add(sum, biasVector), 2);
    v128.store64_lane(out + i, i8x16.narrow_i16x8_u(value, value), 0);
  }
}

/**
 * h2v2 fancy: one output row from the nearer and farther rows; `sums` is an i16 row of
 * width + 16 entries with 16 bytes writable before it.
 */
export function upsampleH2V2Fancy(near: usize, far: usize, width: u32, out: usize, sums: usize): void {
  for (let i: u32 = 0; i < width; i += 8) {
    let current = v128.load8x8_u(near + i);
    v128.store(sums + (<usize>i << 1), i16x8.add(i16x8.add(i16x8.shl(current, 1), current), v128.load8x8_u(far + i)));
  }
  store<i16>(sums - 2, load<i16>(sums));
  store<i16>(sums + (<usize>width << 1), load<i16>(sums + (<usize>(width - 1) << 1)));
  let eight = i16x8.splat(8), seven = i16x8.splat(7);
  for (let i: u32 = 0; i < width; i += 8) {
    let at = sums + (<usize>i << 1);
    let current = v128.load(at);
    let three = i16x8.add(i16x8.shl(current, 1), current);
    let even = i16x8.shr_u(i16x8.add(i16x8.add(three, v128.load(at - 2)), eight), 4);
    let odd = i16x8.shr_u(i16x8.add(i16x8.add(three, v128.load(at + 2)), seven), 4);
    v128.store(out + (<usize>i << 1), interleave(even, odd));
  }
}

/** Eight even and eight odd samples (16-bit, 0..255) as sixteen bytes in turn. */
// @ts-ignore: decorator
@inline function interleave(even: v128, odd: v128): v128 {
  let bytes = i8x16.narrow_i16x8_u(even, odd);
  return i8x16.shuffle(bytes, bytes, 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
}

/** Each of the samples covering `outWidth` output samples repeated `factor` times. */
export function upsampleRepeat(input: usize, outWidth: u32, out: usize, factor: u32): void {
  if (factor == 2) {
    for (let i: u32 = 0; i < outWidth; i += 16) {
      let bytes = v128.load64_zero(input + (i >> 1));
      v128.store(out + i, i8x16.shuffle(bytes, bytes, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7));
    }
    return;
  }
  let x: u32 = 0;
  for (let i: usize = 0; x < outWidth; i++) {
    let value = load<u8>(input + i);
    for (let j: u32 = 0; j < factor; j++) store<u8>(out + x + j, value);
    x += factor;
  }
}
