// JPEG markers: finding them (jdmarker.c's next_marker), the header walk that a probe
// does (SOI to the first SOS: the frame, JFIF and Adobe markers, EXIF orientation, ICC
// chunks, reading only what Pillow's JpegImagePlugin reads before the image data), and
// the segments the decoder stores: quantisation tables, Huffman tables, restart interval.
//
// Segment lengths are checked against the input before any byte of a segment is read.

import { ERR_DECODE, ERR_UNSUPPORTED, OK } from "../../alloc/layout";
import {
  state, setFrame, setComponentFields, setJfif, setAdobe, setOrientation, setIcc,
  resetFrame, STATE_QUANT, STATE_HUFFMAN_RAW, HUFFMAN_RAW_SIZE,
} from "./frame";
import { ZIGZAG } from "./huffman-decode";
import { exifOrientation } from "./exif";

export const MARKER_DHT: u32 = 0xC4;
export const MARKER_DAC: u32 = 0xCC;
export const MARKER_RST0: u32 = 0xD0;
export const MARKER_SOI: u32 = 0xD8;
export const MARKER_EOI: u32 = 0xD9;
export const MARKER_SOS: u32 = 0xDA;
export const MARKER_DQT: u32 = 0xDB;
export const MARKER_DRI: u32 = 0xDD;
export const MARKER_APP0: u32 = 0xE0;

/** Whether `marker` starts a frame (SOF0..SOF15 but DHT, JPG and DAC). */
// @ts-ignore: decorator
@inline export function isFrameMarker(marker: u32): bool {
  return marker >= 0xC0 && marker <= 0xCF && marker != MARKER_DHT && marker != 0xC8 && marker != MARKER_DAC;
}

/** Markers that stand alone, with no length (RSTn, TEM). */
// @ts-ignore: decorator
@inline export function isBareMarker(marker: u32): bool {
  return (marker >= MARKER_RST0 && marker <= 0xD7) || marker == 0x01;
}

/**
 * Finds the next marker at or after `pos` as next_marker: bytes other than 0xFF are
 * skipped, 0xFF fill bytes swallowed, and 0xFF 0x00 passed over. Returns the address of
 * the marker code byte, or 0 when the input ends first.
 */
export function findMarker(pos: usize, end: usize): usize {
  while (pos < end) {
    if (load<u8>(pos) != 0xFF) { pos++; continue; }
    pos++;
    while (pos < end && load<u8>(pos) == 0xFF) pos++;
    if (pos >= end) return 0;
    if (load<u8>(pos) != 0) return pos;
    pos++;
  }
  return 0;
}

/** The length of the segment whose length field is at `at` (0: it does not fit or is below 2). */
export function segmentLength(at: usize, end: usize): usize {
  if (at + 2 > end) return 0;
  let length = (<usize>load<u8>(at) << 8) | <usize>load<u8>(at + 1);
  if (length < 2 || at + length > end) return 0;
  return length;
}

// ── the header walk ─────────────────────────────────────────────────────────────

/**
 * Reads the header from SOI to the first SOS into the frame globals (frame.ts): size,
 * components, colour markers, orientation, ICC presence. Returns OK, ERR_DECODE for a
 * file that is not a JPEG or ends before its image data, ERR_UNSUPPORTED for a frame
 * Pillow cannot open (not 8 bits, or other than 1, 3 or 4 components).
 */
export function walkHeader(input: usize, length: usize): i32 {
  resetFrame();
  let end = input + length;
  if (length < 2 || load<u8>(input) != 0xFF || load<u8>(input + 1) != MARKER_SOI) return ERR_DECODE;
  let pos = input + 2;
  let sawFrame = false, sawExif = false;
  // ICC chunks before the frame: how many, and the one that sorts first (Pillow sorts
  // the chunks' bytes and checks the first one's chunk count).
  let iccChunks: u32 = 0, iccFirst: usize = 0, iccFirstLength: usize = 0, iccBytes: usize = 0;
  while (true) {
    let at = findMarker(pos, end);
    if (at == 0) return ERR_DECODE;
    let marker = <u32>load<u8>(at);
    pos = at + 1;
    if (isBareMarker(marker)) continue;
    if (marker == MARKER_SOI || marker == MARKER_EOI) return ERR_DECODE;
    if (marker == MARKER_SOS) {
      return sawFrame ? OK : ERR_DECODE;
    }
    let size = segmentLength(pos, end);
    if (size == 0) return ERR_DECODE;
    let data = pos + 2, dataLength = size - 2;
    pos += size;
    if (isFrameMarker(marker)) {
      if (sawFrame) return ERR_DECODE;
      sawFrame = true;
      let status = readFrame(marker, data, dataLength);
      if (status != OK) return status;
      if (iccChunks > 0) {
        setIcc(iccFirstLength >= 14 && <u32>load<u8>(iccFirst + 13) == iccChunks && iccBytes > 0);
      }
    } else if (marker == MARKER_APP0) {
      if (dataLength >= 14 && startsWith(data, 0x4649464A, 0)) setJfif(); // "JFIF\0"
    } else if (marker == 0xEE) {
      if (dataLength >= 12 && startsWith(data, 0x626F6441, 0x65)) setAdobe(<u32>load<u8>(data + 11)); // "Adobe"
    } else if (marker == 0xE1) {
      if (!sawExif && dataLength >= 5 && startsWith(data, 0x66697845, 0)) { // "Exif\0"
        sawExif = true;
        setOrientation(exifOrientation(data, dataLength));
      }
    } else if (marker == 0xE2) {
      // "ICC_PROFILE\0"
      if (!sawFrame && dataLength >= 12 && load<u64>(data) == 0x464F52505F434349 && load<u32>(data + 8) == 0x00454C49) {
        iccChunks++;
        iccBytes += dataLength >= 14 ? dataLength - 14 : 0;
        if (iccFirst == 0 || sortsBefore(data, dataLength, iccFirst, iccFirstLength)) {
          iccFirst = data;
          iccFirstLength = dataLength;
        }
      }
    }
  }
}

/** Reads a SOF segment into the frame globals. */
function readFrame(marker: u32, data: usize, length: usize): i32 {
  if (length < 6) return ERR_DECODE;
  let precision = <u32>load<u8>(data);
  let height = (<u32>load<u8>(data + 1) << 8) | <u32>load<u8>(data + 2);
  let width = (<u32>load<u8>(data + 3) << 8) | <u32>load<u8>(data + 4);
  let components = <u32>load<u8>(data + 5);
  if (precision != 8) return ERR_UNSUPPORTED;
  if (components != 1 && components != 3 && components != 4) return ERR_UNSUPPORTED;
  if (length != 6 + 3 * <usize>components) return ERR_DECODE;
  if (width == 0 || height == 0) return ERR_DECODE; // DNL-defined heights are not supported (libjpeg)
  setFrame(marker, precision, height, width, components);
  let ids: u32 = 0, sampling: u32 = 0, quant: u32 = 0;
  for (let i: u32 = 0; i < components; i++) {
    let at = data + 6 + 3 * <usize>i;
    ids |= <u32>load<u8>(at) << (i << 3);
    sampling |= <u32>load<u8>(at + 1) << (i << 3);
    quant |= <u32>load<u8>(at + 2) << (i << 3);
  }
  setComponentFields(ids, sampling, quant);
  return OK;
}

/** The first bytes of `data` are the little-endian word `first` then the byte `next`. */
// @ts-ignore: decorator
@inline function startsWith(data: usize, first: u32, next: u32): bool {
  return load<u32>(data) == first && <u32>load<u8>(data + 4) == next;
}

/** Byte-wise order of two segments, the shorter first on a tie (Python's bytes order). */
function sortsBefore(a: usize, aLength: usize, b: usize, bLength: usize): bool {
  let n = min(aLength, bLength);
  for (let i: usize = 0; i < n; i++) {
    let x = load<u8>(a + i), y = load<u8>(b + i);
    if (x != y) return x < y;
  }
  return aLength < bLength;
}

// ── tables the decoder keeps ──────────────────────────────────────────────────────

/** Bit i: quantisation table i is defined. */
export let quantDefined: u32 = 0;
/** Bit i: Huffman slot i (0..3 DC, 4..7 AC) is defined. */
export let huffmanDefined: u32 = 0;
export let restartInterval: u32 = 0;

export function resetTables(): void {
  quantDefined = 0;
  huffmanDefined = 0;
  restartInterval = 0;
}

/** Marks a Huffman slot defined (the standard tables libjpeg installs for sequential files). */
export function defineHuffman(slot: u32): void { huffmanDefined |= 1 << slot; }

/** Stores the tables of a DQT segment (natural order), as get_dqt. */
export function readQuantTables(data: usize, length: usize): bool {
  let end = data + length;
  while (data < end) {
    let byte = <u32>load<u8>(data++);
    let wide = (byte >> 4) != 0;
    let index = byte & 15;
    if (index >= 4) return false;
    let bytes: usize = wide ? 128 : 64;
    if (data + bytes > end) return false;
    let table = state + STATE_QUANT + (<usize>index << 7);
    for (let i: usize = 0; i < 64; i++) {
      let value = wide ? (<u32>load<u8>(data + 2 * i) << 8) | <u32>load<u8>(data + 2 * i + 1) : <u32>load<u8>(data + i);
      store<u16>(table + (<usize>load<u8>(ZIGZAG + i) << 1), <u16>value);
    }
    data += bytes;
    quantDefined |= 1 << index;
  }
  return true;
}

/** Stores the tables of a DHT segment (counts and symbols), as get_dht. */
export function readHuffmanTables(data: usize, length: usize): bool {
  let end = data + length;
  while (end - data > 16) {
    let index = <u32>load<u8>(data);
    let total: usize = 0;
    for (let i: usize = 1; i <= 16; i++) total += <usize>load<u8>(data + i);
    data += 17;
    if (total > 256 || total > end - data) return false;
    let slot: u32;
    if ((index & 0x10) != 0) {
      if (index - 0x10 >= 4) return false;
      slot = 4 + index - 0x10;
    } else {
      if (index >= 4) return false;
      slot = index;
    }
    let raw = state + STATE_HUFFMAN_RAW + <usize>slot * HUFFMAN_RAW_SIZE;
    memory.copy(raw, data - 16, 16);
    memory.fill(raw + 16, 0, 256);
    memory.copy(raw + 16, data, total);
    data += total;
    huffmanDefined |= 1 << slot;
  }
  return data == end;
}

/** Reads a DRI segment, as get_dri (its length must be 4). */
export function readRestartInterval(data: usize, length: usize): bool {
  if (length != 2) return false;
  restartInterval = (<u32>load<u8>(data) << 8) | <u32>load<u8>(data + 1);
  return true;
}
