// Colour conversion of one decoded row into an image row (RGB stored as R,G,B,255), with
// the fixed-point tables of libjpeg-turbo's jdcolor.c (SCALEBITS 16), as Pillow decodes:
//
//   R = y + ((91881 cr' + 32768) >> 16)                        cb' = cb - 128
//   G = y + ((-22554 cb' - 46802 cr' + 32768) >> 16)           cr' = cr - 128
//   B = y + ((116130 cb' + 32768) >> 16)                       each clamped to 0..255
//
// The SIMD path splits each factor so that every product fits a 16-bit operand:
// 91881 = 65536 + 26345, 116130 = 131072 - 14942, -46802 = -65536 + 18734 (the whole
// multiples of 65536 leave the shift exact), and G's two products are one dot product.
//
// CMYK files come out of libjpeg as Adobe-inverted CMYK (YCCK through the same YCC
// tables, inverted), which Pillow reads as "CMYK;I" (inverting each byte back) and turns
// into RGB with Convert.c's cmyk2rgb:  nk = 255 - k,  R = nk - (c × nk) / 255 (rounded as
// MULDIV255), and so on.

/** YCbCr rows to `width` RGB pixels, sixteen at a time. */
export function ycbcrRow(y: usize, cb: usize, cr: usize, out: usize, width: u32): void {
  let x: u32 = 0;
  let center = i16x8.splat(128);
  let half = i32x4.splat(32768);
  let alpha = i8x16.splat(-1);
  for (; x + 16 <= width; x += 16) {
    let luma = v128.load(y + x), blue = v128.load(cb + x), red = v128.load(cr + x);
    let r = i8x16.narrow_i16x8_u(
      redOf(i16x8.extend_low_i8x16_u(luma), i16x8.sub(i16x8.extend_low_i8x16_u(red), center), half),
      redOf(i16x8.extend_high_i8x16_u(luma), i16x8.sub(i16x8.extend_high_i8x16_u(red), center), half));
    let g = i8x16.narrow_i16x8_u(
      greenOf(i16x8.extend_low_i8x16_u(luma), i16x8.sub(i16x8.extend_low_i8x16_u(blue), center),
        i16x8.sub(i16x8.extend_low_i8x16_u(red), center), half),
      greenOf(i16x8.extend_high_i8x16_u(luma), i16x8.sub(i16x8.extend_high_i8x16_u(blue), center),
        i16x8.sub(i16x8.extend_high_i8x16_u(red), center), half));
    let b = i8x16.narrow_i16x8_u(
      blueOf(i16x8.extend_low_i8x16_u(luma), i16x8.sub(i16x8.extend_low_i8x16_u(blue), center), half),
      blueOf(i16x8.extend_high_i8x16_u(luma), i16x8.sub(i16x8.extend_high_i8x16_u(blue), center), half));
    // Interleave with unpacks: (r,g) and (b,255) byte pairs, then pairs of pairs.
    let rgLow = i8x16.shuffle(r, g, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    let rgHigh = i8x16.shuffle(r, g, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    let baLow = i8x16.shuffle(b, alpha, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    let baHigh = i8x16.shuffle(b, alpha, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    let at = out + (<usize>x << 2);
    v128.store(at, i16x8.shuffle(rgLow, baLow, 0, 8, 1, 9, 2, 10, 3, 11));
    v128.store(at, i16x8.shuffle(rgLow, baLow, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    v128.store(at, i16x8.shuffle(rgHigh, baHigh, 0, 8, 1, 9, 2, 10, 3, 11), 32);
    v128.store(at, i16x8.shuffle(rgHigh, baHigh, 4, 12, 5, 13, 6, 14, 7, 15), 48);
  }
  for (; x < width; x++) {
    let luma = <i32>load<u8>(y + x);
    let blue = <i32>load<u8>(cb + x) - 128, red = <i32>load<u8>(cr + x) - 128;
    let r = clamp(luma + ((91881 * red + 32768) >> 16));
    let g = clamp(luma + ((-22554 * blue - 46802 * red + 32768) >> 16));
    let b = clamp(luma + ((116130 * blue + 32768) >> 16));
    store<u32>(out + (<usize>x << 2), r | (g << 8) | (b << 16) | 0xFF000000);
  }
}

/** y + ((91881 cr' + 32768) >> 16), eight lanes of 16 bits. */
// @ts-ignore: decorator
@inline function redOf(luma: v128, red: v128, half: v128): v128 {
  return i16x8.add(luma, i16x8.add(red, shiftedProduct(red, 26345, half)));
}

/** y + ((116130 cb' + 32768) >> 16). */
// @ts-ignore: decorator
@inline function blueOf(luma: v128, blue: v128, half: v128): v128 {
  return i16x8.add(luma, i16x8.add(i16x8.shl(blue, 1), shiftedProduct(blue, -14942, half)));
}

/** y + ((-22554 cb' - 46802 cr' + 32768) >> 16), the two products as one dot product. */
// @ts-ignore: decorator
@inline function greenOf(luma: v128, blue: v128, red: v128, half: v128): v128 {
  let factors = i32x4.splat((18734 << 16) | (-22554 & 0xFFFF));
  let low = i32x4.shr_s(i32x4.add(i32x4.dot_i16x8_s(i16x8.shuffle(blue, red, 0, 8, 1, 9, 2, 10, 3, 11), factors), half), 16);
  let high = i32x4.shr_s(i32x4.add(i32x4.dot_i16x8_s(i16x8.shuffle(blue, red, 4, 12, 5, 13, 6, 14, 7, 15), factors), half), 16);
  return i16x8.add(luma, i16x8.sub(i16x8.narrow_i32x4_s(low, high), red));
}

/** (value × factor + 32768) >> 16 per lane, in 32 bits, packed back to 16. */
// @ts-ignore: decorator
@inline function shiftedProduct(value: v128, factor: i16, half: v128): v128 {
  let f = i16x8.splat(factor);
  return i16x8.narrow_i32x4_s(
    i32x4.shr_s(i32x4.add(i32x4.extmul_low_i16x8_s(value, f), half), 16),
    i32x4.shr_s(i32x4.add(i32x4.extmul_high_i16x8_s(value, f), half), 16));
}

// @ts-ignore: decorator
@inline function clamp(value: i32): u32 {
  return <u32>min<i32>(max<i32>(value, 0), 255);
}

/** Three RGB rows (Adobe transform 0) to `width` RGB pixels. */
export function rgbRow(r: usize, g: usize, b: usize, out: usize, width: u32): void {
  let x: u32 = 0;
  let alpha = i8x16.splat(-1);
  for (; x + 8 <= width; x += 8) {
    let rg = i8x16.shuffle(v128.load64_zero(r + x), v128.load64_zero(g + x), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    let ba = i8x16.shuffle(v128.load64_zero(b + x), alpha, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    let at = out + (<usize>x << 2);
    v128.store(at, i8x16.shuffle(rg, ba, 0, 8, 16, 24, 1, 9, 17, 25, 2, 10, 18, 26, 3, 11, 19, 27));
    v128.store(at, i8x16.shuffle(rg, ba, 4, 12, 20, 28, 5, 13, 21, 29, 6, 14, 22, 30, 7, 15, 23, 31), 16);
  }
  for (; x < width; x++) {
    store<u32>(out + (<usize>x << 2),
      <u32>load<u8>(r + x) | (<u32>load<u8>(g + x) << 8) | (<u32>load<u8>(b + x) << 16) | 0xFF000000);
  }
}

/** Pillow's MULDIV255(a, b): a × b / 255 rounded as (t + (t >> 8)) >> 8 with t = a × b + 128. */
// @ts-ignore: decorator
@inline function mulDiv255(a: i32, b: i32): i32 {
  let t = a * b + 128;
  return (t + (t >> 8)) >> 8;
}

/**
 * Four CMYK rows to RGB pixels. The rows hold libjpeg's output for Adobe files (inverted
 * CMYK); with `ycck` the first three are YCC, which libjpeg turns into inverted CMY first.
 */
export function cmykRow(c0: usize, c1: usize, c2: usize, c3: usize, out: usize, width: u32, ycck: bool): void {
  for (let x: u32 = 0; x < width; x++) {
    let a = <i32>load<u8>(c0 + x), b = <i32>load<u8>(c1 + x), c = <i32>load<u8>(c2 + x);
    if (ycck) {
      let blue = b - 128, red = c - 128;
      let r = clamp(a + ((91881 * red + 32768) >> 16));
      let g = clamp(a + ((-22554 * blue - 46802 * red + 32768) >> 16));
      let bl = clamp(a + ((116130 * blue + 32768) >> 16));
      a = 255 - <i32>r; b = 255 - <i32>g; c = 255 - <i32>bl;
    }
    // Stored bytes are inverted ink: Pillow's "CMYK;I" gives ink = 255 - byte.
    let nk = <i32>load<u8>(c3 + x);
    let red = clamp(nk - mulDiv255(255 - a, nk));
    let green = clamp(nk - mulDiv255(255 - b, nk));
    let blue = clamp(nk - mulDiv255(255 - c, nk));
    store<u32>(out + (<usize>x << 2), red | (green << 8) | (blue << 16) | 0xFF000000);
  }
}
