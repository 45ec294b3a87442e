// Mode conversion between L, LA, RGB and RGBA, as Pillow's Convert.c: every ordered pair
// has a direct converter, none goes through a third mode.
//
//   L    → LA, RGB, RGBA   v,v,v,255                      (l2la, l2rgb)
//   LA   → L               L                              (la2l)
//   LA   → RGB, RGBA       L,L,L,A  (RGB keeps A as pad)  (la2rgb)
//   RGB  → L               L24                            (rgb2l)
//   RGB  → LA              L24,L24,L24,255                (rgb2la)
//   RGBA → L               L24 (alpha ignored)            (rgb2l)
//   RGBA → LA              L24,L24,L24,A                  (rgba2la)
//   RGB ↔ RGBA             r,g,b,255 (alpha dropped, no compositing)
//   same mode              a copy
//
// with the ITU-R 601-2 luma in 16.16 fixed point:
//   L24 = (r*19595 + g*38470 + b*7471 + 0x8000) >> 16      (the weights sum to 65536)
// which the SIMD paths compute in 32-bit lanes (at most 255*65536 + 0x8000 < 2^24).
//
// Every byte of the output is written, the bytes a mode does not use included (RGB pad 255,
// or A from LA as Pillow's la2rgb; LA as L,L,L,A), so output images need no zero fill.
// Rows are addressed through the row tables and only output rows [rowStart, rowEnd) are
// computed, so that a call can be split across threads by rows.

import { MODE_L, MODE_LA, MODE_RGBA } from "../image/layout";
import { imageWidth, imageRow, imageMode, imagePixelSize } from "../image/image";

const R_WEIGHT: u32 = 19595;
const G_WEIGHT: u32 = 38470;
const B_WEIGHT: u32 = 7471;
const LUMA_ROUND: u32 = 0x8000;
const ALPHA: u32 = 0xFF000000;

// L byte i of 16 to pixel bytes v,v,v,(zero: the alpha is or-ed in).
// @ts-ignore: decorator
@lazy const SPREAD_0 = i8x16(0, 0, 0, -1, 1, 1, 1, -1, 2, 2, 2, -1, 3, 3, 3, -1);
// @ts-ignore: decorator
@lazy const SPREAD_1 = i8x16(4, 4, 4, -1, 5, 5, 5, -1, 6, 6, 6, -1, 7, 7, 7, -1);
// @ts-ignore: decorator
@lazy const SPREAD_2 = i8x16(8, 8, 8, -1, 9, 9, 9, -1, 10, 10, 10, -1, 11, 11, 11, -1);
// @ts-ignore: decorator
@lazy const SPREAD_3 = i8x16(12, 12, 12, -1, 13, 13, 13, -1, 14, 14, 14, -1, 15, 15, 15, -1);
// LA pixels L,?,?,A to L,L,L,A.
// @ts-ignore: decorator
@lazy const LA_TO_RGBA = i8x16(0, 0, 0, 3, 4, 4, 4, 7, 8, 8, 8, 11, 12, 12, 12, 15);

// @ts-ignore: decorator
@inline function luma(pixel: u32): u32 {
  return ((pixel & 0xFF) * R_WEIGHT + ((pixel >> 8) & 0xFF) * G_WEIGHT + ((pixel >> 16) & 0xFF) * B_WEIGHT + LUMA_ROUND) >> 16;
}

/** L24 of four 4-byte pixels, one per 32-bit lane (0..255). */
// @ts-ignore: decorator
@inline function lumaLanes(pixels: v128): v128 {
  let byteMask = i32x4.splat(0xFF);
  let r = v128.and(pixels, byteMask);
  let g = v128.and(i32x4.shr_u(pixels, 8), byteMask);
  let b = v128.and(i32x4.shr_u(pixels, 16), byteMask);
  let sum = i32x4.add(
    i32x4.add(i32x4.mul(r, i32x4.splat(R_WEIGHT)), i32x4.mul(g, i32x4.splat(G_WEIGHT))),
    i32x4.add(i32x4.mul(b, i32x4.splat(B_WEIGHT)), i32x4.splat(LUMA_ROUND)));
  return i32x4.shr_u(sum, 16);
}

/** Sixteen 32-bit lanes holding bytes (0..255) packed into sixteen bytes, in order. */
// @ts-ignore: decorator
@inline function packLanes(a: v128, b: v128, c: v128, d: v128): v128 {
  return i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(a, b), i16x8.narrow_i32x4_u(c, d));
}

/** L → LA, RGB, RGBA: v,v,v,255. */
function spreadRow(target: usize, source: usize, width: i32): void {
  let alpha = i32x4.splat(ALPHA);
  let x = 0;
  for (; x + 16 <= width; x += 16) {
    let values = v128.load(source + <usize>x);
    let out = target + (<usize>x << 2);
    v128.store(out, v128.or(i8x16.swizzle(values, SPREAD_0), alpha));
    v128.store(out, v128.or(i8x16.swizzle(values, SPREAD_1), alpha), 16);
    v128.store(out, v128.or(i8x16.swizzle(values, SPREAD_2), alpha), 32);
    v128.store(out, v128.or(i8x16.swizzle(values, SPREAD_3), alpha), 48);
  }
  for (; x < width; x++) {
    store<u32>(target + (<usize>x << 2), <u32>load<u8>(source + <usize>x) * 0x010101 | ALPHA);
  }
}

/** LA → L: byte 0 of each pixel. */
function firstBytesRow(target: usize, source: usize, width: i32): void {
  let byteMask = i32x4.splat(0xFF);
  let x = 0;
  for (; x + 16 <= width; x += 16) {
    let input = source + (<usize>x << 2);
    v128.store(target + <usize>x, packLanes(
      v128.and(v128.load(input), byteMask), v128.and(v128.load(input, 16), byteMask),
      v128.and(v128.load(input, 32), byteMask), v128.and(v128.load(input, 48), byteMask)));
  }
  for (; x < width; x++) store<u8>(target + <usize>x, load<u8>(source + (<usize>x << 2)));
}

/** LA → RGB, RGBA: L,L,L,A. */
function laToRgbaRow(target: usize, source: usize, width: i32): void {
  let x = 0;
  for (; x + 4 <= width; x += 4) {
    let offset = <usize>x << 2;
    v128.store(target + offset, i8x16.swizzle(v128.load(source + offset), LA_TO_RGBA));
  }
  for (; x < width; x++) {
    let offset = <usize>x << 2;
    let pixel = load<u32>(source + offset);
    store<u32>(target + offset, (pixel & 0xFF) * 0x010101 | (pixel & ALPHA));
  }
}

/** RGB, RGBA → L: L24. */
function lumaRow(target: usize, source: usize, width: i32): void {
  let x = 0;
  for (; x + 16 <= width; x += 16) {
    let input = source + (<usize>x << 2);
    v128.store(target + <usize>x, packLanes(
      lumaLanes(v128.load(input)), lumaLanes(v128.load(input, 16)),
      lumaLanes(v128.load(input, 32)), lumaLanes(v128.load(input, 48))));
  }
  for (; x < width; x++) store<u8>(target + <usize>x, <u8>luma(load<u32>(source + (<usize>x << 2))));
}

/**
 * RGB, RGBA → LA: L24,L24,L24 and then 255 (`keepAlpha` false, from RGB) or the source's
 * alpha (from RGBA).
 */
function lumaAlphaRow(target: usize, source: usize, width: i32, keepAlpha: bool): void {
  let alphaMask = i32x4.splat(keepAlpha ? ALPHA : 0);
  let alphaFill = i32x4.splat(keepAlpha ? 0 : ALPHA);
  let spread = i32x4.splat(0x010101);
  let x = 0;
  for (; x + 4 <= width; x += 4) {
    let offset = <usize>x << 2;
    let pixels = v128.load(source + offset);
    let alpha = v128.or(v128.and(pixels, alphaMask), alphaFill);
    v128.store(target + offset, v128.or(i32x4.mul(lumaLanes(pixels), spread), alpha));
  }
  let scalarMask = keepAlpha ? ALPHA : 0;
  let scalarFill = keepAlpha ? 0 : ALPHA;
  for (; x < width; x++) {
    let offset = <usize>x << 2;
    let pixel = load<u32>(source + offset);
    store<u32>(target + offset, luma(pixel) * 0x010101 | (pixel & scalarMask) | scalarFill);
  }
}

/** RGB ↔ RGBA: the colour bytes, alpha (or pad) 255. */
function opaqueRow(target: usize, source: usize, width: i32): void {
  let alpha = i32x4.splat(ALPHA);
  let x = 0;
  for (; x + 4 <= width; x += 4) {
    let offset = <usize>x << 2;
    v128.store(target + offset, v128.or(v128.load(source + offset), alpha));
  }
  for (; x < width; x++) {
    let offset = <usize>x << 2;
    store<u32>(target + offset, load<u32>(source + offset) | ALPHA);
  }
}

/**
 * Output rows [rowStart, rowEnd) of `source` converted to the mode of `target` (same size;
 * the modes come from the image headers).
 */
export function convertImage(target: usize, source: usize, rowStart: i32, rowEnd: i32): void {
  let from = imageMode(source);
  let to = imageMode(target);
  let width = imageWidth(source);
  if (width == 0) return; // an empty image has no row addresses to follow
  for (let y = rowStart; y < rowEnd; y++) {
    let out = imageRow(target, y);
    let row = imageRow(source, y);
    if (from == to) {
      memory.copy(out, row, <usize>(width * imagePixelSize(source)));
    } else if (from == MODE_L) {
      spreadRow(out, row, width);
    } else if (from == MODE_LA) {
      if (to == MODE_L) firstBytesRow(out, row, width);
      else laToRgbaRow(out, row, width);
    } else if (to == MODE_L) {
      lumaRow(out, row, width);
    } else if (to == MODE_LA) {
      lumaAlphaRow(out, row, width, from == MODE_RGBA);
    } else {
      opaqueRow(out, row, width);
    }
  }
}

