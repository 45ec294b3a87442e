// Arithmetic decoding (ITU-T T.81 Annex D: the QM coder with JPEG's context models), as
// libjpeg-turbo 2.1.5's jdarith.c reads sequential and progressive files. Pillow decodes
// such files only when they fit its 64 KiB read block (libjpeg's arithmetic decoder cannot
// wait for more data); this decoder reads them whole.
//
// Per-call data in the state block at STATE_ARITHMETIC (frame.ts), offsets in bytes:
//
//   DC_STATISTICS   16 × 64   adaptive states of DC tables 0..15 (one byte each: the MPS
//                             in bit 7, the state index below): contexts 0..19 by the
//                             class of the previous difference, 20.. the magnitude
//                             category, 34.. the magnitude bits
//   AC_STATISTICS   16 × 256  AC tables: 3 states per coefficient (end of block, zero,
//                             first magnitude bit), magnitude categories from 189 (k up to
//                             Kx) or 217
//   FIXED_BIN       1         state 113: probability 1/2, never adapting (signs)
//   CONDITIONING    16 × 3    per table: DC L, DC U, AC Kx (DAC segments; 0, 1, 5 by default)
//
// After a marker the coder reads zero bytes, as libjpeg does: encoders drop trailing zero
// bytes, and a file may rely on many of them (a flat 4096×4096 image takes 211 bytes; the
// DC refinement of a flat progressive one needs a zero bit per block). A scan that takes
// more than two zero bits per block (and 64 bytes) is refused instead of decoding noise
// for the rest of a large image; so is a file whose data stops without a marker (libjpeg
// cannot go on there either) or that codes a magnitude or a run past its limits.

import { ZIGZAG } from "./huffman-decode";
import { state, STATE_ARITHMETIC } from "./frame";

/** Per state (T.81 Table D.2): Qe << 16, next state after an MPS << 8, switch-MPS << 7, next state after an LPS. */
const STATES = memory.data<u32>([
  0x5a1d0181, 0x2586020e, 0x11140310, 0x080b0412, 0x03d80514, 0x01da0617,
  0x00e50719, 0x006f081c, 0x0036091e, 0x001a0a21, 0x000d0b23, 0x00060c09,
  0x00030d0a, 0x00010d0c, 0x5a7f0f8f, 0x3f251024, 0x2cf21126, 0x207c1227,
  0x17b91328, 0x1182142a, 0x0cef152b, 0x09a1162d, 0x072f172e, 0x055c1830,
  0x04061931, 0x03031a33, 0x02401b34, 0x01b11c36, 0x01441d38, 0x00f51e39,
  0x00b71f3b, 0x008a203c, 0x0068213e, 0x004e223f, 0x003b2320, 0x002c0921,
  0x5ae125a5, 0x484c2640, 0x3a0d2741, 0x2ef12843, 0x261f2944, 0x1f332a45,
  0x19a82b46, 0x15182c48, 0x11772d49, 0x0e742e4a, 0x0bfb2f4b, 0x09f8304d,
  0x0861314e, 0x0706324f, 0x05cd3330, 0x04de3432, 0x040f3532, 0x03633633,
  0x02d43734, 0x025c3835, 0x01f83936, 0x01a43a37, 0x01603b38, 0x01253c39,
  0x00f63d3a, 0x00cb3e3b, 0x00ab3f3d, 0x008f203d, 0x5b1241c1, 0x4d044250,
  0x412c4351, 0x37d84452, 0x2fe84553, 0x293c4654, 0x23794756, 0x1edf4857,
  0x1aa94957, 0x174e4a48, 0x14244b48, 0x119c4c4a, 0x0f6b4d4a, 0x0d514e4b,
  0x0bb64f4d, 0x0a40304d, 0x583251d0, 0x4d1c5258, 0x438e5359, 0x3bdd545a,
  0x34ee555b, 0x2eae565c, 0x299a575d, 0x25164756, 0x557059d8, 0x4ca95a5f,
  0x44d95b60, 0x3e225c61, 0x38245d63, 0x32b45e63, 0x2e17565d, 0x56a860df,
  0x4f466165, 0x47e56266, 0x41cf6367, 0x3c3d6468, 0x375e5d63, 0x52316669,
  0x4c0f676a, 0x4639686b, 0x415e6367, 0x56276ae9, 0x50e76b6c, 0x4b85676d,
  0x55976d6e, 0x504f6b6f, 0x5a106fee, 0x55226d70, 0x59eb6ff0, 0x5a1d7171,
]);

const DC_STATISTICS: usize = 0;
const AC_STATISTICS: usize = 16 * 64;
const FIXED_BIN: usize = AC_STATISTICS + 16 * 256;
const CONDITIONING: usize = FIXED_BIN + 16;
/** Bytes at STATE_ARITHMETIC (frame.ts reserves them). */
export const ARITHMETIC_SIZE: usize = CONDITIONING + 48;

// The coder's registers (T.81's C, A and CT, as libjpeg keeps them).
let c: i64 = 0;
let a: i64 = 0;
let ct: i32 = 0;
let pos: usize = 0;
let end: usize = 0;
let markerSeen: bool = false;
let zerosLeft: i64 = 0;
let broken: bool = false;

// @ts-ignore: decorator
@inline function area(): usize { return state + STATE_ARITHMETIC; }

/** The default conditioning of every table (SOI). */
export function resetConditioning(): void {
  for (let t: usize = 0; t < 16; t++) {
    store<u8>(area() + CONDITIONING + t * 3, 0);
    store<u8>(area() + CONDITIONING + t * 3 + 1, 1);
    store<u8>(area() + CONDITIONING + t * 3 + 2, 5);
  }
}

/** Reads a DAC segment as get_dac: table index below 32, L <= U for DC tables. */
export function readConditioning(data: usize, length: usize): bool {
  if ((length & 1) != 0) return false;
  for (let at = data; at < data + length; at += 2) {
    let index = <usize>load<u8>(at), value = load<u8>(at + 1);
    if (index >= 32) return false;
    if (index >= 16) {
      store<u8>(area() + CONDITIONING + (index - 16) * 3 + 2, value);
    } else {
      if ((value & 15) > (value >> 4)) return false;
      store<u8>(area() + CONDITIONING + index * 3, value & 15);
      store<u8>(area() + CONDITIONING + index * 3 + 1, value >> 4);
    }
  }
  return true;
}

/** Starts the coded data of a scan or restart interval at `start`, for a scan of `blocks` blocks. */
export function startArithmetic(start: usize, inputEnd: usize, blocks: u64): void {
  pos = start; end = inputEnd; markerSeen = false; broken = false;
  c = 0; a = 0; ct = -16;
  zerosLeft = 64 + <i64>(blocks >> 2);
  store<u8>(area() + FIXED_BIN, 113);
}

/** Where to look for the next marker. */
export function arithmeticPosition(): usize { return pos; }

/** The data stopped without a marker, a code was impossible, or too many zeros were read. */
export function arithmeticBroken(): bool { return broken; }

export function clearDcStatistics(table: u32): void {
  memory.fill(area() + DC_STATISTICS + (<usize>table << 6), 0, 64);
}

export function clearAcStatistics(table: u32): void {
  memory.fill(area() + AC_STATISTICS + (<usize>table << 8), 0, 256);
}

function nextByte(): i64 {
  if (markerSeen) {
    if (--zerosLeft < 0) broken = true;
    return 0;
  }
  if (pos >= end) { broken = true; return 0; }
  let data = <i64>load<u8>(pos);
  if (data != 0xFF) { pos++; return data; }
  let next = pos + 1;
  while (next < end && load<u8>(next) == 0xFF) next++;
  if (next >= end) { broken = true; return 0; }
  if (load<u8>(next) == 0) { pos = next + 1; return 0xFF; }
  markerSeen = true; // `pos` stays on the marker for the marker search
  return 0;
}

/** Decodes one binary decision with the adaptive state at `st` (arith_decode). */
function decide(st: usize): u32 {
  while (a < 0x8000) {
    if (--ct < 0) {
      c = (c << 8) | nextByte();
      ct += 8;
      if (ct < 0 && ++ct == 0) a = 0x8000;
    }
    a <<= 1;
  }
  let sv = <u32>load<u8>(st);
  let entry = load<u32>(STATES + (<usize>(sv & 0x7F) << 2));
  let nextLps = entry & 0xFF, nextMps = (entry >> 8) & 0xFF, qe = <i64>(entry >> 16);
  let temp = a - qe;
  a = temp;
  temp <<= <i64>ct;
  if (c >= temp) {
    c -= temp;
    if (a < qe) {
      a = qe;
      store<u8>(st, <u8>((sv & 0x80) ^ nextMps));
    } else {
      a = qe;
      store<u8>(st, <u8>((sv & 0x80) ^ nextLps));
      sv ^= 0x80;
    }
  } else if (a < 0x8000) {
    if (a < qe) {
      store<u8>(st, <u8>((sv & 0x80) ^ nextLps));
      sv ^= 0x80;
    } else {
      store<u8>(st, <u8>((sv & 0x80) ^ nextMps));
    }
  }
  return sv >> 7;
}

/**
 * A DC difference with DC table `table` given the component's context (in and out through
 * `contextAt`, an i32): 0, or ±(magnitude) with the context set by its class.
 */
export function decodeDcDifference(table: u32, contextAt: usize): i32 {
  let stats = area() + DC_STATISTICS + (<usize>table << 6);
  let st = stats + <usize>load<i32>(contextAt);
  if (decide(st) == 0) {
    store<i32>(contextAt, 0);
    return 0;
  }
  let sign = decide(st + 1);
  st += 2 + <usize>sign;
  let m = <i32>decide(st);
  if (m != 0) {
    st = stats + 20;
    while (decide(st) != 0) {
      m <<= 1;
      if (m == 0x8000) { broken = true; return 0; }
      st++;
    }
  }
  let lower = <i32>load<u8>(area() + CONDITIONING + <usize>table * 3);
  let upper = <i32>load<u8>(area() + CONDITIONING + <usize>table * 3 + 1);
  if (m < ((1 << lower) >> 1)) store<i32>(contextAt, 0);
  else if (m > ((1 << upper) >> 1)) store<i32>(contextAt, 12 + <i32>sign * 4);
  else store<i32>(contextAt, 4 + <i32>sign * 4);
  let v = m;
  st += 14;
  while ((m >>= 1) != 0) if (decide(st) != 0) v |= m;
  v += 1;
  return sign != 0 ? -v : v;
}

/**
 * The AC coefficients k = start..end with AC table `table`, each stored as value << al at
 * position ZIGZAG[k] (`natural`) or k (zigzag storage); an impossible code breaks the scan.
 */
export function decodeAcBand(block: usize, table: u32, start: u32, end: u32, al: u32, natural: bool): void {
  let stats = area() + AC_STATISTICS + (<usize>table << 8);
  let kx = <u32>load<u8>(area() + CONDITIONING + <usize>table * 3 + 2);
  let fixed = area() + FIXED_BIN;
  for (let k = start; k <= end; k++) {
    let st = stats + 3 * <usize>(k - 1);
    if (decide(st) != 0) break; // end of block
    while (decide(st + 1) == 0) {
      st += 3;
      k++;
      if (k > end) { broken = true; return; }
    }
    let sign = decide(fixed);
    st += 2;
    let m = <i32>decide(st);
    if (m != 0) {
      if (decide(st) != 0) {
        m <<= 1;
        st = stats + (k <= kx ? 189 : 217);
        while (decide(st) != 0) {
          m <<= 1;
          if (m == 0x8000) { broken = true; return; }
          st++;
        }
      }
    }
    let v = m;
    st += 14;
    while ((m >>= 1) != 0) if (decide(st) != 0) v |= m;
    v += 1;
    if (sign != 0) v = -v;
    let index = natural ? <usize>load<u8>(ZIGZAG + k) : <usize>k;
    store<i16>(block + (index << 1), <i16>(v << al));
  }
}

/** DC refinement: one decision with the fixed bin sets bit Al. */
export function decodeDcRefineArithmetic(block: usize, al: u32): void {
  if (decide(area() + FIXED_BIN) != 0) store<i16>(block, <i16>(<i32>load<i16>(block) | (1 << al)));
}

/** AC refinement over start..end of a block in zigzag order (decode_mcu_AC_refine). */
export function decodeAcRefineArithmetic(block: usize, table: u32, start: u32, end: u32, al: u32): void {
  let stats = area() + AC_STATISTICS + (<usize>table << 8);
  let fixed = area() + FIXED_BIN;
  let p1 = 1 << al, m1 = -1 << al;
  // Beyond the last coefficient already nonzero, a band may end (EOB decision).
  let last = end;
  while (last > 0 && load<i16>(block + (<usize>last << 1)) == 0) last--;
  for (let k = start; k <= end; k++) {
    let st = stats + 3 * <usize>(k - 1);
    if (k > last && decide(st) != 0) break;
    while (true) {
      let at = block + (<usize>k << 1);
      let coefficient = <i32>load<i16>(at);
      if (coefficient != 0) {
        if (decide(st + 2) != 0) store<i16>(at, <i16>(coefficient + (coefficient < 0 ? m1 : p1)));
        break;
      }
      if (decide(st + 1) != 0) {
        store<i16>(at, <i16>(decide(fixed) != 0 ? m1 : p1));
        break;
      }
      st += 3;
      k++;
      if (k > end) { broken = true; return; }
    }
  }
}
