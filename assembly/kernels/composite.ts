// Alpha compositing, pasting and filling, as Pillow 9.4 computes them (AlphaComposite.c,
// Paste.c, and the mode conversions of Convert.c that Image.paste applies to a source of
// another mode).
//
// Each kernel writes rows [rowStart, rowEnd) of `target`: a copy of the same rows of
// `base` (an image of the same mode and size), then changed inside the region the caller
// has already clipped: `width` × `height` pixels at (dx, dy) in the target, read from
// (sx, sy) in the source and the mask. A pool can split one call across threads by rows.
//
// Integer helpers (ImagingUtils.h), exact in u16 lanes because every intermediate stays
// below 2^16:
//
//   SHIFTFORDIV255(a) = ((a >> 8) + a) >> 8
//   BLEND(m, a, b)    = SHIFTFORDIV255(a * (255 - m) + b * m + 128)   a*(255-m) + b*m <= 65025
//
// Paste and fill blend every byte of a pixel with the mask, the alpha byte included:
// they are not "over" operators.

import { OK } from "../alloc/layout";
import { lastError } from "../alloc/state";
import { scratchAllocate, scratchRelease } from "../alloc/arena";
import { MODE_L, MODE_LA, MODE_RGB, MODE_RGBA } from "../image/layout";
import { imageWidth, imageRow, imageMode, imagePixelSize } from "../image/image";

/**
 * Row `from` of the base into row `row` of the target, except the region's bytes [start,
 * end) of a row `inside` it: the kernels write those, reading them from the base. Nothing
 * when the target is the base.
 */
// @ts-ignore: decorator
@inline function copyOutside(row: usize, from: usize, lineBytes: usize, start: usize, end: usize, inside: bool): void {
  if (row == from) return;
  if (!inside) { memory.copy(row, from, lineBytes); return; }
  if (start > 0) memory.copy(row, from, start);
  if (end < lineBytes) memory.copy(row + end, from + end, lineBytes - end);
}

// ── alpha composite ───────────────────────────────────────────────────────────────
//
// Per pixel, d = destination (background), s = source (overlay), both RGBA:
//
//   s.a == 0:  out = d
//   else:      blend   = d.a * (255 - s.a)
//              outa255 = s.a * 255 + blend
//              coef1   = floor(s.a * 255 * 255 * 128 / outa255)      (< 2^31)
//              coef2   = 255 * 128 - coef1
//              out.c   = SHIFTFORDIV255(s.c * coef1 + d.c * coef2 + (0x80 << 7)) >> 7
//              out.a   = SHIFTFORDIV255(outa255 + 0x80)
//
// The SIMD path divides in f64: numerator N < 2^31 and divisor D <= 65025 convert exactly
// (as signed i32), and
// when N/D is not an integer it lies at least 1/D below the next one, a relative gap of
// at least 1/N > 2^-31, far above f64's rounding (2^-53); so the rounded quotient never
// reaches the next integer and truncating it gives floor(N / D) exactly.
// s.c * coef1 + d.c * coef2 is one i32x4.dot_i16x8_s over (s.c, d.c) and (coef1, coef2)
// pairs: all four fit in i16 (coef1, coef2 <= 32640).

const COEF_SCALE: i32 = 255 * 255 * 128;
const COEF_SUM: i32 = 255 * 128;

// @ts-ignore: decorator
@lazy const ALPHA_LANES = i32x4.splat(0xFF000000);

// (s, d) byte pairs of pixels 0 and 1, and of pixels 2 and 3.
// @ts-ignore: decorator
@inline function pairsLow(s: v128, d: v128): v128 {
  return i8x16.shuffle(s, d, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}
// @ts-ignore: decorator
@inline function pairsHigh(s: v128, d: v128): v128 {
  return i8x16.shuffle(s, d, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
}

// @ts-ignore: decorator
@inline function shiftForDiv255(t: v128): v128 {
  return i32x4.shr_u(i32x4.add(i32x4.shr_u(t, 8), t), 8);
}

// SHIFTFORDIV255(t) >> 7, the two shifts in one.
// @ts-ignore: decorator
@inline function compositeChannels(pairs: v128, coefficients: v128): v128 {
  let t = i32x4.add(i32x4.dot_i16x8_s(pairs, coefficients), i32x4.splat(0x80 << 7));
  return i32x4.shr_u(i32x4.add(i32x4.shr_u(t, 8), t), 15);
}

function compositePixel(d: u32, s: u32): u32 {
  let sa = s >> 24;
  if (sa == 0) return d;
  let da = d >> 24;
  let outa255 = sa * 255 + da * (255 - sa);
  let coef1 = sa * <u32>COEF_SCALE / outa255;
  let coef2 = <u32>COEF_SUM - coef1;
  let out: u32 = 0;
  for (let shift: u32 = 0; shift < 24; shift += 8) {
    let t = ((s >> shift) & 0xFF) * coef1 + ((d >> shift) & 0xFF) * coef2 + (0x80 << 7);
    out |= ((((t >> 8) + t) >> 8) >> 7) << shift;
  }
  let a = outa255 + 0x80;
  return out | ((((a >> 8) + a) >> 8) << 24);
}

/** `count` pixels of `destination` composited with `source`, into `target` (may be `destination`). */
function compositePixels(target: usize, destination: usize, source: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    let at = <usize>i << 2;
    let d = v128.load(destination + at);
    let s = v128.load(source + at);
    let sa = i32x4.shr_u(s, 24);
    let da = i32x4.shr_u(d, 24);
    let outa255 = i32x4.add(i32x4.mul(sa, i32x4.splat(255)), i32x4.mul(da, i32x4.sub(i32x4.splat(255), sa)));
    let numerator = i32x4.mul(sa, i32x4.splat(COEF_SCALE));
    // 0 / 0 (both alphas zero) is NaN and saturates to 0; those pixels keep d below.
    let q01 = f64x2.div(f64x2.convert_low_i32x4_s(numerator), f64x2.convert_low_i32x4_s(outa255));
    let q23 = f64x2.div(
      f64x2.convert_low_i32x4_s(i32x4.shuffle(numerator, numerator, 2, 3, 2, 3)),
      f64x2.convert_low_i32x4_s(i32x4.shuffle(outa255, outa255, 2, 3, 2, 3)));
    let coef1 = i32x4.shuffle(i32x4.trunc_sat_f64x2_s_zero(q01), i32x4.trunc_sat_f64x2_s_zero(q23), 0, 1, 4, 5);
    let coefficients = v128.or(coef1, i32x4.shl(i32x4.sub(i32x4.splat(COEF_SUM), coef1), 16));
    let low = pairsLow(s, d);
    let high = pairsHigh(s, d);
    let c0 = compositeChannels(i16x8.extend_low_i8x16_u(low), i32x4.shuffle(coefficients, coefficients, 0, 0, 0, 0));
    let c1 = compositeChannels(i16x8.extend_high_i8x16_u(low), i32x4.shuffle(coefficients, coefficients, 1, 1, 1, 1));
    let c2 = compositeChannels(i16x8.extend_low_i8x16_u(high), i32x4.shuffle(coefficients, coefficients, 2, 2, 2, 2));
    let c3 = compositeChannels(i16x8.extend_high_i8x16_u(high), i32x4.shuffle(coefficients, coefficients, 3, 3, 3, 3));
    let colours = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(c0, c1), i16x8.narrow_i32x4_u(c2, c3));
    let alphas = i32x4.shl(shiftForDiv255(i32x4.add(outa255, i32x4.splat(0x80))), 24);
    let out = v128.bitselect(alphas, colours, ALPHA_LANES);
    v128.store(target + at, v128.bitselect(d, out, i32x4.eq(sa, i32x4.splat(0))));
  }
  for (; i < count; i++) {
    let at = <usize>i << 2;
    store<u32>(target + at, compositePixel(load<u32>(destination + at), load<u32>(source + at)));
  }
}

/**
 * Rows [rowStart, rowEnd) of `target` = `base` (RGBA) with `overlay` composited over the
 * region: target (dx + i, dy + j) from base (dx + i, dy + j) and overlay (sx + i, sy + j).
 */
export function alphaCompositeImage(target: usize, base: usize, overlay: usize, dx: i32, dy: i32, sx: i32, sy: i32,
  width: i32, height: i32, rowStart: i32, rowEnd: i32): void {
  let lineBytes = <usize>imageWidth(base) << 2;
  let start = <usize>dx << 2;
  let end = start + (<usize>max(width, 0) << 2);
  for (let y = rowStart; y < rowEnd; y++) {
    let row = imageRow(target, y), from = imageRow(base, y);
    let inside = y >= dy && y < dy + height && width > 0;
    copyOutside(row, from, lineBytes, start, end, inside);
    if (inside) compositePixels(row + start, from + start, imageRow(overlay, sy + y - dy) + (<usize>sx << 2), width);
  }
}

// ── blending with a mask ──────────────────────────────────────────────────────────

// Mask bytes spread over the four bytes of their pixel: from an L mask (4 bytes), and
// from the alpha bytes of an LA or RGBA mask (16 bytes).
// @ts-ignore: decorator
@lazy const SPREAD_L = i8x16(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
// @ts-ignore: decorator
@lazy const SPREAD_ALPHA = i8x16(3, 3, 3, 3, 7, 7, 7, 7, 11, 11, 11, 11, 15, 15, 15, 15);
// The alpha bytes of four 4-byte pixels gathered into lanes 0..3.
// @ts-ignore: decorator
@lazy const GATHER_ALPHA = i8x16(3, 7, 11, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);

// @ts-ignore: decorator
@inline function blendHalf(a: v128, b: v128): v128 {
  let t = i16x8.add(a, b);
  t = i16x8.add(t, i16x8.splat(128));
  return i16x8.shr_u(i16x8.add(i16x8.shr_u(t, 8), t), 8);
}

/** BLEND(m, a, b) on sixteen bytes. */
// @ts-ignore: decorator
@inline function blendBytes(m: v128, a: v128, b: v128): v128 {
  let inverse = v128.not(m); // 255 - m
  let low = blendHalf(i16x8.extmul_low_i8x16_u(a, inverse), i16x8.extmul_low_i8x16_u(b, m));
  let high = blendHalf(i16x8.extmul_high_i8x16_u(a, inverse), i16x8.extmul_high_i8x16_u(b, m));
  return i8x16.narrow_i16x8_u(low, high);
}

// @ts-ignore: decorator
@inline function blend(m: u32, a: u32, b: u32): u32 {
  let t = a * (255 - m) + b * m + 128;
  return ((t >> 8) + t) >> 8;
}

/** BLEND of every byte of a 4-byte pixel, scalar (tails). */
// @ts-ignore: decorator
@inline function blendPixel(m: u32, a: u32, b: u32): u32 {
  return blend(m, a & 0xFF, b & 0xFF) | (blend(m, (a >> 8) & 0xFF, (b >> 8) & 0xFF) << 8)
    | (blend(m, (a >> 16) & 0xFF, (b >> 16) & 0xFF) << 16) | (blend(m, a >> 24, b >> 24) << 24);
}

/** Sixteen mask values (one per 1-byte pixel) from 16 pixels of a 4-byte mask. */
// @ts-ignore: decorator
@inline function maskAlphas16(mask: usize): v128 {
  let a = i8x16.swizzle(v128.load(mask), GATHER_ALPHA);
  let b = i8x16.swizzle(v128.load(mask, 16), GATHER_ALPHA);
  let c = i8x16.swizzle(v128.load(mask, 32), GATHER_ALPHA);
  let d = i8x16.swizzle(v128.load(mask, 48), GATHER_ALPHA);
  return i32x4.shuffle(i32x4.shuffle(a, b, 0, 4, 0, 4), i32x4.shuffle(c, d, 0, 4, 0, 4), 0, 1, 4, 5);
}

/**
 * `out` = BLEND(mask, destination, source) over `count` pixels of `pixelSize` bytes (`out`
 * may be `destination`); the mask is L (`maskStep` 1: its byte) or LA/RGBA (`maskStep` 4:
 * its alpha byte).
 */
function pasteMasked(out: usize, destination: usize, source: usize, mask: usize, maskStep: i32, count: i32, pixelSize: i32): void {
  let i = 0;
  if (pixelSize == 4) {
    for (; i + 4 <= count; i += 4) {
      let at = <usize>i << 2;
      let m = maskStep == 1
        ? i8x16.swizzle(v128.load32_zero(mask + <usize>i), SPREAD_L)
        : i8x16.swizzle(v128.load(mask + at), SPREAD_ALPHA);
      v128.store(out + at, blendBytes(m, v128.load(destination + at), v128.load(source + at)));
    }
    for (; i < count; i++) {
      let at = <usize>i << 2;
      let m = <u32>load<u8>(mask + <usize>(i * maskStep) + (maskStep == 1 ? 0 : 3));
      store<u32>(out + at, blendPixel(m, load<u32>(destination + at), load<u32>(source + at)));
    }
    return;
  }
  for (; i + 16 <= count; i += 16) {
    let m = maskStep == 1 ? v128.load(mask + <usize>i) : maskAlphas16(mask + (<usize>i << 2));
    v128.store(out + <usize>i, blendBytes(m, v128.load(destination + <usize>i), v128.load(source + <usize>i)));
  }
  for (; i < count; i++) {
    let m = <u32>load<u8>(mask + <usize>(i * maskStep) + (maskStep == 1 ? 0 : 3));
    store<u8>(out + <usize>i, <u8>blend(m, load<u8>(destination + <usize>i), load<u8>(source + <usize>i)));
  }
}

// ── source conversion ─────────────────────────────────────────────────────────────
//
// Image.paste converts a source of another mode with convert(target mode) first, except
// that RGBA and LA sources go into RGB unconverted (the 4-byte pixels are copied as
// stored; RGB keeps R,G,B of RGBA, and L,L,L of LA). The conversions (Convert.c), per
// pixel:
//
//   L    → LA, RGB, RGBA   v, v, v, 255
//   LA   → L               L
//   LA   → RGB, RGBA       L, L, L, A          (also the unconverted LA → RGB)
//   RGB  → L               L24
//   RGB  → LA              L24, L24, L24, 255
//   RGB  → RGBA            r, g, b, 255
//   RGBA → L               L24                 (alpha ignored)
//   RGBA → LA              L24, L24, L24, A
//   RGBA → RGB             copied as stored
//
//   L24 = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16

// @ts-ignore: decorator
@inline function luma(p: u32): u32 {
  return ((p & 0xFF) * 19595 + ((p >> 8) & 0xFF) * 38470 + ((p >> 16) & 0xFF) * 7471 + 0x8000) >> 16;
}

/** Does pasting a `from` source into a `to` image need a converted copy of the source? */
// @ts-ignore: decorator
@inline function needsConversion(from: u32, to: u32): bool {
  return from != to && !(to == MODE_RGB && from == MODE_RGBA);
}

/** `count` pixels of mode `from` at `source`, as mode `to` at `target`. */
function convertPixels(target: usize, source: usize, from: u32, to: u32, count: i32): void {
  for (let i = 0; i < count; i++) {
    if (from == MODE_L) {
      store<u32>(target + (<usize>i << 2), <u32>load<u8>(source + <usize>i) * 0x010101 | 0xFF000000);
      continue;
    }
    let p = load<u32>(source + (<usize>i << 2));
    if (to == MODE_L) {
      store<u8>(target + <usize>i, <u8>(from == MODE_LA ? p & 0xFF : luma(p)));
    } else if (from == MODE_LA) {
      store<u32>(target + (<usize>i << 2), (p & 0xFF) * 0x010101 | (p & 0xFF000000));
    } else if (to == MODE_LA) {
      store<u32>(target + (<usize>i << 2), luma(p) * 0x010101 | (from == MODE_RGB ? 0xFF000000 : p & 0xFF000000));
    } else {
      store<u32>(target + (<usize>i << 2), p | 0xFF000000); // RGB → RGBA
    }
  }
}

/**
 * Rows [rowStart, rowEnd) of `target` = `base` with `source` pasted into the region,
 * through `mask` when it is not 0 (L, LA or RGBA). A source of another mode is converted
 * as Image.paste converts it. Returns OK, or the error of a failed scratch allocation.
 */
export function pasteImage(target: usize, base: usize, source: usize, mask: usize, dx: i32, dy: i32, sx: i32, sy: i32,
  width: i32, height: i32, rowStart: i32, rowEnd: i32): i32 {
  let mode = imageMode(base);
  let pixelSize = imagePixelSize(base);
  let sourceMode = imageMode(source);
  let sourceSize = imagePixelSize(source);
  let lineBytes = <usize>imageWidth(base) * pixelSize;
  let maskStep = mask == 0 ? 0 : imagePixelSize(mask);
  let line: usize = 0;
  if (width > 0 && needsConversion(sourceMode, mode)) {
    line = scratchAllocate(<usize>width * pixelSize);
    if (line == 0) return lastError();
  }
  let start = <usize>(dx * pixelSize);
  let end = start + <usize>(max(width, 0) * pixelSize);
  for (let y = rowStart; y < rowEnd; y++) {
    let row = imageRow(target, y), under = imageRow(base, y);
    let inside = y >= dy && y < dy + height && width > 0;
    copyOutside(row, under, lineBytes, start, end, inside);
    if (!inside) continue;
    let from = imageRow(source, sy + y - dy) + <usize>(sx * sourceSize);
    if (line != 0) {
      convertPixels(line, from, sourceMode, mode, width);
      from = line;
    }
    if (mask == 0) memory.copy(row + start, from, end - start);
    else pasteMasked(row + start, under + start, from, imageRow(mask, sy + y - dy) + <usize>(sx * maskStep), maskStep, width, pixelSize);
  }
  if (line != 0) scratchRelease(line);
  return OK;
}

// ── fill ──────────────────────────────────────────────────────────────────────────
//
// A colour is 4 ink bytes (L: the value in byte 0). Without a mask the region gets the
// ink; through an RGBA mask every byte is BLEND(mask alpha, out, ink); through an L mask
// an L image blends its byte, and a 4-byte image blends every byte with the mask except
// that in LA and RGBA images the colour bytes of a pixel whose alpha is 0 take the mask
// 255 wherever the mask is not 0 (Paste.c fill_mask_L: 255 - (255 - m) * (1 - (255 -
// out.a) / 255) in integers), so they get the ink colour outright.

// @ts-ignore: decorator
@lazy const COLOUR_LANES = i32x4.splat(0x00FFFFFF);

/**
 * `out` = BLEND(m, destination, ink) over `count` pixels (`out` may be `destination`),
 * with the fill_mask_L rule for LA and RGBA (`alphaChannel`).
 */
function fillMaskedL(out: usize, destination: usize, ink: u32, mask: usize, count: i32, pixelSize: i32, alphaChannel: bool): void {
  let i = 0;
  if (pixelSize == 1) {
    let inks = i8x16.splat(<u8>ink);
    for (; i + 16 <= count; i += 16) {
      v128.store(out + <usize>i, blendBytes(v128.load(mask + <usize>i), v128.load(destination + <usize>i), inks));
    }
    for (; i < count; i++) {
      store<u8>(out + <usize>i, <u8>blend(load<u8>(mask + <usize>i), load<u8>(destination + <usize>i), ink & 0xFF));
    }
    return;
  }
  let inks = i32x4.splat(<i32>ink);
  for (; i + 4 <= count; i += 4) {
    let at = <usize>i << 2;
    let pixels = v128.load(destination + at);
    let m = i8x16.swizzle(v128.load32_zero(mask + <usize>i), SPREAD_L);
    if (alphaChannel) {
      let transparent = i32x4.eq(v128.and(pixels, ALPHA_LANES), i32x4.splat(0));
      let full = v128.and(v128.and(transparent, v128.not(i8x16.eq(m, i8x16.splat(0)))), COLOUR_LANES);
      m = v128.or(m, full);
    }
    v128.store(out + at, blendBytes(m, pixels, inks));
  }
  for (; i < count; i++) {
    let at = <usize>i << 2;
    let p = load<u32>(destination + at);
    let m = <u32>load<u8>(mask + <usize>i);
    let colourMask = alphaChannel && m != 0 && (p >> 24) == 0 ? 255 : m;
    let colour = blendPixel(colourMask, p, ink) & 0x00FFFFFF;
    store<u32>(out + at, colour | (blend(m, p >> 24, ink >> 24) << 24));
  }
}

/** `out` = BLEND(mask alpha, destination, ink) over `count` pixels (every byte of a pixel). */
function fillMaskedAlpha(out: usize, destination: usize, ink: u32, mask: usize, count: i32, pixelSize: i32): void {
  let i = 0;
  if (pixelSize == 4) {
    let inks = i32x4.splat(<i32>ink);
    for (; i + 4 <= count; i += 4) {
      let at = <usize>i << 2;
      let m = i8x16.swizzle(v128.load(mask + at), SPREAD_ALPHA);
      v128.store(out + at, blendBytes(m, v128.load(destination + at), inks));
    }
    for (; i < count; i++) {
      let at = <usize>i << 2;
      store<u32>(out + at, blendPixel(load<u32>(mask + at) >> 24, load<u32>(destination + at), ink));
    }
    return;
  }
  let inks = i8x16.splat(<u8>ink);
  for (; i + 16 <= count; i += 16) {
    v128.store(out + <usize>i, blendBytes(maskAlphas16(mask + (<usize>i << 2)), v128.load(destination + <usize>i), inks));
  }
  for (; i < count; i++) {
    let m = load<u32>(mask + (<usize>i << 2)) >> 24;
    store<u8>(out + <usize>i, <u8>blend(m, load<u8>(destination + <usize>i), ink & 0xFF));
  }
}

/**
 * Rows [rowStart, rowEnd) of `target` = `base` with the region filled with `ink` (the 4
 * ink bytes, byte 0 lowest), through `mask` when it is not 0 (L or RGBA).
 */
export function fillImage(target: usize, base: usize, ink: u32, mask: usize, dx: i32, dy: i32, sx: i32, sy: i32,
  width: i32, height: i32, rowStart: i32, rowEnd: i32): void {
  let mode = imageMode(base);
  let pixelSize = imagePixelSize(base);
  let lineBytes = <usize>imageWidth(base) * pixelSize;
  let maskStep = mask == 0 ? 0 : imagePixelSize(mask);
  let alphaChannel = mode == MODE_LA || mode == MODE_RGBA;
  let inks = i32x4.splat(<i32>ink);
  let start = <usize>(dx * pixelSize);
  let end = start + <usize>(max(width, 0) * pixelSize);
  for (let y = rowStart; y < rowEnd; y++) {
    let row = imageRow(target, y), under = imageRow(base, y);
    let inside = y >= dy && y < dy + height && width > 0;
    copyOutside(row, under, lineBytes, start, end, inside);
    if (!inside) continue;
    let out = row + start;
    if (mask == 0) {
      if (pixelSize == 1) { memory.fill(out, <u8>ink, <usize>width); continue; }
      let x = 0;
      for (; x + 4 <= width; x += 4) v128.store(out + (<usize>x << 2), inks);
      for (; x < width; x++) store<u32>(out + (<usize>x << 2), ink);
      continue;
    }
    let maskRow = imageRow(mask, sy + y - dy) + <usize>(sx * maskStep);
    if (maskStep == 1) fillMaskedL(out, under + start, ink, maskRow, width, pixelSize, alphaChannel);
    else fillMaskedAlpha(out, under + start, ink, maskRow, width, pixelSize);
  }
}
