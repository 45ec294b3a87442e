// The JPEG encoder's output: a scratch block that grows as the file does, written a byte at
// a time for markers and a bit at a time for entropy-coded data.
//
// Bits collect in a 64-bit buffer, most significant first, and leave it 32 at a time; a
// 0xFF byte of coded data is followed by a stuffed 0x00 (T.81 F.1.2.3), which the fast path
// checks for in all four bytes at once. A scan ends on a byte boundary, padded with 1 bits.
//
// The block grows only in writerReserve, called before each MCU (or block) with a bound on
// what it can write (BLOCK_BOUND bytes per block); the bit buffer is not in memory, so
// moving the bytes never disturbs it.

import { scratchAllocate, scratchRelease } from "../../alloc/arena";
import { setResult } from "../../alloc/state";
import { RESULT_SIZE } from "../../alloc/layout";

/**
 * Most bytes one block of coefficients can take: a DC code and 63 AC codes of at most
 * 16 + 11 bits each, every byte stuffed (27 · 64 / 8 · 2 = 432), rounded up.
 */
export const BLOCK_BOUND: usize = 512;

let start: usize = 0;
let cursor: usize = 0;
let limit: usize = 0;
let bitBuffer: u64 = 0;
let bitCount: i32 = 0;

/** Takes a block of `capacity` bytes (or more) for a new file; false with the status set when it cannot. */
export function writerOpen(capacity: usize): bool {
  start = scratchAllocate(capacity);
  if (start == 0) return false;
  cursor = start;
  limit = start + capacity;
  bitBuffer = 0;
  bitCount = 0;
  return true;
}

/** The file written so far: its block (returned to the caller), its length in RESULT_SIZE. */
export function writerFinish(): usize {
  setResult(RESULT_SIZE, <u32>(cursor - start));
  let file = start;
  start = 0;
  return file;
}

/** Frees the block after a failure. */
export function writerAbandon(): void {
  if (start != 0) scratchRelease(start);
  start = 0;
}

/** Makes room for `bytes` more; false with the status set when the arena has none. */
export function writerReserve(bytes: usize): bool {
  if (limit - cursor >= bytes) return true;
  let used = cursor - start;
  let capacity = (limit - start) << 1;
  if (capacity < used + bytes) capacity = used + bytes;
  let moved = scratchAllocate(capacity);
  if (moved == 0) return false;
  memory.copy(moved, start, used);
  scratchRelease(start);
  start = moved;
  cursor = moved + used;
  limit = moved + capacity;
  return true;
}

// @ts-ignore: decorator
@inline export function putByte(value: u32): void {
  store<u8>(cursor, <u8>value);
  cursor++;
}

// @ts-ignore: decorator
@inline export function putWord(value: u32): void {
  store<u8>(cursor, <u8>(value >> 8));
  store<u8>(cursor, <u8>value, 1);
  cursor += 2;
}

/** A marker segment's header: FF `marker`, then the segment length (which counts itself). */
export function putMarker(marker: u32, length: u32): void {
  putByte(0xFF);
  putByte(marker);
  putWord(length);
}

/** Writes `length` (≤ 32) bits, the low ones of `bits`, which has no bits above them. */
// @ts-ignore: decorator
@inline export function putBits(bits: u32, length: i32): void {
  bitBuffer = (bitBuffer << <u64>length) | <u64>bits;
  bitCount += length;
  if (bitCount >= 32) putWordOfBits();
}

/** Moves the oldest 32 buffered bits to the output, stuffing after each 0xFF byte. */
// @ts-ignore: decorator
@inline function putWordOfBits(): void {
  bitCount -= 32;
  let word = <u32>(bitBuffer >> <u64>bitCount);
  let inverse = ~word;
  if (((inverse - 0x01010101) & ~inverse & 0x80808080) == 0) {
    store<u32>(cursor, bswap(word));
    cursor += 4;
  } else {
    putStuffed(word >> 24);
    putStuffed((word >> 16) & 0xFF);
    putStuffed((word >> 8) & 0xFF);
    putStuffed(word & 0xFF);
  }
}

// @ts-ignore: decorator
@inline function putStuffed(value: u32): void {
  store<u8>(cursor, <u8>value);
  cursor++;
  if (value == 0xFF) {
    store<u8>(cursor, 0);
    cursor++;
  }
}

/** Ends a scan: pads the last byte with 1 bits and writes out every buffered bit. */
export function flushBits(): void {
  putBits(0x7F, 7);
  while (bitCount >= 8) {
    bitCount -= 8;
    putStuffed(<u32>(bitBuffer >> <u64>bitCount) & 0xFF);
  }
  bitBuffer = 0;
  bitCount = 0;
}
