// Geometry without resampling: transpose (Pillow's seven methods), crop (outside the
// source is zero, as Pillow), and copy. Whole pixels move unchanged.
//
// Like every kernel, these trust their arguments (the TypeScript edge checks them), read
// and write rows only through the row tables, and compute only output rows
// [rowStart, rowEnd), so that a pool can split one call across threads by rows.

import { imageWidth, imageHeight, imageRow, imagePixelSize } from "../image/image";

export const FLIP_LEFT_RIGHT: u32 = 0;
export const FLIP_TOP_BOTTOM: u32 = 1;
export const ROTATE_90: u32 = 2;
export const ROTATE_180: u32 = 3;
export const ROTATE_270: u32 = 4;
export const TRANSPOSE: u32 = 5;
export const TRANSVERSE: u32 = 6;

/** Side of the square tiles the axis-swapping methods walk, so both images stay in cache. */
const TILE: i32 = 32;

// Reverses the order of four 4-byte pixels.
// @ts-ignore: decorator
@lazy const REVERSE_PIXELS = i8x16(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
// Reverses sixteen bytes.
// @ts-ignore: decorator
@lazy const REVERSE_BYTES = i8x16(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);

/** Row `y` of `target` = row `y` of `source` read right to left. */
function mirrorRow(target: usize, source: usize, width: i32, pixelSize: i32): void {
  let bytes = width * pixelSize;
  let x = 0;
  // 16 bytes from the end of the source go to the start of the target, reversed.
  let pattern = pixelSize == 4 ? REVERSE_PIXELS : REVERSE_BYTES;
  for (; x + 16 <= bytes; x += 16) {
    v128.store(target + <usize>x, i8x16.swizzle(v128.load(source + <usize>(bytes - x - 16)), pattern));
  }
  if (pixelSize == 4) {
    for (; x < bytes; x += 4) store<u32>(target + <usize>x, load<u32>(source + <usize>(bytes - x - 4)));
  } else {
    for (; x < bytes; x++) store<u8>(target + <usize>x, load<u8>(source + <usize>(bytes - x - 1)));
  }
}

/**
 * Output rows [rowStart, rowEnd) of `method` applied to `source`; `target` has the output
 * size (w×h, or h×w for the methods that swap axes).
 */
export function transposeImage(target: usize, source: usize, method: u32, rowStart: i32, rowEnd: i32): void {
  let width = imageWidth(source);
  let height = imageHeight(source);
  let pixelSize = imagePixelSize(source);
  let lineBytes = <usize>(imageWidth(target) * pixelSize);
  if (method == FLIP_LEFT_RIGHT || method == FLIP_TOP_BOTTOM || method == ROTATE_180) {
    for (let y = rowStart; y < rowEnd; y++) {
      let row = imageRow(target, y);
      if (method == FLIP_LEFT_RIGHT) mirrorRow(row, imageRow(source, y), width, pixelSize);
      else if (method == FLIP_TOP_BOTTOM) memory.copy(row, imageRow(source, height - 1 - y), lineBytes);
      else mirrorRow(row, imageRow(source, height - 1 - y), width, pixelSize);
    }
    return;
  }
  // The output is h×w: output (x, y) reads source (sx, sy), one of:
  //   rotate90   in(w-1-y, x)    rotate270  in(y, h-1-x)
  //   transpose  in(y, x)        transverse in(w-1-y, h-1-x)
  let outWidth = imageWidth(target);
  let swapColumn = method == ROTATE_90 || method == TRANSVERSE;  // sx = w-1-y, else sx = y
  let swapRow = method == ROTATE_270 || method == TRANSVERSE;    // sy = h-1-x, else sy = x
  for (let ty = rowStart; ty < rowEnd; ty += TILE) {
    let yEnd = min(ty + TILE, rowEnd);
    for (let tx = 0; tx < outWidth; tx += TILE) {
      let xEnd = min(tx + TILE, outWidth);
      for (let y = ty; y < yEnd; y++) {
        let row = imageRow(target, y);
        let sx = <usize>(swapColumn ? width - 1 - y : y);
        if (pixelSize == 4) {
          for (let x = tx; x < xEnd; x++) {
            let sy = swapRow ? height - 1 - x : x;
            store<u32>(row + (<usize>x << 2), load<u32>(imageRow(source, sy) + (sx << 2)));
          }
        } else {
          for (let x = tx; x < xEnd; x++) {
            let sy = swapRow ? height - 1 - x : x;
            store<u8>(row + <usize>x, load<u8>(imageRow(source, sy) + sx));
          }
        }
      }
    }
  }
}

/**
 * Output rows [rowStart, rowEnd) of the crop of `source` at (left, top) with the size of
 * `target`; pixels outside the source are zero (every byte, alpha included).
 */
export function cropImage(target: usize, source: usize, left: i32, top: i32, rowStart: i32, rowEnd: i32): void {
  let width = imageWidth(source);
  let height = imageHeight(source);
  let pixelSize = imagePixelSize(source);
  let outWidth = imageWidth(target);
  // The columns that overlap the source, in output coordinates: [x0, x1).
  let x0 = min(max(-left, 0), outWidth);
  let x1 = max(min(width - left, outWidth), x0);
  for (let y = rowStart; y < rowEnd; y++) {
    let row = imageRow(target, y);
    let sy = top + y;
    if (sy < 0 || sy >= height || x0 == x1) {
      memory.fill(row, 0, <usize>(outWidth * pixelSize));
      continue;
    }
    if (x0 > 0) memory.fill(row, 0, <usize>(x0 * pixelSize));
    memory.copy(row + <usize>(x0 * pixelSize), imageRow(source, sy) + <usize>((left + x0) * pixelSize), <usize>((x1 - x0) * pixelSize));
    if (x1 < outWidth) memory.fill(row + <usize>(x1 * pixelSize), 0, <usize>((outWidth - x1) * pixelSize));
  }
}
