// Deflate (RFC 1951) with a zlib wrapper (RFC 1950), from arena memory into a growing
// scratch block: the compressor of PNG encoding and of zlibDeflate.
//
// Data arrives in pieces (deflateWrite) into a window buffer and is compressed when the
// buffer fills; the buffer then slides, keeping the last 32 KiB for matches. Matches are
// found through hash chains of 4-byte prefixes:
//   levels 1–3  greedy: the longest match of a short chain is taken at once
//   levels 4–9  lazy: a match is taken only if the next position has no longer one
//               (zlib's deflate_slow), chains longer with the level
//   level 0     stored blocks only
// Where the search does not pay, blocks switch to run-length matching only (zlib's Z_RLE,
// a few nanoseconds a byte): after each fully searched block its size is compared with
// what runs alone make of it (searchEffortAdapt). Filtered photographs are such data:
// their matches are short and far, and cost about what they replace.
// Symbols are gathered per block; a block is written with the cheapest of a dynamic
// Huffman code (code lengths limited to 15 bits, 7 for the code-length code), the fixed
// code, or stored bytes, all three sized exactly before choosing.
//
// Positions are virtual: stream offset + WINDOW_SIZE, so that 0 in a hash table is
// always out of reach and the tables need no rebasing when the buffer slides.
//
// Working memory (scratch, DEFLATE_WORK_BYTES):
//
//   HEAD      u32 × 2^HASH_BITS     newest position per hash
//   PREV      u32 × 32768           previous position of the same hash, by position mod 32 Ki
//   SYMBOLS   u32 × SYMBOL_LIMIT    literal (< 256) or distance << 9 | length
//   FREQ      u32 × (288 + 32 + 19) symbol counts of the block: literal/length, distance, code length
//   LENGTHS   u8 × (288 + 32 + 19)  code lengths;  CODES u16 × (288 + 32 + 19) codewords (bit-reversed)
//   SORT      u32 × 288 × 2, LEVELS u32 × 32   Huffman construction
//   RUNS      u16 × 320             run-length coded code lengths of a dynamic header
//   LENGTH_SYMBOL u8 × 256, DISTANCE_SYMBOL u8 × 512   symbol of a length − 3, of a distance − 1
//   ENTRIES   u32 × (256 + 256 + 32)  a block's bits per literal, per length − 3 (codeword and
//                                     extra bits together), per distance symbol: bits | count << 24
//   HISTOGRAM u32 × 288, u8 × 288     a block's symbols and code lengths as run-length matching
//                                     alone would make them (searchEffortAdapt)
//   WINDOW    BUFFER_SIZE + slack
//
// Output: a scratch block grown by copying; with PNG framing on, the stream is cut into
// IDAT chunks (length, type, data, CRC) at block boundaries once a chunk holds
// IDAT_TARGET bytes.

import { scratchAllocate, scratchRelease } from "../../alloc/arena";
import { lastError } from "../../alloc/state";
import {
  LENGTH_BASE, LENGTH_EXTRA, DISTANCE_BASE, DISTANCE_EXTRA, PRECODE_ORDER,
  END_OF_BLOCK, MAX_CODE_LENGTH, MAX_PRECODE_LENGTH, WINDOW_SIZE, MAX_MATCH
} from "./tables";
import { adler32 } from "./adler32";
import { crcUpdate, CRC_TABLE_BYTES, crcTableBuild } from "./crc32";

const HASH_BITS: u32 = 15;
const HASH_SIZE: usize = 1 << HASH_BITS;
const WINDOW_MASK: u32 = <u32>WINDOW_SIZE - 1;
const SYMBOL_LIMIT: u32 = 32768;
/** Symbols of a block that tries the full search again (or first): a sample, kept short. */
const TRIAL_SYMBOLS: u32 = 8192;
/** Bytes kept ahead of the match position while more data may come (zlib's MIN_LOOKAHEAD). */
const LOOKAHEAD: usize = <usize>MAX_MATCH + 4;
/** Window buffer: 32 KiB of history plus room for new data between slides. */
const BUFFER_SIZE: usize = 256 * 1024;
const BUFFER_SLACK: usize = 16;
const STORED_MAX: usize = 65535;
const IDAT_TARGET: usize = 65536;
/** Shortest match searched for: the bytes the hash covers (deflate's own minimum is 3). */
const MATCH_MIN: u32 = 4;

const HEAD: usize = 0;
const PREV: usize = HEAD + (HASH_SIZE << 2);
const SYMBOLS: usize = PREV + (WINDOW_SIZE << 2);
const FREQ: usize = SYMBOLS + (<usize>SYMBOL_LIMIT << 2);
const LIT_FREQ: usize = FREQ;
const DIST_FREQ: usize = FREQ + 288 * 4;
const PRE_FREQ: usize = DIST_FREQ + 32 * 4;
const LENGTHS: usize = PRE_FREQ + 20 * 4;
const LIT_LENGTHS: usize = LENGTHS;
const DIST_LENGTHS: usize = LENGTHS + 288;
const PRE_LENGTHS: usize = DIST_LENGTHS + 32;
const CODES: usize = (PRE_LENGTHS + 20 + 15) & ~15;
const LIT_CODES: usize = CODES;
const DIST_CODES: usize = CODES + 288 * 2;
const PRE_CODES: usize = DIST_CODES + 32 * 2;
const SORT: usize = (PRE_CODES + 20 * 2 + 15) & ~15;
const LEVELS: usize = SORT + 288 * 8;
const RUNS: usize = LEVELS + 32 * 4;
const LENGTH_SYMBOL: usize = RUNS + 320 * 2;
const DISTANCE_SYMBOL: usize = LENGTH_SYMBOL + 256;
const ENTRIES: usize = DISTANCE_SYMBOL + 512;
const LIT_ENTRIES: usize = ENTRIES;
const MATCH_ENTRIES: usize = LIT_ENTRIES + 256 * 4;
const DIST_ENTRIES: usize = MATCH_ENTRIES + 256 * 4;
const HISTOGRAM: usize = DIST_ENTRIES + 32 * 4;
const HISTOGRAM_LENGTHS: usize = HISTOGRAM + 288 * 4;
const CRC_TABLES: usize = (HISTOGRAM_LENGTHS + 288 + 15) & ~15;
const WINDOW: usize = CRC_TABLES + CRC_TABLE_BYTES;
/** Bytes of working memory deflateBegin needs. */
export const DEFLATE_WORK_BYTES: usize = WINDOW + BUFFER_SIZE + BUFFER_SLACK;

// Per level 0..9: chain length, lazy limit (take a match this long at once; 0: greedy),
// nice length (stop searching), good length (a pending match this long quarters the
// chain). At every level, blocks may fall back to run-length matching (searchEffortAdapt).
// @ts-ignore: decorator
@lazy const CHAINS = memory.data<u16>([0, 2, 4, 6, 4, 6, 8, 16, 64, 512]);
// @ts-ignore: decorator
@lazy const LAZY = memory.data<u16>([0, 0, 0, 0, 4, 4, 4, 8, 32, 258]);
// @ts-ignore: decorator
@lazy const NICE = memory.data<u16>([0, 16, 24, 32, 16, 24, 32, 64, 128, 258]);
// @ts-ignore: decorator
@lazy const GOOD = memory.data<u16>([0, 4, 4, 4, 4, 4, 4, 8, 16, 32]);
/** Most blocks in a row run-length matched before the full search is tried again. */
const RUN_BLOCKS_MOST: u32 = 8;
/** Shortest run-length match (distance 1). */
const RUN_MIN: u32 = 4;
/** Bytes of a block of run-length matching (the window buffer keeps them until it is written). */
const RUNS_BLOCK_BYTES: u32 = 64 * 1024;
/** Percent the full search must save over run-length matching to go on. */
const RUNS_MARGIN: u64 = 3;

// ── state (this thread's, for the current stream) ───────────────────────────────

let work: usize = 0;
let level: u32 = 6;
let chainLimit: u32 = 0;
let lazyLimit: u32 = 0;
let niceLength: u32 = 0;
let goodLength: u32 = 0;
/** Blocks still to be run-length matched (0: full search). */
let runBlocks: u32 = 0;
/** Full-search blocks in a row whose matches paid too little: the next run of runBlocks doubles. */
let futileBlocks: u32 = 0;
// window: buffer byte i holds virtual position bufferPos + i; `filled` bytes are valid
let bufferPos: u32 = 0;
let filled: usize = 0;
let position: u32 = 0;       // next position to look at
let blockStart: u32 = 0;     // first position of the pending block
let symbolCount: u32 = 0;
/** Symbols the current block may hold. */
let symbolLimit: u32 = TRIAL_SYMBOLS;
// lazy matching: a match found at position − 1 waiting for the next position's
let pendingLength: u32 = 0;
let pendingDistance: u32 = 0;
let pendingLiteral: bool = false;
let adler: u32 = 1;
// output
let outBlock: usize = 0;
let outEnd: usize = 0;
let out: usize = 0;
let bitBuffer: u64 = 0;
let bitCount: u32 = 0;
let framing: bool = false;
let chunkStart: usize = 0;   // offset in outBlock of the open IDAT chunk's length field
let failed: i32 = 0;

/** The output block and its length after deflateFinish. */
export function deflateOutput(): usize { return outBlock; }
export function deflateOutputLength(): usize { return out - outBlock; }
/** Nonzero (an error code) when an output block could not grow. */
export function deflateFailed(): i32 { return failed; }

/**
 * Starts a zlib stream at `compression` level 0..9, writing into a new scratch block of
 * `initialBytes` (at least 1 KiB); `idat` cuts it into PNG IDAT chunks. The caller writes
 * its own bytes (a PNG's signature and IHDR, its IEND) at deflateCursor after
 * deflateReserve. Returns false (status set) when the block cannot be had.
 */
export function deflateBegin(workArea: usize, compression: u32, initialBytes: usize, idat: bool): bool {
  work = workArea;
  level = min<u32>(compression, 9);
  chainLimit = <u32>load<u16>(CHAINS + (<usize>level << 1));
  lazyLimit = <u32>load<u16>(LAZY + (<usize>level << 1));
  niceLength = <u32>load<u16>(NICE + (<usize>level << 1));
  goodLength = <u32>load<u16>(GOOD + (<usize>level << 1));
  runBlocks = 0;
  futileBlocks = 0;
  memory.fill(work + HEAD, 0, HASH_SIZE << 2);
  symbolTablesBuild();
  crcTableBuild(work + CRC_TABLES);
  bufferPos = <u32>WINDOW_SIZE;
  filled = 0;
  position = <u32>WINDOW_SIZE;
  blockStart = position;
  symbolCount = 0;
  symbolLimit = TRIAL_SYMBOLS;
  frequenciesClear();
  pendingLength = 0;
  pendingDistance = 0;
  pendingLiteral = false;
  adler = 1;
  bitBuffer = 0;
  bitCount = 0;
  failed = 0;
  framing = idat;
  outBlock = scratchAllocate(max<usize>(initialBytes, 1024));
  if (outBlock == 0) return false;
  outEnd = outBlock + max<usize>(initialBytes, 1024);
  out = outBlock;
  return true;
}

/** Room for `bytes` more output bytes (plus 8 for the bit writer); false when it cannot grow. */
export function deflateReserve(bytes: usize): bool {
  if (outEnd - out >= bytes + 16) return true;
  if (failed != 0) return false;
  let used = out - outBlock;
  let size = max<usize>((outEnd - outBlock) * 2, used + bytes + 65536);
  let grown = scratchAllocate(size);
  if (grown == 0) {
    failed = lastError();
    return false;
  }
  memory.copy(grown, outBlock, used);
  scratchRelease(outBlock);
  outBlock = grown;
  outEnd = grown + size;
  out = grown + used;
  return true;
}

/** Where the caller writes its own bytes (after deflateReserve); deflateAdvance moves past them. */
export function deflateCursor(): usize { return out; }
export function deflateAdvance(bytes: usize): void { out += bytes; }

/** Frees the output block (after an error, or once copied). */
export function deflateDiscard(): void {
  if (outBlock != 0) scratchRelease(outBlock);
  outBlock = 0;
}

function frequenciesClear(): void {
  memory.fill(work + FREQ, 0, (288 + 32 + 20) << 2);
}

/** Symbols of lengths 3..258 (by length − 3) and of distances 1..32768 (zlib's _dist_code layout). */
function symbolTablesBuild(): void {
  for (let s: u32 = 0; s < 29; s++) {
    let base = <u32>load<u16>(LENGTH_BASE + (<usize>s << 1));
    let span: u32 = s == 28 ? 1 : 1 << load<u8>(LENGTH_EXTRA + <usize>s);
    for (let i: u32 = 0; i < span && base - 3 + i < 256; i++) store<u8>(work + LENGTH_SYMBOL + <usize>(base - 3 + i), <u8>s);
  }
  // distances 1..256 directly; larger ones by (distance − 1) >> 7, at 256 + that
  for (let s: u32 = 0; s < 30; s++) {
    let base = <u32>load<u16>(DISTANCE_BASE + (<usize>s << 1));
    let span: u32 = 1 << load<u8>(DISTANCE_EXTRA + <usize>s);
    for (let i: u32 = 0; i < span; i++) {
      let d = base - 1 + i;
      if (d < 256) store<u8>(work + DISTANCE_SYMBOL + <usize>d, <u8>s);
      else if ((d & 127) == 0) store<u8>(work + DISTANCE_SYMBOL + 256 + <usize>(d >> 7), <u8>s);
    }
  }
}

// @ts-ignore: decorator
@inline function lengthSymbol(length: u32): u32 {
  return <u32>load<u8>(work + LENGTH_SYMBOL + <usize>(length - 3));
}

// @ts-ignore: decorator
@inline function distanceSymbol(distance: u32): u32 {
  let d = distance - 1;
  return d < 256 ? <u32>load<u8>(work + DISTANCE_SYMBOL + <usize>d) : <u32>load<u8>(work + DISTANCE_SYMBOL + 256 + <usize>(d >> 7));
}

// ── input ───────────────────────────────────────────────────────────────────────

/** Adds `length` bytes at `data` to the stream. False when the output cannot grow. */
export function deflateWrite(data: usize, length: usize): bool {
  adler = adler32(adler, data, length);
  let window = work + WINDOW;
  while (length > 0) {
    if (filled == BUFFER_SIZE) {
      if (!compress(false) || !slide()) return false;
    }
    let n = min<usize>(length, BUFFER_SIZE - filled);
    memory.copy(window + filled, data, n);
    filled += n;
    data += n;
    length -= n;
  }
  return failed == 0;
}

/** Compresses what is left, ends the stream (final block, Adler-32) and closes the last IDAT. */
export function deflateFinish(): bool {
  if (!compress(true)) return false;
  if (!blockFlush(true)) return false;
  bitsAlign();
  if (!deflateReserve(8)) return false;
  store<u32>(out, bswap<u32>(adler));
  out += 4;
  if (framing) idatClose();
  return true;
}

/** Writes the zlib header (deflate, 32 KiB window, a level hint). */
export function deflateZlibHeader(): bool {
  if (!deflateReserve(2)) return false;
  let hint: u32 = level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
  let header: u32 = 0x7800 | (hint << 6);
  if (header % 31 != 0) header += 31 - header % 31;
  store<u8>(out, <u8>(header >> 8));
  store<u8>(out + 1, <u8>header);
  out += 2;
  return true;
}

/**
 * Moves the last 32 KiB before `position` (and what follows) to the start of the buffer,
 * after writing the pending block (a stored block needs its bytes).
 */
function slide(): bool {
  let keep = position - <u32>WINDOW_SIZE;
  if (pendingLiteral) keep--;
  if (keep <= bufferPos) return true;
  if (blockStart < keep && !blockFlush(false)) return false;
  let shift = <usize>(keep - bufferPos);
  let window = work + WINDOW;
  memory.copy(window, window + shift, filled - shift);
  filled -= shift;
  bufferPos = keep;
  return true;
}

// ── matching ────────────────────────────────────────────────────────────────────
//
// The loops keep their state in locals (wasm globals are slower) and address the buffer
// through `origin` = buffer start − bufferPos, so that position p lives at origin + p
// (u32 arithmetic wraps consistently).

// @ts-ignore: decorator
@inline function hashAt(at: usize): usize {
  return <usize>(((load<u64>(at) << (64 - 8 * <u64>MATCH_MIN)) * 0x9E3779B97F4A7C15) >> (64 - <u64>HASH_BITS));
}

/** Bytes equal at a and b, up to `limit`. */
// @ts-ignore: decorator
@inline function matchExtent(a: usize, b: usize, limit: u32): u32 {
  let n: u32 = 0;
  while (n + 8 <= limit) {
    let x = load<u64>(a + <usize>n) ^ load<u64>(b + <usize>n);
    if (x != 0) return n + (<u32>ctz<u64>(x) >> 3);
    n += 8;
  }
  while (n < limit && load<u8>(a + <usize>n) == load<u8>(b + <usize>n)) n++;
  return n;
}

let foundDistance: u32 = 0;

/**
 * The longest match at `pos` through the hash chain from `candidate`, longer than
 * `best`; returns its length (foundDistance its distance), or `best` when none is longer.
 */
// @ts-ignore: decorator
@inline function longestMatch(origin: usize, prev: usize, pos: u32, candidate: u32, best: u32, limit: u32, chain: u32, nice: u32): u32 {
  let here = origin + <usize>pos;
  let lowest = pos - <u32>WINDOW_SIZE;
  let first = load<u32>(here);
  while (candidate > lowest) {
    let there = origin + <usize>candidate;
    // the byte just past the best so far, and the first four, must agree
    if (load<u8>(there + <usize>best) == load<u8>(here + <usize>best) && load<u32>(there) == first) {
      let length: u32 = 4 + matchExtent(there + 4, here + 4, limit - 4);
      if (length > best) {
        best = length;
        foundDistance = pos - candidate;
        if (length >= nice) break;
      }
    }
    if (--chain == 0) break;
    candidate = load<u32>(prev + (<usize>(candidate & WINDOW_MASK) << 2));
  }
  return best;
}

// @ts-ignore: decorator
@inline function increment(at: usize): void {
  store<u32>(at, load<u32>(at) + 1);
}

// @ts-ignore: decorator
@inline function literalRecord(symbols: usize, count: u32, byte: u32): u32 {
  store<u32>(symbols + (<usize>count << 2), byte);
  increment(work + LIT_FREQ + (<usize>byte << 2));
  return count + 1;
}

// @ts-ignore: decorator
@inline function matchRecord(symbols: usize, count: u32, length: u32, distance: u32): u32 {
  store<u32>(symbols + (<usize>count << 2), (distance << 9) | length);
  increment(work + LIT_FREQ + (<usize>(257 + lengthSymbol(length)) << 2));
  increment(work + DIST_FREQ + (<usize>distanceSymbol(distance) << 2));
  return count + 1;
}

/** Enters `pos` in its hash chain; returns the previous head. */
// @ts-ignore: decorator
@inline function hashInsert(origin: usize, head: usize, prev: usize, pos: u32): u32 {
  let slot = head + (hashAt(origin + <usize>pos) << 2);
  let candidate = load<u32>(slot);
  store<u32>(prev + (<usize>(pos & WINDOW_MASK) << 2), candidate);
  store<u32>(slot, pos);
  return candidate;
}

/**
 * Compresses the buffer up to LOOKAHEAD bytes before its end (all of it when `final`).
 * Blocks are written as their symbols fill up. False when the output cannot grow.
 */
function compress(final: bool): bool {
  let end = bufferPos + <u32>filled;
  let stop = final ? end : (end > <u32>LOOKAHEAD ? end - <u32>LOOKAHEAD : 0);
  if (level == 0) {
    position = max<u32>(position, stop);
    while (position - blockStart >= <u32>STORED_MAX) {
      if (!storedWrite(blockStart, blockStart + <u32>STORED_MAX, false)) return false;
      blockStart += <u32>STORED_MAX;
      blockEnded(false);
    }
    return true;
  }
  // each run returns early when a block boundary switches the kind of search
  do {
    let ok = runBlocks > 0 ? runsRun(end, stop) : lazyLimit == 0 ? greedyRun(end, stop) : lazyRun(end, stop, final);
    if (!ok) return false;
  } while (position < stop);
  return true;
}

/** Levels 1–3: the longest match of a short chain is taken at once. */
function greedyRun(end: u32, stop: u32): bool {
  let origin = work + WINDOW - <usize>bufferPos;
  let head = work + HEAD, prev = work + PREV, symbols = work + SYMBOLS;
  let chain = chainLimit, nice = niceLength;
  let pos = position, count = symbolCount, limitNow = symbolLimit - 2;
  while (pos < stop) {
    if (count >= limitNow) {
      position = pos;
      symbolCount = count;
      if (!blockFlush(false)) return false;
      count = 0;
      limitNow = symbolLimit - 2;
      if (runBlocks > 0) break;
    }
    let limit = min<u32>(<u32>MAX_MATCH, end - pos);
    if (limit < MATCH_MIN) {
      count = literalRecord(symbols, count, <u32>load<u8>(origin + <usize>pos));
      pos++;
      continue;
    }
    let candidate = hashInsert(origin, head, prev, pos);
    let length = longestMatch(origin, prev, pos, candidate, MATCH_MIN - 1, limit, chain, min<u32>(nice, limit));
    if (length >= MATCH_MIN) {
      count = matchRecord(symbols, count, length, foundDistance);
      let next = pos + length;
      if (length <= nice) {
        let last = min<u32>(next, end - (MATCH_MIN - 1));
        for (let p = pos + 1; p < last; p++) hashInsert(origin, head, prev, p);
      }
      pos = next;
    } else {
      count = literalRecord(symbols, count, <u32>load<u8>(origin + <usize>pos));
      pos++;
    }
  }
  position = pos;
  symbolCount = count;
  return true;
}

/**
 * Of the eight positions at `here`, how many of the first five certainly start no run:
 * a run of RUN_MIN needs four bytes in a row equal to the byte before each. 5 when none
 * of the first five can start one. Branch-free, so that the many short repeats of
 * filtered images cost no mispredictions.
 */
// @ts-ignore: decorator
@inline function literalsAhead(here: usize): u32 {
  let x = load<u64>(here) ^ load<u64>(here - 1);
  // 0x80 in each byte of x that is zero (no false positives)
  let zero = ~(((x & 0x7F7F7F7F7F7F7F7F) + 0x7F7F7F7F7F7F7F7F) | x | 0x7F7F7F7F7F7F7F7F);
  let starts = zero & (zero >> 8) & (zero >> 16) & (zero >> 24) & 0x0000008080808080;
  return starts == 0 ? 5 : <u32>ctz<u64>(starts) >> 3;
}

/**
 * Run-length matching only (zlib's Z_RLE): a byte repeating the one before it starts a
 * match at distance 1. No hashing, and no symbols kept: the block's symbols follow from its
 * bytes alone, so they are only counted here, and runsWrite makes them again from the
 * same bytes when the block is written.
 */
function runsRun(end: u32, stop: u32): bool {
  let origin = work + WINDOW - <usize>bufferPos;
  let litFreq = work + LIT_FREQ;
  let lengthSymbols = work + LENGTH_SYMBOL;
  if (pendingLiteral) {
    // the lazy search left position − 1 unrecorded: it starts this block
    position--;
    pendingLiteral = false;
    pendingLength = 0;
  }
  let pos = position, matches: u32 = 0;
  // distance 1 needs a byte before: not at the stream's start
  if (pos == <u32>WINDOW_SIZE && pos < stop) {
    increment(litFreq + (<usize>load<u8>(origin + <usize>pos) << 2));
    pos++;
  }
  while (pos < stop) {
    if (pos - blockStart >= RUNS_BLOCK_BYTES) {
      position = pos;
      store<u32>(work + DIST_FREQ, load<u32>(work + DIST_FREQ) + matches);
      matches = 0;
      if (!blockFlush(false)) return false;
      if (runBlocks == 0) return true;
    }
    let here = origin + <usize>pos;
    if (end - pos >= 8) {
      let k = literalsAhead(here);
      for (let i: u32 = 0; i < k; i++) increment(litFreq + (<usize>load<u8>(here + <usize>i) << 2));
      pos += k;
      if (k == 5) continue;
      here += <usize>k;
    }
    let byte = <u32>load<u8>(here);
    let length: u32 = 0;
    if (byte == <u32>load<u8>(here - 1)) length = matchExtent(here, here - 1, min<u32>(<u32>MAX_MATCH, end - pos));
    if (length >= RUN_MIN) {
      increment(litFreq + ((257 + <usize>load<u8>(lengthSymbols + <usize>(length - 3))) << 2));
      matches++;
      pos += length;
    } else {
      increment(litFreq + (<usize>byte << 2));
      pos++;
    }
  }
  store<u32>(work + DIST_FREQ, load<u32>(work + DIST_FREQ) + matches);
  position = pos;
  return true;
}

/**
 * Levels 4–9: a match is taken only when the next position has no longer one (zlib's
 * deflate_slow); the match or literal of position − 1 waits as `pending`.
 */
function lazyRun(end: u32, stop: u32, final: bool): bool {
  let origin = work + WINDOW - <usize>bufferPos;
  let head = work + HEAD, prev = work + PREV, symbols = work + SYMBOLS;
  let chain = chainLimit, nice = niceLength, lazy = lazyLimit, good = goodLength;
  let pos = position, count = symbolCount, limitNow = symbolLimit - 2;
  let waiting = pendingLiteral, waitingLength = pendingLength, waitingDistance = pendingDistance;
  while (pos < stop) {
    if (count >= limitNow) {
      position = pos;
      symbolCount = count;
      pendingLiteral = waiting;
      if (!blockFlush(false)) return false;
      count = 0;
      limitNow = symbolLimit - 2;
      if (runBlocks > 0) break;
    }
    let limit = min<u32>(<u32>MAX_MATCH, end - pos);
    if (limit < MATCH_MIN) {
      // the last few bytes of the stream: a waiting match may still cover them
      if (waiting) {
        waiting = false;
        if (waitingLength >= MATCH_MIN) {
          count = matchRecord(symbols, count, waitingLength, waitingDistance);
          pos += waitingLength - 1;
          waitingLength = 0;
          continue;
        }
        count = literalRecord(symbols, count, <u32>load<u8>(origin + <usize>pos - 1));
      }
      count = literalRecord(symbols, count, <u32>load<u8>(origin + <usize>pos));
      pos++;
      continue;
    }
    let candidate = hashInsert(origin, head, prev, pos);
    let length: u32 = MATCH_MIN - 1;
    let distance: u32 = 0;
    if (waitingLength < lazy) {
      let floor = max<u32>(waitingLength, MATCH_MIN - 1);
      let found = longestMatch(origin, prev, pos, candidate, floor, limit,
        waitingLength >= good ? max<u32>(chain >> 2, 1) : chain, min<u32>(nice, limit));
      if (found > floor) {
        length = found;
        distance = foundDistance;
      }
    }
    if (waitingLength >= MATCH_MIN && length <= waitingLength) {
      // the match from position − 1 wins: record it and hash the positions it covers
      count = matchRecord(symbols, count, waitingLength, waitingDistance);
      let next = pos - 1 + waitingLength;
      let last = min<u32>(next, end - (MATCH_MIN - 1));
      for (let p = pos + 1; p < last; p++) hashInsert(origin, head, prev, p);
      pos = next;
      waiting = false;
      waitingLength = 0;
      continue;
    }
    if (waiting) count = literalRecord(symbols, count, <u32>load<u8>(origin + <usize>pos - 1));
    waiting = true;
    waitingLength = length;
    waitingDistance = distance;
    pos++;
  }
  if (final && waiting && pos >= stop) {
    if (waitingLength >= MATCH_MIN) count = matchRecord(symbols, count, waitingLength, waitingDistance);
    else count = literalRecord(symbols, count, <u32>load<u8>(origin + <usize>pos - 1));
    waiting = false;
    waitingLength = 0;
  }
  position = pos;
  symbolCount = count;
  pendingLiteral = waiting;
  pendingLength = waitingLength;
  pendingDistance = waitingDistance;
  return true;
}

// ── bit output ──────────────────────────────────────────────────────────────────

// @ts-ignore: decorator
@inline function bitsPut(value: u32, n: u32): void {
  bitBuffer |= <u64>value << bitCount;
  bitCount += n;
}

/** Moves whole bytes of the bit buffer out (8 bytes stored, as many counted). */
// @ts-ignore: decorator
@inline function bitsFlush(): void {
  store<u64>(out, bitBuffer);
  let bytes = bitCount >> 3;
  out += <usize>bytes;
  bitBuffer = bytes == 8 ? 0 : bitBuffer >> (<u64>bytes << 3);
  bitCount &= 7;
}

/** Pads to a byte boundary and writes the last bits out. */
function bitsAlign(): void {
  bitCount = (bitCount + 7) & ~7;
  bitsFlush();
}

// ── IDAT framing ────────────────────────────────────────────────────────────────

/** Opens an IDAT chunk at the output position (its length is written when it closes). */
export function idatOpen(): void {
  chunkStart = out - outBlock;
  store<u32>(out, 0);
  store<u32>(out + 4, bswap<u32>(0x49444154));
  out += 8;
}

/** Closes the open IDAT chunk after the whole bytes written so far: length and CRC. */
function idatClose(): void {
  let start = outBlock + chunkStart;
  let length = out - start - 8;
  store<u32>(start, bswap<u32>(<u32>length));
  store<u32>(out, bswap<u32>(crcUpdate(work + CRC_TABLES, 0, start + 4, length + 4)));
  out += 4;
}

// ── Huffman codes ───────────────────────────────────────────────────────────────

/**
 * Code lengths (at most `limit` bits) of the `n` symbols with counts at `counts` into
 * `lengths`: minimum-redundancy lengths computed in place over the counts sorted
 * (Moffat and Katajainen), then, when too long, the longest ones folded back as zlib
 * does, each step taking a leaf from the deepest level under the limit.
 */
function huffmanLengths(counts: usize, n: u32, limit: u32, lengths: usize): void {
  memory.fill(lengths, 0, n);
  let keys = work + SORT, depth = keys + 288 * 4;
  let used: u32 = 0;
  for (let s: u32 = 0; s < n; s++) {
    let c = load<u32>(counts + (<usize>s << 2));
    if (c != 0) {
      store<u32>(keys + (<usize>used << 2), (min<u32>(c, 0x7FFFFF) << 9) | s);
      used++;
    }
  }
  if (used <= 1) {
    // none or one symbol: a one-bit code of two codewords (complete, as zlib's deflate
    // gives every code, since some decoders refuse an empty distance code)
    let s = used == 0 ? 0 : load<u32>(keys) & 511;
    store<u8>(lengths + <usize>s, 1);
    store<u8>(lengths + <usize>(s == 0 ? 1 : 0), 1);
    return;
  }
  keysSort(keys, used);
  for (let i: u32 = 0; i < used; i++) store<u32>(depth + (<usize>i << 2), load<u32>(keys + (<usize>i << 2)) >> 9);
  minimumRedundancy(depth, used);
  // depths are non-increasing along the array; fold those past the limit
  let levels = work + LEVELS; // codes per length
  let over = false;
  for (let l: u32 = 0; l <= 15; l++) store<u32>(levels + (<usize>l << 2), 0);
  let kraft: u32 = 0;
  for (let i: u32 = 0; i < used; i++) {
    let d = load<u32>(depth + (<usize>i << 2));
    if (d > limit) { d = limit; over = true; }
    store<u32>(levels + (<usize>d << 2), load<u32>(levels + (<usize>d << 2)) + 1);
    kraft += <u32>1 << (limit - d);
  }
  if (over) {
    while (kraft > (<u32>1 << limit)) {
      let bits = limit - 1;
      while (load<u32>(levels + (<usize>bits << 2)) == 0) bits--;
      store<u32>(levels + (<usize>bits << 2), load<u32>(levels + (<usize>bits << 2)) - 1);
      store<u32>(levels + (<usize>(bits + 1) << 2), load<u32>(levels + (<usize>(bits + 1) << 2)) + 2);
      store<u32>(levels + (<usize>limit << 2), load<u32>(levels + (<usize>limit << 2)) - 1);
      kraft--;
    }
    // shortest lengths to the most frequent symbols (the end of the sorted array)
    let i: i32 = <i32>used - 1;
    for (let l: u32 = 1; l <= limit; l++) {
      for (let k = load<u32>(levels + (<usize>l << 2)); k > 0; k--) {
        store<u32>(depth + (<usize>i << 2), l);
        i--;
      }
    }
  }
  for (let i: u32 = 0; i < used; i++) {
    store<u8>(lengths + <usize>(load<u32>(keys + (<usize>i << 2)) & 511), <u8>load<u32>(depth + (<usize>i << 2)));
  }
}

/** Shell sort of `n` u32 keys, ascending. */
function keysSort(keys: usize, n: u32): void {
  let gap: u32 = 1;
  while (gap < n / 3) gap = gap * 3 + 1;
  while (gap > 0) {
    for (let i = gap; i < n; i++) {
      let key = load<u32>(keys + (<usize>i << 2));
      let j = i;
      while (j >= gap && load<u32>(keys + (<usize>(j - gap) << 2)) > key) {
        store<u32>(keys + (<usize>j << 2), load<u32>(keys + (<usize>(j - gap) << 2)));
        j -= gap;
      }
      store<u32>(keys + (<usize>j << 2), key);
    }
    gap /= 3;
  }
}

/**
 * Moffat and Katajainen's in-place minimum-redundancy code: `a` holds n ≥ 2 counts in
 * ascending order and receives the code lengths (in the same order).
 */
function minimumRedundancy(a: usize, n: u32): void {
  // pass 1: left to right, internal node weights and parent pointers
  store<u32>(a, load<u32>(a) + load<u32>(a + 4));
  let root: u32 = 0, leaf: u32 = 2;
  for (let next: u32 = 1; next < n - 1; next++) {
    if (leaf >= n || load<u32>(a + (<usize>root << 2)) < load<u32>(a + (<usize>leaf << 2))) {
      store<u32>(a + (<usize>next << 2), load<u32>(a + (<usize>root << 2)));
      store<u32>(a + (<usize>root << 2), next);
      root++;
    } else {
      store<u32>(a + (<usize>next << 2), load<u32>(a + (<usize>leaf << 2)));
      leaf++;
    }
    if (leaf >= n || (root < next && load<u32>(a + (<usize>root << 2)) < load<u32>(a + (<usize>leaf << 2)))) {
      store<u32>(a + (<usize>next << 2), load<u32>(a + (<usize>next << 2)) + load<u32>(a + (<usize>root << 2)));
      store<u32>(a + (<usize>root << 2), next);
      root++;
    } else {
      store<u32>(a + (<usize>next << 2), load<u32>(a + (<usize>next << 2)) + load<u32>(a + (<usize>leaf << 2)));
      leaf++;
    }
  }
  // pass 2: right to left, internal node depths
  store<u32>(a + (<usize>(n - 2) << 2), 0);
  for (let next: i32 = <i32>n - 3; next >= 0; next--) {
    store<u32>(a + (<usize>next << 2), load<u32>(a + (<usize>load<u32>(a + (<usize>next << 2)) << 2)) + 1);
  }
  // pass 3: right to left, leaf depths
  let available: i32 = 1, taken: i32 = 0, level: u32 = 0;
  let top: i32 = <i32>n - 2, next: i32 = <i32>n - 1;
  while (available > 0) {
    while (top >= 0 && load<u32>(a + (<usize>top << 2)) == level) {
      taken++;
      top--;
    }
    while (available > taken) {
      store<u32>(a + (<usize>next << 2), level);
      next--;
      available--;
    }
    available = taken << 1;
    level++;
    taken = 0;
  }
}

// @ts-ignore: decorator
@inline function reverseBits(code: u32, length: u32): u32 {
  let v = code;
  v = ((v >> 1) & 0x5555) | ((v & 0x5555) << 1);
  v = ((v >> 2) & 0x3333) | ((v & 0x3333) << 2);
  v = ((v >> 4) & 0x0F0F) | ((v & 0x0F0F) << 4);
  v = ((v >> 8) & 0x00FF) | ((v & 0x00FF) << 8);
  return v >> (16 - length);
}

/** Canonical codewords (bit-reversed for LSB-first output) of `n` code lengths. */
function codesAssign(lengths: usize, n: u32, codes: usize): void {
  let levels = work + SORT; // u32 × 16 counts, then u32 × 16 next codes
  memory.fill(levels, 0, 128);
  for (let s: u32 = 0; s < n; s++) {
    let at = levels + (<usize>load<u8>(lengths + <usize>s) << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
  store<u32>(levels, 0);
  let code: u32 = 0;
  for (let l: u32 = 1; l <= 15; l++) {
    code = (code + load<u32>(levels + (<usize>(l - 1) << 2))) << 1;
    store<u32>(levels + 64 + (<usize>l << 2), code);
  }
  for (let s: u32 = 0; s < n; s++) {
    let l = <u32>load<u8>(lengths + <usize>s);
    if (l == 0) continue;
    let at = levels + 64 + (<usize>l << 2);
    let c = load<u32>(at);
    store<u32>(at, c + 1);
    store<u16>(codes + (<usize>s << 1), <u16>reverseBits(c, l));
  }
}

// ── blocks ──────────────────────────────────────────────────────────────────────

/** Writes stored blocks of the bytes of positions [from, to) (at most STORED_MAX each). */
function storedWrite(from: u32, to: u32, final: bool): bool {
  let window = work + WINDOW;
  do {
    let n = min<u32>(to - from, <u32>STORED_MAX);
    if (!deflateReserve(<usize>n + 16)) return false;
    bitsPut(final && from + n == to ? 1 : 0, 3);
    bitsAlign();
    store<u16>(out, <u16>n);
    store<u16>(out + 2, <u16>~n);
    memory.copy(out + 4, window + <usize>(from - bufferPos), <usize>n);
    out += 4 + <usize>n;
    from += n;
  } while (from < to);
  return true;
}

// Fixed code lengths of literal/length symbols by range.
// @ts-ignore: decorator
@inline function fixedLength(symbol: u32): u32 {
  return symbol < 144 ? 8 : symbol < 256 ? 9 : symbol < 280 ? 7 : 8;
}

// @ts-ignore: decorator
@inline function runPut(count: u32, run: u32): u32 {
  store<u16>(work + RUNS + (<usize>count << 1), <u16>run);
  return count + 1;
}

/** Code lengths of the dynamic header, run-length coded into RUNS; returns their count. */
function runsBuild(literals: u32, distances: u32): u32 {
  let count: u32 = 0;
  let total = literals + distances;
  let i: u32 = 0;
  while (i < total) {
    let value = i < literals ? load<u8>(work + LIT_LENGTHS + <usize>i) : load<u8>(work + DIST_LENGTHS + <usize>(i - literals));
    let run: u32 = 1;
    while (i + run < total
      && (i + run < literals ? load<u8>(work + LIT_LENGTHS + <usize>(i + run)) : load<u8>(work + DIST_LENGTHS + <usize>(i + run - literals))) == value) {
      run++;
    }
    i += run;
    if (value == 0) {
      while (run >= 11) {
        let r = min<u32>(run, 138);
        count = runPut(count, <u16>(18 | ((r - 11) << 5)));
        run -= r;
      }
      if (run >= 3) {
        count = runPut(count, <u16>(17 | ((run - 3) << 5)));
        run = 0;
      }
    } else {
      count = runPut(count, <u16>value);
      run--;
      while (run >= 3) {
        let r = min<u32>(run, 6);
        count = runPut(count, <u16>(16 | ((r - 3) << 5)));
        run -= r;
      }
    }
    while (run > 0) {
      count = runPut(count, <u16>value);
      run--;
    }
  }
  return count;
}

// @ts-ignore: decorator
@inline function runExtraBits(symbol: u32): u32 {
  return symbol == 16 ? 2 : symbol == 17 ? 3 : symbol == 18 ? 7 : 0;
}

/**
 * Writes the pending symbols as one block (the smallest of dynamic, fixed and stored)
 * and starts a new one. False when the output cannot grow.
 */
function blockFlush(final: bool): bool {
  let blockEnd = pendingLiteral ? position - 1 : position;
  let runs = runBlocks > 0; // its symbols are to be made again from its bytes
  if (level == 0) {
    let ok = blockEnd > blockStart || final ? storedWrite(blockStart, blockEnd, final) : true;
    blockStart = blockEnd;
    if (ok) blockEnded(final);
    return ok;
  }
  let litFreq = work + LIT_FREQ, distFreq = work + DIST_FREQ;
  store<u32>(litFreq + (END_OF_BLOCK << 2), 1);
  huffmanLengths(litFreq, 286, MAX_CODE_LENGTH, work + LIT_LENGTHS);
  huffmanLengths(distFreq, 30, MAX_CODE_LENGTH, work + DIST_LENGTHS);
  let literals: u32 = 286, distances: u32 = 30;
  while (literals > 257 && load<u8>(work + LIT_LENGTHS + <usize>(literals - 1)) == 0) literals--;
  while (distances > 1 && load<u8>(work + DIST_LENGTHS + <usize>(distances - 1)) == 0) distances--;
  let runCount = runsBuild(literals, distances);
  let preFreq = work + PRE_FREQ;
  memory.fill(preFreq, 0, 19 << 2);
  for (let r: u32 = 0; r < runCount; r++) {
    let at = preFreq + (<usize>(load<u16>(work + RUNS + (<usize>r << 1)) & 31) << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
  huffmanLengths(preFreq, 19, MAX_PRECODE_LENGTH, work + PRE_LENGTHS);
  let precodes: u32 = 19;
  while (precodes > 4 && load<u8>(work + PRE_LENGTHS + <usize>load<u8>(PRECODE_ORDER + <usize>(precodes - 1))) == 0) precodes--;

  // exact sizes in bits
  let extra: u64 = 0, dynamicBits: u64 = 17 + 3 * <u64>precodes, fixedBits: u64 = 3;
  for (let s: u32 = 0; s < 286; s++) {
    let f = <u64>load<u32>(litFreq + (<usize>s << 2));
    dynamicBits += f * <u64>load<u8>(work + LIT_LENGTHS + <usize>s);
    fixedBits += f * <u64>fixedLength(s);
    if (s >= 257) extra += f * <u64>load<u8>(LENGTH_EXTRA + <usize>(s - 257));
  }
  for (let s: u32 = 0; s < 30; s++) {
    let f = <u64>load<u32>(distFreq + (<usize>s << 2));
    dynamicBits += f * <u64>load<u8>(work + DIST_LENGTHS + <usize>s);
    fixedBits += f * 5;
    extra += f * <u64>load<u8>(DISTANCE_EXTRA + <usize>s);
  }
  for (let r: u32 = 0; r < runCount; r++) {
    let symbol = <u32>load<u16>(work + RUNS + (<usize>r << 1)) & 31;
    dynamicBits += <u64>load<u8>(work + PRE_LENGTHS + <usize>symbol) + <u64>runExtraBits(symbol);
  }
  dynamicBits += extra;
  fixedBits += extra;
  let raw = <u64>(blockEnd - blockStart);
  searchEffortAdapt(blockStart, blockEnd, dynamicBits - (17 + 3 * <u64>precodes));
  let storedBits: u64 = (raw + 5 * ((raw + STORED_MAX - 1) / STORED_MAX + 1)) * 8;

  let ok: bool;
  if (storedBits <= dynamicBits && storedBits <= fixedBits) {
    ok = storedWrite(blockStart, blockEnd, final);
  } else {
    ok = deflateReserve(<usize>(min<u64>(dynamicBits, fixedBits) >> 3) + 64);
    if (ok) {
      bitsPut(final ? 1 : 0, 1);
      if (dynamicBits < fixedBits) {
        bitsPut(2, 2);
        codesAssign(work + LIT_LENGTHS, 286, work + LIT_CODES);
        codesAssign(work + DIST_LENGTHS, 30, work + DIST_CODES);
        codesAssign(work + PRE_LENGTHS, 19, work + PRE_CODES);
        dynamicHeaderWrite(literals, distances, precodes, runCount);
      } else {
        bitsPut(1, 2);
        fixedCodesAssign();
      }
      if (runs) runsWrite(blockStart, blockEnd);
      else symbolsWrite();
    }
  }
  blockStart = blockEnd;
  symbolCount = 0;
  frequenciesClear();
  if (ok) blockEnded(final);
  return ok;
}

/**
 * Chooses how the next blocks are searched. After a fully searched block, its size is
 * compared with what run-length matching alone would make of the same bytes: unless the
 * full search saved RUNS_MARGIN (filtered photographs: their matches are short and far,
 * and cost what they replace), the next blocks are only run-length matched, 1, 2, 4, ...
 * up to RUN_BLOCKS_MOST of them, before a full search is tried again. Images with repeats
 * keep the full search.
 */
function searchEffortAdapt(from: u32, to: u32, codedBits: u64): void {
  if (runBlocks > 0) {
    runBlocks--;
    symbolLimit = runBlocks == 0 ? TRIAL_SYMBOLS : SYMBOL_LIMIT;
    return;
  }
  if (codedBits > runsBits(from, to) * (100 - RUNS_MARGIN) / 100) {
    futileBlocks = min<u32>(futileBlocks + 1, 31);
    runBlocks = min<u32>(<u32>1 << (futileBlocks - 1), RUN_BLOCKS_MOST);
  } else {
    futileBlocks = 0;
  }
  symbolLimit = SYMBOL_LIMIT;
}

/** The bits of positions [from, to) as runsRun would code them (symbols counted, not made). */
function runsBits(from: u32, to: u32): u64 {
  let counts = work + HISTOGRAM; // u32 × 286: literals, end of block, lengths
  memory.fill(counts, 0, 286 * 4);
  let window = work + WINDOW - <usize>bufferPos;
  let p = window + <usize>from, e = window + <usize>to;
  let matches: u64 = 0, extra: u64 = 0;
  if (p < e && from == <u32>WINDOW_SIZE) {
    increment(counts + (<usize>load<u8>(p) << 2));
    p++;
  }
  while (p < e) {
    let byte = load<u8>(p);
    let length: u32 = 0;
    if (byte == load<u8>(p - 1)) length = matchExtent(p, p - 1, min<u32>(<u32>MAX_MATCH, <u32>(e - p)));
    if (length >= RUN_MIN) {
      let ls = <usize>load<u8>(work + LENGTH_SYMBOL + <usize>(length - 3));
      increment(counts + ((257 + ls) << 2));
      extra += <u64>load<u8>(LENGTH_EXTRA + ls);
      matches++;
      p += <usize>length;
    } else {
      increment(counts + (<usize>byte << 2));
      p++;
    }
  }
  store<u32>(counts + (END_OF_BLOCK << 2), 1);
  huffmanLengths(counts, 286, MAX_CODE_LENGTH, work + HISTOGRAM_LENGTHS);
  // one distance code of one bit per match
  let bits = extra + matches;
  for (let s: usize = 0; s < 286; s++) bits += <u64>load<u32>(counts + (s << 2)) * <u64>load<u8>(work + HISTOGRAM_LENGTHS + s);
  return bits;
}

function fixedCodesAssign(): void {
  let lengths = work + LIT_LENGTHS;
  memory.fill(lengths, 8, 144);
  memory.fill(lengths + 144, 9, 112);
  memory.fill(lengths + 256, 7, 24);
  memory.fill(lengths + 280, 8, 8);
  memory.fill(work + DIST_LENGTHS, 5, 30);
  codesAssign(lengths, 288, work + LIT_CODES);
  codesAssign(work + DIST_LENGTHS, 30, work + DIST_CODES);
}

function dynamicHeaderWrite(literals: u32, distances: u32, precodes: u32, runCount: u32): void {
  bitsPut(literals - 257, 5);
  bitsPut(distances - 1, 5);
  bitsPut(precodes - 4, 4);
  bitsFlush();
  for (let i: u32 = 0; i < precodes; i++) {
    bitsPut(<u32>load<u8>(work + PRE_LENGTHS + <usize>load<u8>(PRECODE_ORDER + <usize>i)), 3);
    bitsFlush();
  }
  for (let r: u32 = 0; r < runCount; r++) {
    let run = <u32>load<u16>(work + RUNS + (<usize>r << 1));
    let symbol = run & 31;
    bitsPut(<u32>load<u16>(work + PRE_CODES + (<usize>symbol << 1)), <u32>load<u8>(work + PRE_LENGTHS + <usize>symbol));
    bitsPut(run >> 5, runExtraBits(symbol));
    bitsFlush();
  }
}

/** The block's codes as ready-made bit strings (see ENTRIES). */
function entriesBuild(): void {
  let litCodes = work + LIT_CODES, litLengths = work + LIT_LENGTHS;
  for (let s: usize = 0; s < 256; s++) {
    store<u32>(work + LIT_ENTRIES + (s << 2), <u32>load<u16>(litCodes + (s << 1)) | (<u32>load<u8>(litLengths + s) << 24));
  }
  for (let length: u32 = 3; length <= 258; length++) {
    let ls = <usize>load<u8>(work + LENGTH_SYMBOL + <usize>(length - 3));
    let lc: usize = 257 + ls;
    let codeLength = <u32>load<u8>(litLengths + lc);
    let bits = <u32>load<u16>(litCodes + (lc << 1)) | ((length - <u32>load<u16>(LENGTH_BASE + (ls << 1))) << codeLength);
    store<u32>(work + MATCH_ENTRIES + (<usize>(length - 3) << 2), bits | ((codeLength + <u32>load<u8>(LENGTH_EXTRA + ls)) << 24));
  }
  for (let d: usize = 0; d < 30; d++) {
    store<u32>(work + DIST_ENTRIES + (d << 2),
      <u32>load<u16>(work + DIST_CODES + (d << 1)) | (<u32>load<u8>(work + DIST_LENGTHS + d) << 24));
  }
}

/** The block's symbols with the current codes, then end-of-block (bit writer in locals). */
function symbolsWrite(): void {
  entriesBuild();
  let symbols = work + SYMBOLS;
  let literals = work + LIT_ENTRIES, matches = work + MATCH_ENTRIES - 12, distances = work + DIST_ENTRIES;
  let distanceSymbols = work + DISTANCE_SYMBOL;
  let bits = bitBuffer, n = bitCount, at = out;
  let end = symbols + (<usize>symbolCount << 2);
  for (let p = symbols; p < end; p += 4) {
    let symbol = load<u32>(p);
    if (symbol < 256) {
      let e = load<u32>(literals + (<usize>symbol << 2));
      bits |= <u64>(e & 0xFFFFFF) << n;
      n += e >> 24;
    } else {
      let e = load<u32>(matches + (<usize>(symbol & 511) << 2));
      bits |= <u64>(e & 0xFFFFFF) << n;
      n += e >> 24;
      let distance = symbol >> 9;
      let d = distance - 1;
      let ds = <usize>(d < 256 ? load<u8>(distanceSymbols + <usize>d) : load<u8>(distanceSymbols + 256 + <usize>(d >> 7)));
      e = load<u32>(distances + (ds << 2));
      bits |= <u64>(e & 0xFFFFFF) << n;
      n += e >> 24;
      bits |= <u64>(distance - <u32>load<u16>(DISTANCE_BASE + (ds << 1))) << n;
      n += <u32>load<u8>(DISTANCE_EXTRA + ds);
    }
    // at most 15 + 48 bits are held: write the whole bytes out once 16 are waiting
    if (n >= 16) {
      store<u64>(at, bits);
      let bytes = n >> 3;
      at += <usize>bytes;
      bits >>= <u64>bytes << 3;
      n &= 7;
    }
  }
  bitBuffer = bits;
  bitCount = n;
  out = at;
  bitsFlush();
  bitsPut(<u32>load<u16>(work + LIT_CODES + (END_OF_BLOCK << 1)), <u32>load<u8>(work + LIT_LENGTHS + END_OF_BLOCK));
  bitsFlush();
}

/**
 * The symbols of a run-length block, made again from its bytes [from, to) as runsRun
 * counted them (the same runs: a run never passes the block's end), then end-of-block.
 */
function runsWrite(from: u32, to: u32): void {
  entriesBuild();
  let origin = work + WINDOW - <usize>bufferPos;
  let literals = work + LIT_ENTRIES, matches = work + MATCH_ENTRIES - 12;
  let one = load<u32>(work + DIST_ENTRIES); // distance 1: symbol 0, no extra bits
  let oneBits = <u64>(one & 0xFFFFFF), oneCount = one >> 24;
  let bits = bitBuffer, n = bitCount, at = out;
  let p = origin + <usize>from, end = origin + <usize>to;
  if (p < end && from == <u32>WINDOW_SIZE) {
    let e = load<u32>(literals + (<usize>load<u8>(p) << 2));
    bits |= <u64>(e & 0xFFFFFF) << n;
    n += e >> 24;
    p++;
  }
  while (p < end) {
    if (end - p >= 8) {
      // literals certain ahead: each adds at most 15 bits to fewer than 32
      let k = literalsAhead(p);
      for (let i: u32 = 0; i < k; i++) {
        let e = load<u32>(literals + (<usize>load<u8>(p + <usize>i) << 2));
        bits |= <u64>(e & 0xFFFFFF) << n;
        n += e >> 24;
        if (n >= 32) {
          store<u64>(at, bits);
          let bytes = n >> 3;
          at += <usize>bytes;
          bits >>= <u64>bytes << 3;
          n &= 7;
        }
      }
      p += <usize>k;
      if (k == 5) continue;
    }
    // a symbol adds at most 35 bits (length code, extra bits, distance code): fewer than 24 held
    if (n >= 24) {
      store<u64>(at, bits);
      let bytes = n >> 3;
      at += <usize>bytes;
      bits >>= <u64>bytes << 3;
      n &= 7;
    }
    let byte = <u32>load<u8>(p);
    let length: u32 = 0;
    if (byte == <u32>load<u8>(p - 1)) length = matchExtent(p, p - 1, min<u32>(<u32>MAX_MATCH, <u32>(end - p)));
    if (length >= RUN_MIN) {
      let e = load<u32>(matches + (<usize>length << 2));
      bits |= <u64>(e & 0xFFFFFF) << n;
      n += e >> 24;
      bits |= oneBits << n;
      n += oneCount;
      p += <usize>length;
    } else {
      let e = load<u32>(literals + (<usize>byte << 2));
      bits |= <u64>(e & 0xFFFFFF) << n;
      n += e >> 24;
      p++;
    }
  }
  bitBuffer = bits;
  bitCount = n;
  out = at;
  bitsFlush();
  bitsPut(<u32>load<u16>(work + LIT_CODES + (END_OF_BLOCK << 1)), <u32>load<u8>(work + LIT_LENGTHS + END_OF_BLOCK));
  bitsFlush();
}

/** At a block boundary: the open IDAT chunk ends there once it holds IDAT_TARGET bytes. */
function blockEnded(final: bool): void {
  if (!framing || final || out - outBlock - chunkStart < IDAT_TARGET || !deflateReserve(24)) return;
  // the bits of an unfinished byte stay in the bit buffer and go to the next chunk
  idatClose();
  idatOpen();
}
