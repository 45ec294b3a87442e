// QOI, the Quite OK Image format (qoiformat.org, specification 1.0): decoding into an
// arena image and encoding from one.
//
//   header (14 bytes)  "qoif", u32 width, u32 height (big-endian), u8 channels (3 or 4),
//                      u8 colorspace (0 sRGB with linear alpha, 1 all linear)
//   chunks             one byte tag (+ data) per pixel or run, as below
//   end marker         seven 0x00 bytes and one 0x01
//
//   QOI_OP_RGB   11111110 r g b          QOI_OP_RGBA  11111111 r g b a
//   QOI_OP_INDEX 00iiiiii                the pixel at index i of the table of 64
//   QOI_OP_DIFF  01 dr dg db             each −2..1 (bias 2) from the previous pixel
//   QOI_OP_LUMA  10 dg(6) │ dr−dg(4) db−dg(4)   dg −32..31 (bias 32), the others −8..7 (bias 8)
//   QOI_OP_RUN   11 run(6)               the previous pixel 1..62 times (bias −1)
//
// The decoder starts from the pixel (0, 0, 0, 255) and a zeroed table, and after every
// chunk stores the pixel at (r·3 + g·5 + b·7 + a·11) mod 64. Decoding is strict: a chunk
// reaching into the last 8 bytes, a run past the last pixel, or no end marker right after
// the last chunk is DECODE_FAILED (bytes after the marker are ignored). Modes: 3 channels → RGB, 4 → RGBA.
// The encoder writes what the reference encoder (qoi.h) writes: L as RGB (v, v, v), LA
// as RGBA (L, L, L, A).
//
// Pixels are u32 R | G << 8 | B << 16 | A << 24, the arena's RGBA layout. The table of
// 64 pixels is scratch memory (256 bytes).

import { ERR_DECODE, ERR_LIMIT, ERR_ARENA_FULL, ERR_UNSUPPORTED, OK, RESULT_AUX, RESULT_SIZE, SLOT_RESULTS, SLOT_STATS } from "../alloc/layout";
import { fail, lastError, setResult, slotBase, resultTag, setResultTag } from "../alloc/state";
import { scratchAllocate, scratchRelease } from "../alloc/arena";
import { imageCreate, imageRelease, imageRow, imageWidth, imageHeight, imageMode, FILL_NONE } from "../image/image";
import { MODE_L, MODE_LA, MODE_RGB, MODE_RGBA } from "../image/layout";
import {
  FORMAT_QOI, INFO_FORMAT, INFO_WIDTH, INFO_HEIGHT, INFO_MODE, INFO_BIT_DEPTH, INFO_ORIENTATION, INFO_COMPONENTS, INFO_COUNT
} from "./common";

const HEADER_BYTES: usize = 14;
const END_BYTES: usize = 8;
const MAGIC: u32 = 0x716F6966; // "qoif"
const OP_RGB: u32 = 0xFE;
const OP_RGBA: u32 = 0xFF;
const OP_INDEX: u32 = 0x00;
const OP_DIFF: u32 = 0x40;
const OP_LUMA: u32 = 0x80;
const OP_RUN: u32 = 0xC0;
const RUN_MOST: u32 = 62;
const START_PIXEL: u32 = 0xFF000000;
const ALPHA: u32 = 0xFF000000;

let width: u32 = 0;
let height: u32 = 0;
let channels: u32 = 0;

// @ts-ignore: decorator
@inline function readU32(at: usize): u32 {
  return bswap<u32>(load<u32>(at));
}

// @ts-ignore: decorator
@inline function slotOf(pixel: u32): usize {
  let r = pixel & 0xFF, g = (pixel >> 8) & 0xFF, b = (pixel >> 16) & 0xFF, a = pixel >> 24;
  return <usize>((r * 3 + g * 5 + b * 7 + a * 11) & 63) << 2;
}

/** Reads the header into the globals and the INFO area; OK or ERR_DECODE. */
function headerRead(input: usize, length: usize): i32 {
  if (length < HEADER_BYTES + END_BYTES || readU32(input) != MAGIC) return ERR_DECODE;
  width = readU32(input + 4);
  height = readU32(input + 8);
  channels = <u32>load<u8>(input + 12);
  let colorspace = <u32>load<u8>(input + 13);
  if (width == 0 || height == 0 || (channels != 3 && channels != 4) || colorspace > 1) return ERR_DECODE;
  let info = slotBase + SLOT_STATS;
  for (let i: usize = 0; i < INFO_COUNT; i++) store<f64>(info + (i << 3), 0);
  store<f64>(info + (INFO_FORMAT << 3), <f64>FORMAT_QOI);
  store<f64>(info + (INFO_WIDTH << 3), <f64>width);
  store<f64>(info + (INFO_HEIGHT << 3), <f64>height);
  store<f64>(info + (INFO_MODE << 3), <f64>(channels == 3 ? MODE_RGB : MODE_RGBA));
  store<f64>(info + (INFO_BIT_DEPTH << 3), 8);
  store<f64>(info + (INFO_ORIENTATION << 3), 1);
  store<f64>(info + (INFO_COMPONENTS << 3), <f64>channels);
  return OK;
}

/** `probe` for QOI: the header only, into the INFO area. */
export function qoiProbe(input: usize, length: usize): i32 {
  let status = headerRead(input, length);
  if (status != OK) return fail(status);
  return OK;
}

/** `decode` for QOI (contract in ./common.ts). */
export function qoiDecode(input: usize, length: usize, maxPixels: f64): usize {
  let status = headerRead(input, length);
  if (status != OK) { fail(status); return 0; }
  if (<f64>width * <f64>height > maxPixels) { fail(ERR_LIMIT); return 0; }
  if (<u64>width * 4 > 0x40000000) { fail(ERR_ARENA_FULL); return 0; }
  let table = scratchAllocate(256);
  if (table == 0) return 0;
  let mode = channels == 3 ? MODE_RGB : MODE_RGBA;
  let image = imageCreate(mode, width, height, FILL_NONE, 0);
  if (image == 0) {
    let error = lastError();
    scratchRelease(table);
    fail(error);
    return 0;
  }
  let record = load<u32>(slotBase + SLOT_RESULTS + (RESULT_AUX << 2));
  let tag = resultTag();
  status = pixelsDecode(image, input, length, table, channels == 3 ? ALPHA : 0);
  scratchRelease(table);
  if (status != OK) {
    imageRelease(<usize>record, tag);
    fail(status);
    return 0;
  }
  setResult(RESULT_AUX, record);
  setResultTag(tag);
  return image;
}

/** The chunks into the image's rows; `opaque` is or-ed into every pixel (RGB). */
function pixelsDecode(image: usize, input: usize, length: usize, table: usize, opaque: u32): i32 {
  memory.fill(table, 0, 256);
  let p = input + HEADER_BYTES;
  let end = input + length - END_BYTES;
  let pixel = START_PIXEL;
  let run: u32 = 0;
  for (let y: i32 = 0; y < <i32>height; y++) {
    let row = imageRow(image, y);
    let rowEnd = row + (<usize>width << 2);
    for (let out = row; out < rowEnd; out += 4) {
      if (run > 0) {
        run--;
      } else {
        if (p >= end) return ERR_DECODE;
        let tag = <u32>load<u8>(p);
        p++;
        if (tag == OP_RGB) {
          if (end - p < 3) return ERR_DECODE;
          pixel = (pixel & 0xFF000000) | <u32>load<u16>(p) | (<u32>load<u8>(p + 2) << 16);
          p += 3;
        } else if (tag == OP_RGBA) {
          if (end - p < 4) return ERR_DECODE;
          pixel = load<u32>(p);
          p += 4;
        } else {
          let op = tag & 0xC0;
          if (op == OP_INDEX) {
            pixel = load<u32>(table + (<usize>tag << 2));
          } else if (op == OP_DIFF) {
            let r = (pixel + ((tag >> 4) & 3) - 2) & 0xFF;
            let g = ((pixel >> 8) + ((tag >> 2) & 3) - 2) & 0xFF;
            let b = ((pixel >> 16) + (tag & 3) - 2) & 0xFF;
            pixel = (pixel & 0xFF000000) | r | (g << 8) | (b << 16);
          } else if (op == OP_LUMA) {
            if (p >= end) return ERR_DECODE;
            let second = <u32>load<u8>(p);
            p++;
            let dg = (tag & 0x3F) - 32;
            let r = (pixel + dg - 8 + ((second >> 4) & 15)) & 0xFF;
            let g = ((pixel >> 8) + dg) & 0xFF;
            let b = ((pixel >> 16) + dg - 8 + (second & 15)) & 0xFF;
            pixel = (pixel & 0xFF000000) | r | (g << 8) | (b << 16);
          } else {
            run = tag & 0x3F;
          }
        }
        store<u32>(table + slotOf(pixel), pixel);
      }
      store<u32>(out, pixel | opaque);
    }
  }
  if (run > 0) return ERR_DECODE;
  // the end marker right after the last chunk (chunks never reach into the last 8 bytes)
  if (load<u64>(p) != 0x0100000000000000) return ERR_DECODE;
  return OK;
}

/** `encode` for QOI: RGB and L as 3 channels, RGBA and LA as 4. */
export function qoiEncode(image: usize): usize {
  let w = <u32>imageWidth(image), h = <u32>imageHeight(image), mode = imageMode(image);
  if (w == 0 || h == 0) { fail(ERR_UNSUPPORTED); return 0; }
  let wide = mode == MODE_LA || mode == MODE_RGBA;
  let most = <u64>w * <u64>h * (wide ? 5 : 4) + HEADER_BYTES + END_BYTES;
  if (most > 0x7FFF0000) { fail(ERR_ARENA_FULL); return 0; }
  let table = scratchAllocate(256);
  if (table == 0) return 0;
  let output = scratchAllocate(<usize>most);
  if (output == 0) {
    let error = lastError();
    scratchRelease(table);
    fail(error);
    return 0;
  }
  store<u32>(output, bswap<u32>(MAGIC));
  store<u32>(output + 4, bswap<u32>(w));
  store<u32>(output + 8, bswap<u32>(h));
  store<u8>(output + 12, wide ? 4 : 3);
  store<u8>(output + 13, 0);
  let end = chunksEncode(image, output + HEADER_BYTES, table, w, h, mode);
  store<u64>(end, 0x0100000000000000);
  scratchRelease(table);
  setResult(RESULT_SIZE, <u32>(end + END_BYTES - output));
  return output;
}

/** The chunks of every pixel, as qoi.h's encoder writes them; returns the end. */
function chunksEncode(image: usize, out: usize, table: usize, w: u32, h: u32, mode: u32): usize {
  memory.fill(table, 0, 256);
  let previous = START_PIXEL;
  let run: u32 = 0;
  for (let y: i32 = 0; y < <i32>h; y++) {
    let row = imageRow(image, y);
    let last = y == <i32>h - 1;
    for (let x: u32 = 0; x < w; x++) {
      let pixel: u32;
      if (mode == MODE_L) pixel = <u32>load<u8>(row + <usize>x) * 0x010101 | ALPHA;
      else if (mode == MODE_RGB) pixel = load<u32>(row + (<usize>x << 2)) | ALPHA;
      else pixel = load<u32>(row + (<usize>x << 2));
      if (pixel == previous) {
        run++;
        if (run == RUN_MOST || (last && x == w - 1)) {
          store<u8>(out, <u8>(OP_RUN | (run - 1)));
          out++;
          run = 0;
        }
        continue;
      }
      if (run > 0) {
        store<u8>(out, <u8>(OP_RUN | (run - 1)));
        out++;
        run = 0;
      }
      let slot = slotOf(pixel);
      if (load<u32>(table + slot) == pixel) {
        store<u8>(out, <u8>(OP_INDEX | <u32>(slot >> 2)));
        out++;
      } else {
        store<u32>(table + slot, pixel);
        if ((pixel ^ previous) >> 24 == 0) {
          let dr = <i32><i8>(pixel - previous);
          let dg = <i32><i8>((pixel >> 8) - (previous >> 8));
          let db = <i32><i8>((pixel >> 16) - (previous >> 16));
          let rg = dr - dg, bg = db - dg;
          if (dr > -3 && dr < 2 && dg > -3 && dg < 2 && db > -3 && db < 2) {
            store<u8>(out, <u8>(OP_DIFF | <u32>((dr + 2) << 4) | <u32>((dg + 2) << 2) | <u32>(db + 2)));
            out++;
          } else if (rg > -9 && rg < 8 && dg > -33 && dg < 32 && bg > -9 && bg < 8) {
            store<u8>(out, <u8>(OP_LUMA | <u32>(dg + 32)));
            store<u8>(out + 1, <u8>(<u32>((rg + 8) << 4) | <u32>(bg + 8)));
            out += 2;
          } else {
            store<u8>(out, <u8>OP_RGB);
            store<u16>(out + 1, <u16>pixel);
            store<u8>(out + 3, <u8>(pixel >> 16));
            out += 4;
          }
        } else {
          store<u8>(out, <u8>OP_RGBA);
          store<u32>(out + 1, pixel);
          out += 5;
        }
      }
      previous = pixel;
    }
  }
  return out;
}
