// PNG encoding from an arena image: L → gray 8, LA → gray+alpha 8, RGB → RGB 8, RGBA →
// RGBA 8, not interlaced. Each row is packed from the image's layout into a working row,
// filtered (one filter for all rows, or per row the adaptive choice of libpng and Pillow)
// and handed to the deflate stream, which cuts its output into IDAT chunks. Memory beyond
// the image is the compressor's working set, two packed rows and the growing output.
//
//   work + 0            deflate working memory
//   rowA, rowB          16 zero bytes, then a packed row (+ 16 slack): this row, the one above
//   filteredRow         filter type byte + filtered row (+ 16 slack)

import { ERR_ARENA_FULL, ERR_UNSUPPORTED, OK, RESULT_SIZE } from "../../alloc/layout";
import { fail, lastError, setResult } from "../../alloc/state";
import { scratchAllocate, scratchRelease } from "../../alloc/arena";
import { imageWidth, imageHeight, imageMode, imageRow } from "../../image/image";
import { MODE_L, MODE_LA, MODE_RGB } from "../../image/layout";
import { crcBitwise } from "../deflate/crc32";
import {
  DEFLATE_WORK_BYTES, deflateBegin, deflateReserve, deflateCursor, deflateAdvance, deflateZlibHeader,
  deflateWrite, deflateFinish, deflateDiscard, deflateOutput, deflateOutputLength, deflateFailed, idatOpen
} from "../deflate/deflate";
import { filterRow, filterChoose } from "./filters";
import { COLOR_GRAY, COLOR_GRAY_ALPHA, COLOR_RGB, COLOR_RGBA, CHUNK_IHDR, CHUNK_IEND } from "./header";

/** `filter` 5: the adaptive choice per row. */
const FILTER_ADAPTIVE: u32 = 5;
const ROW_PAD: usize = 16;

// R,G,B,x pixels to packed RGB (12 bytes of 16); L,L,L,A to L,A (8 of 16).
// @ts-ignore: decorator
@lazy const RGB_PACK = i8x16(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
// @ts-ignore: decorator
@lazy const LA_PACK = i8x16(0, 3, 4, 7, 8, 11, 12, 15, -1, -1, -1, -1, -1, -1, -1, -1);

/** `encode` for PNG: `level` 0..9, `filter` 0..4 for one filter everywhere, 5 adaptive. */
export function pngEncode(image: usize, level: i32, filter: i32): usize {
  let width = <u32>imageWidth(image), height = <u32>imageHeight(image), mode = imageMode(image);
  if (width == 0 || height == 0) { fail(ERR_UNSUPPORTED); return 0; }
  let channels: u32 = mode + 1;
  let rowBytes = <usize>width * <usize>channels;
  let rowSpace = (ROW_PAD + rowBytes + 16 + 15) & ~15;
  let work = scratchAllocate(DEFLATE_WORK_BYTES + 3 * rowSpace);
  if (work == 0) return 0;
  let raw = <u64>(rowBytes + 1) * <u64>height;
  // level 0 never grows; others start at a quarter of the raw size
  let guess = level == 0 ? raw + raw / 2048 + 4096 : raw / 4 + 65536;
  if (guess > 0x40000000) guess = 0x40000000;
  if (!deflateBegin(work, <u32>level, <usize>guess, true)) {
    let error = lastError();
    scratchRelease(work);
    fail(error);
    return 0;
  }
  let status = rowsWrite(image, work + DEFLATE_WORK_BYTES, rowSpace, width, height, mode, channels, rowBytes, <u32>filter);
  scratchRelease(work);
  if (status != OK) {
    deflateDiscard();
    fail(status);
    return 0;
  }
  setResult(RESULT_SIZE, <u32>deflateOutputLength());
  return deflateOutput();
}

function rowsWrite(image: usize, rows: usize, rowSpace: usize, width: u32, height: u32, mode: u32,
  channels: u32, rowBytes: usize, filter: u32): i32 {
  if (!deflateReserve(8 + 25 + 8 + 2)) return failure();
  let at = deflateCursor();
  store<u64>(at, 0x0A1A0A0D474E5089);
  let color = mode == MODE_L ? COLOR_GRAY : mode == MODE_LA ? COLOR_GRAY_ALPHA : mode == MODE_RGB ? COLOR_RGB : COLOR_RGBA;
  let ihdr = at + 8;
  store<u32>(ihdr, bswap<u32>(13));
  store<u32>(ihdr + 4, bswap<u32>(CHUNK_IHDR));
  store<u32>(ihdr + 8, bswap<u32>(width));
  store<u32>(ihdr + 12, bswap<u32>(height));
  store<u8>(ihdr + 16, 8);
  store<u8>(ihdr + 17, <u8>color);
  store<u8>(ihdr + 18, 0);
  store<u8>(ihdr + 19, 0);
  store<u8>(ihdr + 20, 0);
  store<u32>(ihdr + 21, bswap<u32>(crcBitwise(ihdr + 4, 17)));
  deflateAdvance(33);
  idatOpen();
  if (!deflateZlibHeader()) return failure();

  memory.fill(rows, 0, 3 * rowSpace);
  let current = rows + ROW_PAD, prior = current + rowSpace, filtered = prior + rowSpace;
  let zero = prior;
  let bpp = <usize>channels;
  for (let y: i32 = 0; y < <i32>height; y++) {
    rowPack(current, imageRow(image, y), width, mode);
    let type = filter < FILTER_ADAPTIVE ? filter : filterChoose(current, y == 0 ? zero : prior, rowBytes, bpp);
    filterRow(type, filtered, current, y == 0 ? zero : prior, rowBytes, bpp);
    if (!deflateWrite(filtered, rowBytes + 1)) return failure();
    let swap = prior;
    prior = current;
    current = swap;
  }
  if (!deflateFinish()) return failure();
  if (!deflateReserve(12)) return failure();
  let end = deflateCursor();
  store<u32>(end, 0);
  store<u32>(end + 4, bswap<u32>(CHUNK_IEND));
  store<u32>(end + 8, bswap<u32>(crcBitwise(end + 4, 4)));
  deflateAdvance(12);
  return OK;
}

function failure(): i32 {
  let error = deflateFailed();
  return error != 0 ? error : ERR_ARENA_FULL;
}

/** Packs an image row into PNG sample order. */
function rowPack(target: usize, source: usize, width: u32, mode: u32): void {
  let n = <usize>width;
  if (mode == MODE_L) {
    memory.copy(target, source, n);
  } else if (mode == MODE_RGB) {
    let x: usize = 0;
    for (; x + 4 <= n; x += 4) v128.store(target + x * 3, i8x16.swizzle(v128.load(source + (x << 2)), RGB_PACK));
    for (; x < n; x++) {
      let p = load<u32>(source + (x << 2));
      store<u16>(target + x * 3, <u16>p);
      store<u8>(target + x * 3 + 2, <u8>(p >> 16));
    }
  } else if (mode == MODE_LA) {
    let x: usize = 0;
    for (; x + 4 <= n; x += 4) v128.store64_lane(target + (x << 1), i8x16.swizzle(v128.load(source + (x << 2)), LA_PACK), 0);
    for (; x < n; x++) {
      let p = load<u32>(source + (x << 2));
      store<u8>(target + (x << 1), <u8>p);
      store<u8>(target + (x << 1) + 1, <u8>(p >> 24));
    }
  } else {
    memory.copy(target, source, n << 2);
  }
}
