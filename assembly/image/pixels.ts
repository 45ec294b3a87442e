// Copying pixels between an image's rows and a packed buffer (1, 2, 3 or 4 bytes per
// pixel by mode, rows back to back): the one crossing between JS and the arena.

import { MODE_L, MODE_LA, MODE_RGB } from "./layout";
import { imageWidth, imageHeight, imageMode, imageRow } from "./image";

// RGB → RGBX: 4 pixels (12 bytes) to 16 bytes; lane 0xFF of the shuffle reads as zero,
// and the alpha byte is or-ed in afterwards.
// @ts-ignore: decorator
@lazy const RGB_TO_RGBX = i8x16(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1);
// @ts-ignore: decorator
@lazy const RGBX_TO_RGB = i8x16(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
// @ts-ignore: decorator
@lazy const ALPHA_BYTES = i32x4.splat(0xFF000000);

function unpackRow(mode: u32, row: usize, source: usize, width: i32): void {
  if (mode == MODE_L) { memory.copy(row, source, <usize>width); return; }
  if (mode == MODE_RGB) {
    let x = 0;
    // 16-byte loads read 4 bytes past the 12 used: stop one group early.
    for (; x + 6 <= width; x += 4) {
      let pixels = i8x16.swizzle(v128.load(source + <usize>x * 3), RGB_TO_RGBX);
      v128.store(row + (<usize>x << 2), v128.or(pixels, ALPHA_BYTES));
    }
    for (; x < width; x++) {
      let s = source + <usize>x * 3;
      store<u32>(row + (<usize>x << 2),
        <u32>load<u8>(s) | (<u32>load<u8>(s, 1) << 8) | (<u32>load<u8>(s, 2) << 16) | 0xFF000000);
    }
    return;
  }
  if (mode == MODE_LA) {
    for (let x = 0; x < width; x++) {
      let l = <u32>load<u8>(source + (<usize>x << 1));
      let a = <u32>load<u8>(source + (<usize>x << 1), 1);
      store<u32>(row + (<usize>x << 2), l * 0x010101 | (a << 24));
    }
    return;
  }
  memory.copy(row, source, <usize>width << 2);
}

function packRow(mode: u32, row: usize, target: usize, width: i32): void {
  if (mode == MODE_L) { memory.copy(target, row, <usize>width); return; }
  if (mode == MODE_RGB) {
    let x = 0;
    // Each 16-byte store writes 4 bytes past the 12 kept: stop one group early.
    for (; x + 6 <= width; x += 4) {
      v128.store(target + <usize>x * 3, i8x16.swizzle(v128.load(row + (<usize>x << 2)), RGBX_TO_RGB));
    }
    for (; x < width; x++) {
      let p = load<u32>(row + (<usize>x << 2));
      let t = target + <usize>x * 3;
      store<u8>(t, <u8>p);
      store<u8>(t, <u8>(p >> 8), 1);
      store<u8>(t, <u8>(p >> 16), 2);
    }
    return;
  }
  if (mode == MODE_LA) {
    for (let x = 0; x < width; x++) {
      let p = load<u32>(row + (<usize>x << 2));
      store<u8>(target + (<usize>x << 1), <u8>p);
      store<u8>(target + (<usize>x << 1), <u8>(p >> 24), 1);
    }
    return;
  }
  memory.copy(target, row, <usize>width << 2);
}

/** Bytes per pixel of the packed form of `mode`. */
export function packedPixelSize(mode: u32): u32 { return mode + 1; }

/** Writes every pixel of `image` from a packed buffer. */
export function imageUnpack(image: usize, source: usize): void {
  let mode = imageMode(image);
  let width = imageWidth(image);
  let height = imageHeight(image);
  let line = <usize>width * packedPixelSize(mode);
  for (let y = 0; y < height; y++) unpackRow(mode, imageRow(image, y), source + <usize>y * line, width);
}

/** Copies every pixel of `image` into a packed buffer. */
export function imagePack(image: usize, target: usize): void {
  let mode = imageMode(image);
  let width = imageWidth(image);
  let height = imageHeight(image);
  let line = <usize>width * packedPixelSize(mode);
  for (let y = 0; y < height; y++) packRow(mode, imageRow(image, y), target + <usize>y * line, width);
}
