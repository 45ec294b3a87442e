// Premultiplied alpha, as Pillow converts RGBA ↔ RGBa and LA ↔ La around resize and
// reduce (Convert.c: rgbA2rgba, rgba2rgbA, lA2la, la2lA).
//
//   premultiply:    c' = MULDIV255(c, a) = ((t >> 8) + t) >> 8 with t = c*a + 128
//   unpremultiply:  c' = c when a is 0 or 255, else min(255, floor(255*c / a))
//
// Every byte of a 4-byte pixel is treated the same way, so LA (L,L,L,A) needs nothing of
// its own. The premultiply fits 16-bit lanes exactly (c*a + 128 + 255 < 65536). The
// unpremultiply divides in f32: 255*c < 2^16 and a < 256, so the quotient is never within
// one f32 step of the next integer and its floor is exact.

// @ts-ignore: decorator
@lazy const ALPHA_SPREAD = i8x16(3, -1, 3, -1, 3, -1, -1, -1, 7, -1, 7, -1, 7, -1, -1, -1);
// @ts-ignore: decorator
@lazy const ALPHA_SPREAD_HIGH = i8x16(11, -1, 11, -1, 11, -1, -1, -1, 15, -1, 15, -1, 15, -1, -1, -1);

/**
 * MULDIV255 of two pixels widened to u16 lanes by their alphas (`alphas` holds a pixel's
 * alpha in its three colour lanes; its alpha lane comes out wrong and is put back by the
 * caller).
 */
// @ts-ignore: decorator
@inline function premultiplyLanes(pixels: v128, alphas: v128): v128 {
  let t = i16x8.add(i16x8.mul(pixels, alphas), i16x8.splat(128));
  return i16x8.shr_u(i16x8.add(i16x8.shr_u(t, 8), t), 8);
}

/** Premultiplies `count` 4-byte pixels from `source` into `target` (may be the same). */
export function premultiplyPixels(target: usize, source: usize, count: i32): void {
  let i = 0;
  // 4 pixels per step: widen to u16, multiply by alpha, keep the alpha bytes.
  let alphaMask = i32x4.splat(0xFF000000);
  for (; i + 4 <= count; i += 4) {
    let pixels = v128.load(source + (<usize>i << 2));
    let low = i16x8.extend_low_i8x16_u(pixels);
    let high = i16x8.extend_high_i8x16_u(pixels);
    let product = i8x16.narrow_i16x8_u(
      premultiplyLanes(low, i8x16.swizzle(pixels, ALPHA_SPREAD)),
      premultiplyLanes(high, i8x16.swizzle(pixels, ALPHA_SPREAD_HIGH)));
    v128.store(target + (<usize>i << 2), v128.bitselect(pixels, product, alphaMask));
  }
  for (; i < count; i++) {
    let p = load<u32>(source + (<usize>i << 2));
    let a = p >> 24;
    let r = muldiv255(p & 0xFF, a), g = muldiv255((p >> 8) & 0xFF, a), b = muldiv255((p >> 16) & 0xFF, a);
    store<u32>(target + (<usize>i << 2), r | (g << 8) | (b << 16) | (a << 24));
  }
}

// @ts-ignore: decorator
@inline function muldiv255(c: u32, a: u32): u32 {
  let t = c * a + 128;
  return ((t >> 8) + t) >> 8;
}

/** Unpremultiplies `count` 4-byte pixels from `source` into `target` (may be the same). */
export function unpremultiplyPixels(target: usize, source: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    let p = load<u32>(source + (<usize>i << 2));
    let a = p >> 24;
    if (a != 0 && a != 255) {
      let r = min<u32>(255, <u32>(<f32>((p & 0xFF) * 255) / <f32>a));
      let g = min<u32>(255, <u32>(<f32>(((p >> 8) & 0xFF) * 255) / <f32>a));
      let b = min<u32>(255, <u32>(<f32>(((p >> 16) & 0xFF) * 255) / <f32>a));
      p = r | (g << 8) | (b << 16) | (a << 24);
    }
    store<u32>(target + (<usize>i << 2), p);
  }
}

import { imageWidth, imageRow } from "../image/image";

/** Rows [rowStart, rowEnd) of `target` = `source` premultiplied (RGBA → RGBa, LA → La). */
export function premultiplyImage(target: usize, source: usize, rowStart: i32, rowEnd: i32): void {
  let width = imageWidth(source);
  for (let y = rowStart; y < rowEnd; y++) premultiplyPixels(imageRow(target, y), imageRow(source, y), width);
}

/** Rows [rowStart, rowEnd) of `target` = `source` unpremultiplied (RGBa → RGBA, La → LA). */
export function unpremultiplyImage(target: usize, source: usize, rowStart: i32, rowEnd: i32): void {
  let width = imageWidth(source);
  for (let y = rowStart; y < rowEnd; y++) unpremultiplyPixels(imageRow(target, y), imageRow(source, y), width);
}
