// PNG structure up to the image data: the signature, IHDR, and the chunks before the
// first IDAT (PLTE, tRNS), read by both the probe and the decoder. What they find is
// kept in this thread's globals for the rest of the call.
//
// A chunk:  u32 length (big-endian, < 2^31) │ u32 type │ data │ u32 CRC of type and data
//
// Checked here: the signature; IHDR first, 13 bytes, valid fields and CRC; every chunk's
// length within the file; PLTE (one, before IDAT, a multiple of 3 up to 256 entries, CRC)
// required for palette images and ignored for gray ones; tRNS (CRC; for palette images
// after PLTE, at most 256 entries; for gray and RGB a 2- or 6-byte key, otherwise
// ignored as libpng does); an unknown critical chunk is UNSUPPORTED. Other ancillary
// chunks are skipped unread (no gamma, colour profile or text handling, as Pillow).

import { ERR_DECODE, ERR_UNSUPPORTED, OK, SLOT_STATS } from "../../alloc/layout";
import { slotBase } from "../../alloc/state";
import { MODE_L, MODE_LA, MODE_RGB, MODE_RGBA } from "../../image/layout";
import {
  FORMAT_PNG, INFO_FORMAT, INFO_WIDTH, INFO_HEIGHT, INFO_MODE, INFO_BIT_DEPTH, INFO_INTERLACED,
  INFO_ORIENTATION, INFO_COMPONENTS, INFO_COUNT
} from "../common";
import { crcBitwise } from "../deflate/crc32";

export const CHUNK_IHDR: u32 = 0x49484452;
export const CHUNK_PLTE: u32 = 0x504C5445;
export const CHUNK_IDAT: u32 = 0x49444154;
export const CHUNK_IEND: u32 = 0x49454E44;
export const CHUNK_TRNS: u32 = 0x74524E53;

export const COLOR_GRAY: u32 = 0;
export const COLOR_RGB: u32 = 2;
export const COLOR_PALETTE: u32 = 3;
export const COLOR_GRAY_ALPHA: u32 = 4;
export const COLOR_RGBA: u32 = 6;

/** Largest chunk length the format allows (2^31 − 1). */
export const CHUNK_LENGTH_MAX: u32 = 0x7FFFFFFF;

// ── what the header says (this thread's, for the current call) ──────────────────

export let width: u32 = 0;
export let height: u32 = 0;
export let bitDepth: u32 = 0;
export let colorType: u32 = 0;
export let interlaced: bool = false;
/** Samples per pixel as stored (palette: 1). */
export let channels: u32 = 0;
/** The mode a decode gives. */
export let mode: u32 = 0;
export let palette: usize = 0;
export let paletteEntries: u32 = 0;
/** tRNS data (0: none used) and its length. */
export let transparency: usize = 0;
export let transparencyLength: u32 = 0;
/** The first IDAT chunk (its length field). */
export let firstData: usize = 0;

// @ts-ignore: decorator
@inline export function readU32(at: usize): u32 {
  return bswap<u32>(load<u32>(at));
}

/** True when the four type bytes at `at` are ASCII letters, as chunk types must be. */
function typeValid(at: usize): bool {
  for (let i: usize = 0; i < 4; i++) {
    let c = <u32>load<u8>(at + i) | 0x20;
    if (c < 0x61 || c > 0x7A) return false;
  }
  return true;
}

/** True when the chunk at `at` (length `length`) carries a correct CRC. */
function chunkCrcValid(at: usize, length: usize): bool {
  return crcBitwise(at + 4, length + 4) == readU32(at + 8 + length);
}

function depthValid(color: u32, depth: u32): bool {
  if (color == COLOR_GRAY) return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
  if (color == COLOR_PALETTE) return depth == 1 || depth == 2 || depth == 4 || depth == 8;
  if (color == COLOR_RGB || color == COLOR_GRAY_ALPHA || color == COLOR_RGBA) return depth == 8 || depth == 16;
  return false;
}

/**
 * Reads the signature, IHDR and the chunks before the first IDAT of the `length` bytes
 * at `input`. Returns OK, ERR_DECODE or ERR_UNSUPPORTED; on OK the globals above hold
 * what the file says.
 */
export function headerRead(input: usize, length: usize): i32 {
  // signature (8) + IHDR (25) + the smallest IDAT (12) + IEND (12)
  if (length < 57) return ERR_DECODE;
  if (load<u64>(input) != 0x0A1A0A0D474E5089) return ERR_DECODE;
  let ihdr = input + 8;
  if (readU32(ihdr) != 13 || readU32(ihdr + 4) != CHUNK_IHDR || !chunkCrcValid(ihdr, 13)) return ERR_DECODE;
  width = readU32(ihdr + 8);
  height = readU32(ihdr + 12);
  bitDepth = <u32>load<u8>(ihdr + 16);
  colorType = <u32>load<u8>(ihdr + 17);
  let method = <u32>load<u8>(ihdr + 18), filter = <u32>load<u8>(ihdr + 19), interlace = <u32>load<u8>(ihdr + 20);
  if (width == 0 || height == 0 || width > CHUNK_LENGTH_MAX || height > CHUNK_LENGTH_MAX) return ERR_DECODE;
  if (!depthValid(colorType, bitDepth) || method != 0 || filter != 0 || interlace > 1) return ERR_DECODE;
  interlaced = interlace == 1;
  channels = colorType == COLOR_RGB ? 3 : colorType == COLOR_GRAY_ALPHA ? 2 : colorType == COLOR_RGBA ? 4 : 1;
  palette = 0;
  paletteEntries = 0;
  transparency = 0;
  transparencyLength = 0;
  firstData = 0;
  let transparencySeen = false;
  let end = input + length;
  let at = ihdr + 25;
  while (true) {
    if (end - at < 12) return ERR_DECODE;
    let size = readU32(at);
    let type = readU32(at + 4);
    if (size > CHUNK_LENGTH_MAX || <usize>size > end - at - 12 || !typeValid(at + 4)) return ERR_DECODE;
    let data = at + 8;
    if (type == CHUNK_IDAT) {
      firstData = at;
      break;
    }
    if (type == CHUNK_IEND || type == CHUNK_IHDR) return ERR_DECODE;
    if (type == CHUNK_PLTE) {
      if (colorType == COLOR_GRAY || colorType == COLOR_GRAY_ALPHA) {
        at = data + size + 4;
        continue;
      }
      if (palette != 0 || transparencySeen || size == 0 || size % 3 != 0 || size > 768) return ERR_DECODE;
      if (!chunkCrcValid(at, size)) return ERR_DECODE;
      palette = data;
      paletteEntries = size / 3;
    } else if (type == CHUNK_TRNS) {
      if (!transparencySeen) {
        if (!chunkCrcValid(at, size)) return ERR_DECODE;
        transparencySeen = true;
        if (colorType == COLOR_PALETTE) {
          if (palette == 0) return ERR_DECODE;
          if (size >= 1 && size <= 256) {
            transparency = data;
            transparencyLength = size;
          }
        } else if ((colorType == COLOR_GRAY && size == 2) || (colorType == COLOR_RGB && size == 6)) {
          transparency = data;
          transparencyLength = size;
        }
      }
    } else if ((load<u8>(at + 4) & 0x20) == 0) {
      return ERR_UNSUPPORTED;
    }
    at = data + size + 4;
  }
  if (colorType == COLOR_PALETTE && palette == 0) return ERR_DECODE;
  let hasKey = transparency != 0;
  if (colorType == COLOR_GRAY) mode = hasKey ? MODE_LA : MODE_L;
  else if (colorType == COLOR_GRAY_ALPHA) mode = MODE_LA;
  else if (colorType == COLOR_RGBA) mode = MODE_RGBA;
  else mode = hasKey ? MODE_RGBA : MODE_RGB;
  return OK;
}

/** Fills this slot's INFO area from the globals. */
export function infoWrite(): void {
  let info = slotBase + SLOT_STATS;
  for (let i: usize = 0; i < INFO_COUNT; i++) store<f64>(info + (i << 3), 0);
  store<f64>(info + (INFO_FORMAT << 3), <f64>FORMAT_PNG);
  store<f64>(info + (INFO_WIDTH << 3), <f64>width);
  store<f64>(info + (INFO_HEIGHT << 3), <f64>height);
  store<f64>(info + (INFO_MODE << 3), <f64>mode);
  store<f64>(info + (INFO_BIT_DEPTH << 3), <f64>bitDepth);
  store<f64>(info + (INFO_INTERLACED << 3), interlaced ? 1 : 0);
  store<f64>(info + (INFO_ORIENTATION << 3), 1);
  store<f64>(info + (INFO_COMPONENTS << 3), <f64>channels);
}
