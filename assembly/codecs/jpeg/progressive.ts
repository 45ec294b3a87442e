// Progressive scans (jdphuff.c): DC first and refinement passes, AC first and refinement
// passes with end-of-band runs, decoding into the whole-image coefficient arrays.
//
// Coefficients are stored as libjpeg's JCOEF (16 bits), with its shifts and wrap-arounds:
// a first pass stores value << Al, a refinement adds or subtracts 1 << Al to coefficients
// already nonzero and places ±(1 << Al) on newly nonzero ones. Unlike libjpeg, the arrays
// of a progressive file keep each block in zigzag order, so that a band is a run of
// consecutive coefficients and the nonzero ones of a block are one 64-bit mask; the output
// pass puts them back in natural order (dezigzag). A run past the end of the block lands
// on the last coefficient, as libjpeg's extra zigzag entries make it.
//
// The AC decoders keep the bit buffer in locals (as decodeBlock does) and refill it to at
// least 57 bits whenever fewer than 32 are left: a code (at most 17 bits) and its value
// or run bits (at most 15) always fit.

import { bitBuffer, bitCount, refill, decodeSymbol, extend, readBits, HUFFMAN_FAST } from "./huffman-decode";

/** End-of-band run left over from earlier blocks of this scan (reset at restarts). */
let endOfBandRun: u32 = 0;

export function resetEndOfBandRun(): void { endOfBandRun = 0; }

/** A DC prediction left the i32 range (libjpeg-turbo refuses such data). */
export let predictionOverflow: bool = false;

export function resetPredictionOverflow(): void { predictionOverflow = false; }

/** DC first pass of one block: the difference added to `prediction`, stored << Al; returns the prediction. */
export function decodeDcFirst(block: usize, dcTable: usize, prediction: i32, al: u32): i32 {
  if (bitCount < 32) refill();
  let buffer = bitBuffer, count = bitCount;
  let entry = decodeSymbol(dcTable, buffer);
  let length = entry >> 8, size = entry & 15;
  buffer <<= <u64>length;
  count -= <i32>length;
  let difference: i32 = 0;
  if (size != 0) {
    difference = extend(buffer, size);
    buffer <<= <u64>size;
    count -= <i32>size;
  }
  bitBuffer = buffer;
  bitCount = count;
  let sum = <i64>prediction + <i64>difference;
  if (sum != <i64><i32>sum) predictionOverflow = true;
  prediction = <i32>sum;
  store<i16>(block, <i16>(prediction << al));
  return prediction;
}

/** DC refinement: one bit at position Al. */
export function decodeDcRefine(block: usize, al: u32): void {
  if (readBits(1) != 0) store<i16>(block, <i16>(<i32>load<i16>(block) | (1 << al)));
}

// @ts-ignore: decorator
@inline function at(block: usize, k: u32): usize {
  return block + (<usize>min<u32>(k, 63) << 1);
}

/** AC first pass over the band start..end of one block. */
export function decodeAcFirst(block: usize, acTable: usize, start: u32, end: u32, al: u32): void {
  if (endOfBandRun > 0) {
    endOfBandRun--;
    return;
  }
  let buffer = bitBuffer, count = bitCount;
  let fast = acTable + HUFFMAN_FAST;
  for (let k = start; k <= end; k++) {
    if (count < 32) {
      bitBuffer = buffer; bitCount = count;
      refill();
      buffer = bitBuffer; count = bitCount;
    }
    let coefficient = load<i32>(fast + (<usize>(buffer >> 54) << 2));
    if (coefficient != 0) {
      k += (<u32>(coefficient >> 8) & 31) - 1;
      let bits = <u32>coefficient & 31;
      buffer <<= <u64>bits;
      count -= <i32>bits;
      store<i16>(at(block, k), <i16>((coefficient >> 16) << al));
      continue;
    }
    let entry = decodeSymbol(acTable, buffer);
    let length = entry >> 8;
    buffer <<= <u64>length;
    count -= <i32>length;
    let run = (entry >> 4) & 15, size = entry & 15;
    if (size != 0) {
      k += run;
      let value = extend(buffer, size);
      buffer <<= <u64>size;
      count -= <i32>size;
      store<i16>(at(block, k), <i16>(value << al));
    } else if (run == 15) {
      k += 15;
    } else {
      let eob: u32 = 1 << run;
      if (run != 0) {
        eob += <u32>(buffer >> <u64>(64 - run));
        buffer <<= <u64>run;
        count -= <i32>run;
      }
      endOfBandRun = eob - 1;
      break;
    }
  }
  bitBuffer = buffer;
  bitCount = count;
}

/**
 * Bit k set when AC coefficient k (zigzag order, 1..63) of the block is nonzero; bit 0
 * (the DC, outside every AC band) is left clear.
 */
// @ts-ignore: decorator
@inline function nonzeroMask(block: usize): u64 {
  let zero = i16x8.splat(0);
  let first = v128.and(v128.load(block), v128(0, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
  let any = v128.or(v128.or(v128.or(first, v128.load(block, 16)), v128.or(v128.load(block, 32), v128.load(block, 48))),
    v128.or(v128.or(v128.load(block, 64), v128.load(block, 80)), v128.or(v128.load(block, 96), v128.load(block, 112))));
  if (!v128.any_true(any)) return 0;
  let mask = <u64>i16x8.bitmask(v128.not(i16x8.eq(first, zero)));
  for (let i: usize = 1; i < 8; i++) {
    mask |= <u64>i16x8.bitmask(v128.not(i16x8.eq(v128.load(block + (i << 4)), zero))) << <u64>(i << 3);
  }
  return mask;
}

/** Bits a..b (a ≤ b + 1, b ≤ 63) set; empty when a = b + 1. */
// @ts-ignore: decorator
@inline function bitRange(a: u32, b: u32): u64 {
  return ((<u64>2 << <u64>b) - 1) & ~((<u64>1 << <u64>a) - 1);
}

/**
 * Applies correction bits to the coefficients of `passed` (each already nonzero), in
 * order, one bit each from the top of `bits`: a 1 adds 1 << Al to the magnitude unless
 * that bit is set already. Branch-free, as the bits are noise.
 */
// @ts-ignore: decorator
@inline function correct(block: usize, passed: u64, bits: u64, bit: i32): void {
  while (passed != 0) {
    let address = block + (<usize>ctz(passed) << 1);
    passed &= passed - 1;
    let coefficient = <i32>load<i16>(address);
    let apply = -(<i32>(bits >> 63) & <i32>((coefficient & bit) == 0));
    let sign = coefficient >> 31;
    store<i16>(address, <i16>(coefficient + (((bit ^ sign) - sign) & apply)));
    bits <<= 1;
  }
}

/** The lowest `count` set bits of `mask`. */
function lowestBits(mask: u64, count: i32): u64 {
  let result: u64 = 0;
  for (let i = 0; i < count; i++) {
    let lowest = mask & (~mask + 1);
    result |= lowest;
    mask ^= lowest;
  }
  return result;
}

/**
 * AC refinement pass over the band start..end of one block. Coefficients already nonzero
 * (bits of `nonzero`) take one correction bit each, in order; zero ones are skipped by
 * the runs of the codes, and a code's new ±(1 << Al) lands on the zero it runs to.
 */
export function decodeAcRefine(block: usize, acTable: usize, start: u32, end: u32, al: u32): void {
  let bit = 1 << al;
  let buffer = bitBuffer, count = bitCount;
  let nonzero = nonzeroMask(block);
  let k = start;
  let passed: u64 = 0;
  if (endOfBandRun == 0) {
    while (k <= end) {
      if (count < 32) {
        bitBuffer = buffer; bitCount = count;
        refill();
        buffer = bitBuffer; count = bitCount;
      }
      let entry = decodeSymbol(acTable, buffer);
      let length = entry >> 8;
      buffer <<= <u64>length;
      count -= <i32>length;
      let run = (entry >> 4) & 15, size = entry & 15;
      let value: i32 = 0;
      if (size != 0) {
        value = (buffer >> 63) != 0 ? bit : -bit;
        buffer <<= 1;
        count--;
      } else if (run != 15) {
        let eob: u32 = 1 << run;
        if (run != 0) {
          eob += <u32>(buffer >> <u64>(64 - run));
          buffer <<= <u64>run;
          count -= <i32>run;
        }
        endOfBandRun = eob;
        break;
      }
      // The target is the (run + 1)-th zero coefficient from k on (past the band: end + 1);
      // the nonzero ones passed on the way take their correction bits now.
      let zeros = ~nonzero & bitRange(k, end);
      for (let i: u32 = 0; i < run && zeros != 0; i++) zeros &= zeros - 1;
      let target = zeros != 0 ? <u32>ctz(zeros) : end + 1;
      passed = nonzero & bitRange(k, target - 1);
      while (passed != 0) {
        if (count < 32) {
          bitBuffer = buffer; bitCount = count;
          refill();
          buffer = bitBuffer; count = bitCount;
        }
        let part = passed;
        let n = <i32>popcnt(passed);
        if (n > count) { part = lowestBits(passed, count); n = count; }
        correct(block, part, buffer, bit);
        passed ^= part;
        buffer <<= <u64>n;
        count -= n;
      }
      k = target;
      if (value != 0) {
        let index = min<u32>(k, 63);
        store<i16>(block + (<usize>index << 1), <i16>value);
        nonzero |= <u64>1 << <u64>index;
      }
      k++;
    }
  }
  if (endOfBandRun > 0) {
    // The rest of the band: a correction bit for each nonzero coefficient.
    passed = k <= end ? nonzero & bitRange(k, end) : 0;
    while (passed != 0) {
      if (count < 32) {
        bitBuffer = buffer; bitCount = count;
        refill();
        buffer = bitBuffer; count = bitCount;
      }
      let part = passed;
      let n = <i32>popcnt(passed);
      if (n > count) { part = lowestBits(passed, count); n = count; }
      correct(block, part, buffer, bit);
      passed ^= part;
      buffer <<= <u64>n;
      count -= n;
    }
    endOfBandRun--;
  }
  bitBuffer = buffer;
  bitCount = count;
}

/** Copies a block stored in zigzag order into `out` in natural order (zeroing nothing). */
export function dezigzag(block: usize, out: usize): void {
  let z0 = v128.load(block), z1 = v128.load(block, 16), z2 = v128.load(block, 32), z3 = v128.load(block, 48);
  let z4 = v128.load(block, 64), z5 = v128.load(block, 80), z6 = v128.load(block, 96), z7 = v128.load(block, 112);
  v128.store(out, v128.or(v128.or(i8x16.swizzle(z0, i8x16(0, 1, 2, 3, 10, 11, 12, 13, -1, -1, -1, -1, -1, -1, -1, -1)),
    i8x16.swizzle(z1, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, 12, 13, 14, 15, -1, -1, -1, -1))),
    i8x16.swizzle(z3, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 6, 7, 8, 9))), 0);
  v128.store(out, v128.or(v128.or(v128.or(v128.or(i8x16.swizzle(z0, i8x16(4, 5, 8, 9, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)),
    i8x16.swizzle(z1, i8x16(-1, -1, -1, -1, -1, -1, 10, 11, -1, -1, -1, -1, -1, -1, -1, -1))),
    i8x16.swizzle(z2, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, 0, 1, -1, -1, -1, -1, -1, -1))),
    i8x16.swizzle(z3, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 4, 5, 10, 11, -1, -1))),
    i8x16.swizzle(z5, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 4, 5))), 16);
  v128.store(out, v128.or(v128.or(v128.or(v128.or(i8x16.swizzle(z0, i8x16(6, 7, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)),
    i8x16.swizzle(z1, i8x16(-1, -1, 0, 1, 8, 9, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1))),
    i8x16.swizzle(z2, i8x16(-1, -1, -1, -1, -1, -1, 2, 3, -1, -1, -1, -1, -1, -1, -1, -1))),
    i8x16.swizzle(z3, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, 2, 3, 12, 13, -1, -1, -1, -1))),
    i8x16.swizzle(z5, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 2, 3, 6, 7))), 32);
  v128.store(out, v128.or(v128.or(v128.or(v128.or(i8x16.swizzle(z1, i8x16(2, 3, 6, 7, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)),
    i8x16.swizzle(z2, i8x16(-1, -1, -1, -1, 4, 5, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1))),
    i8x16.swizzle(z3, i8x16(-1, -1, -1, -1, -1, -1, 0, 1, 14, 15, -1, -1, -1, -1, -1, -1))),
    i8x16.swizzle(z5, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 1, 8, 9, -1, -1))),
    i8x16.swizzle(z6, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 10, 11))), 48);
  v128.store(out, v128.or(v128.or(v128.or(v128.or(i8x16.swizzle(z1, i8x16(4, 5, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)),
    i8x16.swizzle(z2, i8x16(-1, -1, 6, 7, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1))),
    i8x16.swizzle(z4, i8x16(-1, -1, -1, -1, -1, -1, 0, 1, 14, 15, -1, -1, -1, -1, -1, -1))),
    i8x16.swizzle(z5, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 10, 11, -1, -1, -1, -1))),
    i8x16.swizzle(z6, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 8, 9, 12, 13))), 64);
  v128.store(out, v128.or(v128.or(v128.or(v128.or(i8x16.swizzle(z2, i8x16(8, 9, 12, 13, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)),
    i8x16.swizzle(z4, i8x16(-1, -1, -1, -1, 2, 3, 12, 13, -1, -1, -1, -1, -1, -1, -1, -1))),
    i8x16.swizzle(z5, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, 12, 13, -1, -1, -1, -1, -1, -1))),
    i8x16.swizzle(z6, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 6, 7, 14, 15, -1, -1))),
    i8x16.swizzle(z7, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 8, 9))), 80);
  v128.store(out, v128.or(v128.or(v128.or(v128.or(i8x16.swizzle(z2, i8x16(10, 11, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)),
    i8x16.swizzle(z4, i8x16(-1, -1, 4, 5, 10, 11, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1))),
    i8x16.swizzle(z5, i8x16(-1, -1, -1, -1, -1, -1, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1))),
    i8x16.swizzle(z6, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, 4, 5, -1, -1, -1, -1, -1, -1))),
    i8x16.swizzle(z7, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 1, 6, 7, 10, 11))), 96);
  v128.store(out, v128.or(v128.or(i8x16.swizzle(z4, i8x16(6, 7, 8, 9, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)),
    i8x16.swizzle(z6, i8x16(-1, -1, -1, -1, 0, 1, 2, 3, -1, -1, -1, -1, -1, -1, -1, -1))),
    i8x16.swizzle(z7, i8x16(-1, -1, -1, -1, -1, -1, -1, -1, 2, 3, 4, 5, 12, 13, 14, 15))), 112);
}
