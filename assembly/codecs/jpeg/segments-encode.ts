// The marker segments of an encoded file, byte for byte as libjpeg's jcmarker.c writes them
// with the settings Pillow leaves (no dpi, no EXIF, no ICC profile, no comment):
//
//   SOI
//   APP0   "JFIF\0", version 1.01, density unit 0, density 1 × 1, no thumbnail
//   DQT    one segment per table, luminance first (8-bit entries, zigzag order)
//   SOF0   baseline (SOF2 when progressive): precision 8, height, width, components as
//          (id 1.., sampling h << 4 | v, table)
//   per scan:
//   DHT    one segment per table not yet written with its current contents, in order of
//          the scan's components, DC before AC
//   SOS    components as (id, DC table << 4 | AC table, 0 for a table the scan does not
//          use), Ss, Se, Ah << 4 | Al
//   EOI

import { putByte, putWord, putMarker, writerReserve } from "./bit-writer";
import { QUANT_VALUES, QUANT_TABLE_BYTES } from "./quality";
import { ZIGZAG } from "./tables";
import { SPEC_BYTES, specSymbols } from "./huffman-encode";
import { component, componentCount, samplingH, samplingV, tableOf } from "./frame-encode";

const SOI: u32 = 0xD8;
const EOI: u32 = 0xD9;
const APP0: u32 = 0xE0;
const DQT: u32 = 0xDB;
const SOF0: u32 = 0xC0;
const SOF2: u32 = 0xC2;
const DHT: u32 = 0xC4;
const SOS: u32 = 0xDA;

/** Bytes every header segment before the first scan takes, at most. */
export const HEADER_BOUND: usize = 1024;
/** Bytes the DHT and SOS segments of one scan take, at most. */
const SCAN_HEADER_BOUND: usize = 4 * (5 + SPEC_BYTES) + 16;

/**
 * SOI, APP0, DQT and SOF. `quant` holds the quality.ts tables; `sofH`, `sofV` are the
 * sampling factors written for the first component (which Pillow sets from its
 * subsampling option even for a grayscale image, where they change nothing else).
 */
export function writeHeaders(quant: usize, progressive: bool, width: i32, height: i32, sofH: i32, sofV: i32): void {
  putByte(0xFF);
  putByte(SOI);
  putMarker(APP0, 16);
  putByte(0x4A); putByte(0x46); putByte(0x49); putByte(0x46); putByte(0); // "JFIF"
  putByte(1); putByte(1);   // version 1.01
  putByte(0);               // no density unit: an aspect ratio
  putWord(1); putWord(1);
  putByte(0); putByte(0);   // no thumbnail
  let tables = componentCount == 1 ? 1 : 2;
  for (let t = 0; t < tables; t++) {
    let table = quant + <usize>t * QUANT_TABLE_BYTES + QUANT_VALUES;
    putMarker(DQT, 67);
    putByte(<u32>t);
    for (let k: usize = 0; k < 64; k++) putByte(<u32>load<u16>(table + (<usize>load<u8>(ZIGZAG + k) << 1)));
  }
  putMarker(progressive ? SOF2 : SOF0, <u32>(8 + 3 * componentCount));
  putByte(8);
  putWord(<u32>height);
  putWord(<u32>width);
  putByte(<u32>componentCount);
  for (let i = 0; i < componentCount; i++) {
    let c = component(i);
    putByte(<u32>(i + 1));
    putByte(i == 0 ? <u32>((sofH << 4) | sofV) : <u32>((samplingH(c) << 4) | samplingV(c)));
    putByte(<u32>tableOf(c));
  }
}

/** One DHT segment: table `index` of the four (DC0, AC0, DC1, AC1) from its specification. */
function writeTable(index: i32, spec: usize): void {
  let symbols = specSymbols(spec);
  putMarker(DHT, <u32>(2 + 1 + 16 + symbols));
  putByte(<u32>(((index & 1) << 4) | (index >> 1)));
  for (let i: usize = 0; i < 16 + <usize>symbols; i++) putByte(<u32>load<u8>(spec + i));
}

/**
 * The DHT segments and the SOS of a scan of components [first, first + count): the
 * tables it codes with (the four specifications at `specs`), each once, then the header.
 * False with the status set when the output cannot grow.
 */
export function writeScanHeader(first: i32, count: i32, ss: i32, se: i32, ah: i32, al: i32, specs: usize): bool {
  if (!writerReserve(SCAN_HEADER_BOUND)) return false;
  let written: u32 = 0;
  for (let i = 0; i < count; i++) {
    let t = tableOf(component(first + i)) << 1;
    if (ss == 0 && ah == 0 && (written & (1 << t)) == 0) {
      writeTable(t, specs + <usize>t * SPEC_BYTES);
      written |= 1 << t;
    }
    if (se != 0 && (written & (2 << t)) == 0) {
      writeTable(t | 1, specs + <usize>(t | 1) * SPEC_BYTES);
      written |= 2 << t;
    }
  }
  putMarker(SOS, <u32>(6 + 2 * count));
  putByte(<u32>count);
  for (let i = 0; i < count; i++) {
    let table = <u32>tableOf(component(first + i));
    let dc = ss == 0 && ah == 0 ? table : 0;
    let ac = se != 0 ? table : 0;
    putByte(<u32>(first + i + 1));
    putByte((dc << 4) | ac);
  }
  putByte(<u32>ss);
  putByte(<u32>se);
  putByte(<u32>((ah << 4) | al));
  return true;
}

/** EOI. */
export function writeTrailer(): bool {
  if (!writerReserve(2)) return false;
  putByte(0xFF);
  putByte(EOI);
  return true;
}
