// The sample rows the DCT reads, as libjpeg-turbo prepares them (jccolor.c, jcsample.c,
// jcprepct.c): RGB to YCbCr, chroma downsampling, and the edges expanded to whole blocks.
//
// Colour conversion, 16.16 fixed point (the weights of Y sum to 65536; Cb and Cr round
// with 0.5 − ε so that 255 cannot overflow):
//
//   Y  = ( 19595 R + 38470 G +  7471 B + 32768) >> 16
//   Cb = (−11059 R − 21709 G + 32768 B + 128·65536 + 32767) >> 16
//   Cr = ( 32768 R − 27439 G −  5329 B + 128·65536 + 32767) >> 16
//
// Downsampling averages 2×1 or 2×2 samples with a bias that alternates along the row, so
// that rounding does not drift: (a + b + {0, 1, 0, 1, ..}) >> 1 and
// (a + b + c + d + {1, 2, 1, 2, ..}) >> 2.
//
// Edges: each row is widened to the padded width by repeating its last sample before it
// is downsampled; below the image, a row group is completed with copies of the last image
// row, and the downsampled rows of the last iMCU row with copies of the last row made.

const Y_R: i32 = 19595;
const Y_G: i32 = 38470;
const Y_B: i32 = 7471;
const CB_R: i32 = 11059;
const CB_G: i32 = 21709;
const CR_G: i32 = 27439;
const CR_B: i32 = 5329;
const HALF: i32 = 32768;
/** 128·65536 + 32767: the offset of Cb and Cr with their rounding. */
const CHROMA_OFFSET: i32 = 8421375;

// @ts-ignore: decorator
@inline function lumaOf(r: i32, g: i32, b: i32): i32 {
  return (r * Y_R + g * Y_G + b * Y_B + HALF) >> 16;
}

// @ts-ignore: decorator
@inline function blueOf(r: i32, g: i32, b: i32): i32 {
  return ((b << 15) - r * CB_R - g * CB_G + CHROMA_OFFSET) >> 16;
}

// @ts-ignore: decorator
@inline function redOf(r: i32, g: i32, b: i32): i32 {
  return ((r << 15) - g * CR_G - b * CR_B + CHROMA_OFFSET) >> 16;
}

/** Sixteen i32 lanes (four vectors, values 0..255) packed into sixteen bytes. */
// @ts-ignore: decorator
@inline function packBytes(a: v128, b: v128, c: v128, d: v128): v128 {
  return i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d));
}

/**
 * Converts `width` 4-byte pixels at `source` to Y, Cb and Cr rows, each then widened to
 * `padded` samples by repeating its last one.
 */
export function convertRow(source: usize, width: i32, luma: usize, blue: usize, red: usize, padded: i32): void {
  let x = 0;
  let byteMask = i32x4.splat(0xFF);
  let yR = i32x4.splat(Y_R), yG = i32x4.splat(Y_G), yB = i32x4.splat(Y_B), half = i32x4.splat(HALF);
  let cbR = i32x4.splat(CB_R), cbG = i32x4.splat(CB_G), crG = i32x4.splat(CR_G), crB = i32x4.splat(CR_B);
  let offset = i32x4.splat(CHROMA_OFFSET);
  for (; x + 16 <= width; x += 16) {
    let at = source + (<usize>x << 2);
    // Four groups of four pixels; Y, Cb, Cr lanes of each group.
    let p0 = v128.load(at, 0), p1 = v128.load(at, 16), p2 = v128.load(at, 32), p3 = v128.load(at, 48);
    let r0 = v128.and(p0, byteMask), g0 = v128.and(i32x4.shr_u(p0, 8), byteMask), b0 = v128.and(i32x4.shr_u(p0, 16), byteMask);
    let r1 = v128.and(p1, byteMask), g1 = v128.and(i32x4.shr_u(p1, 8), byteMask), b1 = v128.and(i32x4.shr_u(p1, 16), byteMask);
    let r2 = v128.and(p2, byteMask), g2 = v128.and(i32x4.shr_u(p2, 8), byteMask), b2 = v128.and(i32x4.shr_u(p2, 16), byteMask);
    let r3 = v128.and(p3, byteMask), g3 = v128.and(i32x4.shr_u(p3, 8), byteMask), b3 = v128.and(i32x4.shr_u(p3, 16), byteMask);
    v128.store(luma + x, packBytes(
      i32x4.shr_u(i32x4.add(i32x4.add(i32x4.mul(r0, yR), i32x4.mul(g0, yG)), i32x4.add(i32x4.mul(b0, yB), half)), 16),
      i32x4.shr_u(i32x4.add(i32x4.add(i32x4.mul(r1, yR), i32x4.mul(g1, yG)), i32x4.add(i32x4.mul(b1, yB), half)), 16),
      i32x4.shr_u(i32x4.add(i32x4.add(i32x4.mul(r2, yR), i32x4.mul(g2, yG)), i32x4.add(i32x4.mul(b2, yB), half)), 16),
      i32x4.shr_u(i32x4.add(i32x4.add(i32x4.mul(r3, yR), i32x4.mul(g3, yG)), i32x4.add(i32x4.mul(b3, yB), half)), 16)));
    v128.store(blue + x, packBytes(
      i32x4.shr_s(i32x4.sub(i32x4.add(i32x4.shl(b0, 15), offset), i32x4.add(i32x4.mul(r0, cbR), i32x4.mul(g0, cbG))), 16),
      i32x4.shr_s(i32x4.sub(i32x4.add(i32x4.shl(b1, 15), offset), i32x4.add(i32x4.mul(r1, cbR), i32x4.mul(g1, cbG))), 16),
      i32x4.shr_s(i32x4.sub(i32x4.add(i32x4.shl(b2, 15), offset), i32x4.add(i32x4.mul(r2, cbR), i32x4.mul(g2, cbG))), 16),
      i32x4.shr_s(i32x4.sub(i32x4.add(i32x4.shl(b3, 15), offset), i32x4.add(i32x4.mul(r3, cbR), i32x4.mul(g3, cbG))), 16)));
    v128.store(red + x, packBytes(
      i32x4.shr_s(i32x4.sub(i32x4.add(i32x4.shl(r0, 15), offset), i32x4.add(i32x4.mul(g0, crG), i32x4.mul(b0, crB))), 16),
      i32x4.shr_s(i32x4.sub(i32x4.add(i32x4.shl(r1, 15), offset), i32x4.add(i32x4.mul(g1, crG), i32x4.mul(b1, crB))), 16),
      i32x4.shr_s(i32x4.sub(i32x4.add(i32x4.shl(r2, 15), offset), i32x4.add(i32x4.mul(g2, crG), i32x4.mul(b2, crB))), 16),
      i32x4.shr_s(i32x4.sub(i32x4.add(i32x4.shl(r3, 15), offset), i32x4.add(i32x4.mul(g3, crG), i32x4.mul(b3, crB))), 16)));
  }
  for (; x < width; x++) {
    let pixel = load<u32>(source + (<usize>x << 2));
    let r = <i32>(pixel & 0xFF), g = <i32>((pixel >> 8) & 0xFF), b = <i32>((pixel >> 16) & 0xFF);
    store<u8>(luma + x, <u8>lumaOf(r, g, b));
    store<u8>(blue + x, <u8>blueOf(r, g, b));
    store<u8>(red + x, <u8>redOf(r, g, b));
  }
  widen(luma, width, padded);
  widen(blue, width, padded);
  widen(red, width, padded);
}

/**
 * Copies the gray samples of `width` pixels (`pixelSize` 1: L; 4: LA as L,L,L,A) to a
 * row, widened to `padded` samples.
 */
export function grayRow(source: usize, width: i32, pixelSize: i32, luma: usize, padded: i32): void {
  if (pixelSize == 1) {
    memory.copy(luma, source, <usize>width);
  } else {
    let x = 0;
    for (; x + 16 <= width; x += 16) {
      let at = source + (<usize>x << 2);
      // Byte 0 of each 4-byte pixel, 4 pixels per vector.
      let a = i8x16.shuffle(v128.load(at, 0), v128.load(at, 16), 0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0);
      let b = i8x16.shuffle(v128.load(at, 32), v128.load(at, 48), 0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0);
      v128.store(luma + x, v128.shuffle<i64>(a, b, 0, 2));
    }
    for (; x < width; x++) store<u8>(luma + x, load<u8>(source + (<usize>x << 2)));
  }
  widen(luma, width, padded);
}

/** Repeats the last of `width` samples up to `padded`. */
// @ts-ignore: decorator
@inline function widen(row: usize, width: i32, padded: i32): void {
  if (padded > width) memory.fill(row + width, load<u8>(row + width - 1), <usize>(padded - width));
}

/** Halves a row horizontally: `outWidth` samples (a multiple of 8) from 2·outWidth. */
export function downsampleH2V1(input: usize, output: usize, outWidth: i32): void {
  let bias = i16x8(0, 1, 0, 1, 0, 1, 0, 1);
  for (let x = 0; x < outWidth; x += 8) {
    let sums = i16x8.add(i16x8.extadd_pairwise_i8x16_u(v128.load(input + (<usize>x << 1))), bias);
    let out = i16x8.shr_u(sums, 1);
    v128.store64_lane(output + x, i8x16.narrow_i16x8_u(out, out), 0);
  }
}

/** Halves two rows both ways into one row: `outWidth` samples (a multiple of 8). */
export function downsampleH2V2(input0: usize, input1: usize, output: usize, outWidth: i32): void {
  let bias = i16x8(1, 2, 1, 2, 1, 2, 1, 2);
  for (let x = 0; x < outWidth; x += 8) {
    let at = <usize>x << 1;
    let sums = i16x8.add(
      i16x8.add(i16x8.extadd_pairwise_i8x16_u(v128.load(input0 + at)), i16x8.extadd_pairwise_i8x16_u(v128.load(input1 + at))),
      bias);
    let out = i16x8.shr_u(sums, 2);
    v128.store64_lane(output + x, i8x16.narrow_i16x8_u(out, out), 0);
  }
}
