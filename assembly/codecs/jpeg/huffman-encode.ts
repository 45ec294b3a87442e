// Huffman coding for the sequential JPEG encoder (libjpeg's jchuff.c): code tables from a
// table specification, the coding of one block of quantized coefficients, the symbol
// counts of a block, and the optimal table for counts (T.81 K.2, as jpeg_gen_optimal_table).
//
// A table specification is a DHT body (see tables.ts): 16 counts of codes by length, then
// the symbols. Codes are canonical (T.81 C.2): shortest first, each code the previous plus
// one, shifted left when the length grows. A code table has one u32 per symbol:
//
//   bits 31..8: the code    bits 7..0: its length (0: the symbol has no code)
//
// A block holds 64 i16 coefficients in zigzag order. A DC coefficient is coded as the
// difference from the previous block's of the same component: its size category, then
// that many low bits of the value (minus one when negative). AC coefficients are coded as
// (zero run, size) symbols with the same extra bits; ZRL (0xF0) stands for 16 zeros, EOB
// (0x00) for the zeros to the end of the block.

import { putBits } from "./bit-writer";

/** Bytes of a code table: 256 u32. */
export const CODE_TABLE_BYTES: usize = 1024;
/** Bytes of a count table: 257 u32 (the last for jpeg_gen_optimal_table's reserved symbol). */
export const COUNT_TABLE_BYTES: usize = 1028;
/** Bytes of a table specification: 16 counts and up to 256 symbols. */
export const SPEC_BYTES: usize = 272;
/** Bytes of the workspace optimalTable needs. */
export const OPTIMAL_WORK_BYTES: usize = 257 * 4 * 2 + 33 * 4;

const SYMBOL_ZRL: u32 = 0xF0;
const LONGEST_CODE: i32 = 32; // before lengths over 16 are folded back

/** Symbols in a specification. */
export function specSymbols(spec: usize): i32 {
  let total = 0;
  for (let i: usize = 0; i < 16; i++) total += <i32>load<u8>(spec + i);
  return total;
}

/** Fills a code table (CODE_TABLE_BYTES at `codes`) from a specification. */
export function buildCodes(spec: usize, codes: usize): void {
  memory.fill(codes, 0, CODE_TABLE_BYTES);
  let code: u32 = 0;
  let symbol = spec + 16;
  for (let length: u32 = 1; length <= 16; length++) {
    let n = <u32>load<u8>(spec + length - 1);
    for (let i: u32 = 0; i < n; i++) {
      store<u32>(codes + (<usize>load<u8>(symbol) << 2), (code << 8) | length);
      symbol++;
      code++;
    }
    code <<= 1;
  }
}

/** Size category of a magnitude: its bit length (0 for 0). */
// @ts-ignore: decorator
@inline export function category(magnitude: u32): u32 {
  return 32 - clz(magnitude);
}

/** The extra bits of `value` in `size` bits: the value itself, or value − 1 when negative. */
// @ts-ignore: decorator
@inline export function extraBits(value: i32, size: u32): u32 {
  return <u32>(value + (value >> 31)) & ((1 << size) - 1);
}

/** Writes a symbol's code followed by `size` extra bits, in one step. */
// @ts-ignore: decorator
@inline export function putCoded(code: u32, bits: u32, size: u32): void {
  putBits(((code >> 8) << size) | bits, <i32>((code & 0xFF) + size));
}

/** Bit k set when coefficient k (zigzag order) of the block is not zero. */
// @ts-ignore: decorator
@inline export function nonzeroMask(block: usize): u64 {
  let zero = i16x8.splat(0);
  let m0 = i8x16.narrow_i16x8_s(i16x8.ne(v128.load(block, 0), zero), i16x8.ne(v128.load(block, 16), zero));
  let m1 = i8x16.narrow_i16x8_s(i16x8.ne(v128.load(block, 32), zero), i16x8.ne(v128.load(block, 48), zero));
  let m2 = i8x16.narrow_i16x8_s(i16x8.ne(v128.load(block, 64), zero), i16x8.ne(v128.load(block, 80), zero));
  let m3 = i8x16.narrow_i16x8_s(i16x8.ne(v128.load(block, 96), zero), i16x8.ne(v128.load(block, 112), zero));
  return <u64><u32>i8x16.bitmask(m0) | (<u64><u32>i8x16.bitmask(m1) << 16)
    | (<u64><u32>i8x16.bitmask(m2) << 32) | (<u64><u32>i8x16.bitmask(m3) << 48);
}

/** Codes one block; returns its DC coefficient, the next block's prediction. */
export function encodeBlock(block: usize, previousDc: i32, dcCodes: usize, acCodes: usize): i32 {
  let dc = <i32>load<i16>(block);
  let difference = dc - previousDc;
  let size = category(<u32>abs(difference));
  putCoded(load<u32>(dcCodes + (<usize>size << 2)), extraBits(difference, size), size);

  let mask = nonzeroMask(block) & ~(<u64>1);
  let previous: i32 = 0;
  while (mask != 0) {
    let k = <i32>ctz(mask);
    let run = k - previous - 1;
    while (run > 15) {
      let zrl = load<u32>(acCodes + (SYMBOL_ZRL << 2));
      putBits(zrl >> 8, <i32>(zrl & 0xFF));
      run -= 16;
    }
    let value = <i32>load<i16>(block + (<usize>k << 1));
    size = category(<u32>abs(value));
    putCoded(load<u32>(acCodes + ((<usize>(run << 4) | size) << 2)), extraBits(value, size), size);
    previous = k;
    mask &= mask - 1;
  }
  if (previous != 63) {
    let eob = load<u32>(acCodes);
    putBits(eob >> 8, <i32>(eob & 0xFF));
  }
  return dc;
}

// @ts-ignore: decorator
@inline function countSymbol(counts: usize, symbol: u32): void {
  let at = counts + (<usize>symbol << 2);
  store<u32>(at, load<u32>(at) + 1);
}

/** Counts the symbols encodeBlock would write; returns the block's DC coefficient. */
export function countBlock(block: usize, previousDc: i32, dcCounts: usize, acCounts: usize): i32 {
  let dc = <i32>load<i16>(block);
  countSymbol(dcCounts, category(<u32>abs(dc - previousDc)));
  let mask = nonzeroMask(block) & ~(<u64>1);
  let previous: i32 = 0;
  while (mask != 0) {
    let k = <i32>ctz(mask);
    let run = k - previous - 1;
    while (run > 15) {
      countSymbol(acCounts, SYMBOL_ZRL);
      run -= 16;
    }
    countSymbol(acCounts, (<u32>run << 4) | category(<u32>abs(<i32>load<i16>(block + (<usize>k << 1)))));
    previous = k;
    mask &= mask - 1;
  }
  if (previous != 63) countSymbol(acCounts, 0);
  return dc;
}

/**
 * The optimal table specification for the symbol counts at `counts` (257 u32, changed),
 * written to `spec`, as jpeg_gen_optimal_table: Huffman's procedure with a reserved
 * symbol 256 of count 1 (so that no code is all ones), ties broken towards the larger
 * symbol, lengths over 16 folded back as T.81 K.2 describes.
 */
export function optimalTable(counts: usize, spec: usize, work: usize): void {
  let codeSize = work;            // 257 i32: code length of each symbol
  let next = work + 257 * 4;      // 257 i32: next symbol in the same subtree, or −1
  let lengths = work + 257 * 8;   // 33 i32: symbols of each code length
  memory.fill(codeSize, 0, 257 * 4);
  memory.fill(next, 0xFF, 257 * 4);
  memory.fill(lengths, 0, 33 * 4);
  store<u32>(counts + 256 * 4, 1);

  while (true) {
    // The two least counts, the larger symbol first among equals. libjpeg starts its
    // search at 10^9, so a count above that is never picked: kept for identical tables.
    let c1 = -1, c2 = -1;
    let least: u32 = 1000000000;
    for (let i = 0; i <= 256; i++) {
      let f = load<u32>(counts + (<usize>i << 2));
      if (f != 0 && f <= least) { least = f; c1 = i; }
    }
    least = 1000000000;
    for (let i = 0; i <= 256; i++) {
      let f = load<u32>(counts + (<usize>i << 2));
      if (f != 0 && f <= least && i != c1) { least = f; c2 = i; }
    }
    if (c2 < 0) break;
    store<u32>(counts + (<usize>c1 << 2), load<u32>(counts + (<usize>c1 << 2)) + load<u32>(counts + (<usize>c2 << 2)));
    store<u32>(counts + (<usize>c2 << 2), 0);
    // Every symbol of both subtrees gets one bit longer; c2's chain is hung after c1's.
    let s = c1;
    while (true) {
      store<i32>(codeSize + (<usize>s << 2), load<i32>(codeSize + (<usize>s << 2)) + 1);
      let after = load<i32>(next + (<usize>s << 2));
      if (after < 0) break;
      s = after;
    }
    store<i32>(next + (<usize>s << 2), c2);
    s = c2;
    while (true) {
      store<i32>(codeSize + (<usize>s << 2), load<i32>(codeSize + (<usize>s << 2)) + 1);
      let after = load<i32>(next + (<usize>s << 2));
      if (after < 0) break;
      s = after;
    }
  }

  for (let i = 0; i <= 256; i++) {
    let size = load<i32>(codeSize + (<usize>i << 2));
    // Lengths cannot exceed 32 with at most 2^32 symbols counted; clamp anyway.
    if (size > LONGEST_CODE) size = LONGEST_CODE;
    if (size > 0) store<i32>(lengths + (<usize>size << 2), load<i32>(lengths + (<usize>size << 2)) + 1);
  }
  // Fold codes longer than 16 bits: two symbols of length i become one of length i − 1
  // and one more of length j + 1, the longest shorter length j that has a code to split.
  for (let i = LONGEST_CODE; i > 16; i--) {
    while (load<i32>(lengths + (<usize>i << 2)) > 0) {
      let j = i - 2;
      while (load<i32>(lengths + (<usize>j << 2)) == 0) j--;
      store<i32>(lengths + (<usize>i << 2), load<i32>(lengths + (<usize>i << 2)) - 2);
      store<i32>(lengths + (<usize>(i - 1) << 2), load<i32>(lengths + (<usize>(i - 1) << 2)) + 1);
      store<i32>(lengths + (<usize>(j + 1) << 2), load<i32>(lengths + (<usize>(j + 1) << 2)) + 2);
      store<i32>(lengths + (<usize>j << 2), load<i32>(lengths + (<usize>j << 2)) - 1);
    }
  }
  // The reserved symbol leaves the longest length still in use.
  let longest = 16;
  while (load<i32>(lengths + (<usize>longest << 2)) == 0) longest--;
  store<i32>(lengths + (<usize>longest << 2), load<i32>(lengths + (<usize>longest << 2)) - 1);

  for (let i: usize = 1; i <= 16; i++) store<u8>(spec + i - 1, <u8>load<i32>(lengths + (i << 2)));
  // Symbols by their code length before folding, as libjpeg lists them.
  let out = spec + 16;
  for (let size = 1; size <= LONGEST_CODE; size++) {
    for (let j = 0; j <= 255; j++) {
      if (load<i32>(codeSize + (<usize>j << 2)) == size) {
        store<u8>(out, <u8>j);
        out++;
      }
    }
  }
}
