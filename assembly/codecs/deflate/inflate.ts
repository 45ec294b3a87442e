// Inflate (RFC 1951) from arena memory into arena memory, resumable at symbol boundaries
// so that a caller can stream the output through a bounded window (PNG rows) or a
// growing block (zlibInflate).
//
// Input: one run of bytes, or the data of a PNG's IDAT chunks read in order across their
// framing (each chunk's CRC checked as the reader enters it): the compressed stream of a
// PNG is split over chunks and is never copied together.
//
// Bits are read LSB first through a 64-bit buffer. The fast loop refills it without a
// branch (eight bytes loaded, whole bytes counted in, as libdeflate does) and then holds
// at least 56 bits: enough for a length and a distance with all their extra bits (48).
// Near the end of an input run it falls back to byte-by-byte refills that cross chunks.
//
// Huffman decoding is one table lookup per symbol: a main table indexed by the next
// ROOT bits, whose entries for longer codes point to subtables. Where two literals'
// codes fit in the root bits together, the main table entry carries both (one lookup,
// one two-byte store). Entries (u32):
//
//    31            16 15           8 7      4 3      0
//   ┌────────────────┬──────────────┬────────┬────────┐
//   │ value          │ kind flags   │ extra  │ bits   │
//   └────────────────┴──────────────┴────────┴────────┘
//   value  literal / two literals (first in the low byte) / length or distance base /
//          subtable offset (entries)
//   extra  extra bits of a length or distance; for a subtable: its index bits
//   bits   codeword bits to consume (for a pair, both codewords)
//   kind   KIND_* below; 0 is an invalid code
//
// Output: the caller gives [out, outLimit) and guarantees INFLATE_SLACK writable bytes
// past outLimit (copies move 16 bytes at a time). A symbol is decoded only while at least
// MAX_MATCH bytes remain before outLimit; otherwise the call returns INFLATE_OUTPUT_FULL
// and a later call resumes. Distances may reach back to `windowStart`, which the caller
// keeps at least 32 KiB (or the whole output so far) behind the write position.

import {
  LENGTH_BASE, LENGTH_EXTRA, DISTANCE_BASE, DISTANCE_EXTRA, PRECODE_ORDER,
  LITLEN_SYMBOLS, DISTANCE_SYMBOLS, PRECODE_SYMBOLS, END_OF_BLOCK, MAX_CODE_LENGTH, MAX_MATCH
} from "./tables";
import { crcUpdate } from "./crc32";

// ── working memory (given by the caller) ────────────────────────────────────────

const LITLEN_ROOT: u32 = 11;
const DISTANCE_ROOT: u32 = 8;
const PRECODE_ROOT: u32 = 7;
/** Largest tables the subtable scheme needs for any complete code (as libdeflate's ENOUGH). */
const LITLEN_ENTRIES: u32 = 2342;
const DISTANCE_ENTRIES: u32 = 402;
const PRECODE_ENTRIES: u32 = 1 << PRECODE_ROOT;

//  work + 0                      u32 × LITLEN_ENTRIES     literal/length table
//  work + LITLEN_TABLE_END       u32 × DISTANCE_ENTRIES   distance table
//  ...                           u32 × PRECODE_ENTRIES    code-length code table
//  ...                           u8 × 320                 code lengths of a dynamic header
//  ...                           u16 × 16, u16 × 16       codes per length, offsets
//  ...                           u16 × 320                symbols sorted by code length
const LITLEN_TABLE: usize = 0;
const DISTANCE_TABLE: usize = LITLEN_TABLE + (<usize>LITLEN_ENTRIES << 2);
const PRECODE_TABLE: usize = DISTANCE_TABLE + (<usize>DISTANCE_ENTRIES << 2);
const LENGTHS: usize = PRECODE_TABLE + (<usize>PRECODE_ENTRIES << 2);
const COUNTS: usize = LENGTHS + 320;
const OFFSETS: usize = COUNTS + 32;
const SORTED: usize = OFFSETS + 32;
/** Bytes of working memory inflateBegin needs. */
export const INFLATE_WORK_BYTES: usize = SORTED + 640;
/** Writable bytes the caller keeps past outLimit. */
export const INFLATE_SLACK: usize = 32;

// ── statuses ────────────────────────────────────────────────────────────────────

/** The final block ended (the bit reader stands just after it). */
export const INFLATE_END: i32 = 1;
/** Fewer than MAX_MATCH bytes left before outLimit: make room and call again. */
export const INFLATE_OUTPUT_FULL: i32 = 2;
/** Malformed or truncated stream, or a bad IDAT chunk. */
export const INFLATE_ERROR: i32 = -1;

// entry kinds
const KIND_LITERAL: u32 = 0x100;
const KIND_PAIR: u32 = 0x200;
const KIND_LENGTH: u32 = 0x400; // a length (literal/length table) or a distance
const KIND_END: u32 = 0x800;
const KIND_SUBTABLE: u32 = 0x1000;

// block states
const STATE_HEADER: u32 = 0;
const STATE_STORED: u32 = 1;
const STATE_CODES: u32 = 2;
const STATE_DONE: u32 = 3;

// table kinds for tableBuild
const CODE_LITLEN: u32 = 0;
const CODE_DISTANCE: u32 = 1;
const CODE_PRECODE: u32 = 2;

const IDAT: u32 = 0x49444154;

// ── per-call state (wasm globals are this thread's own) ─────────────────────────

let work: usize = 0;
let inPtr: usize = 0;        // next byte of the current input run
let inEnd: usize = 0;        // end of the current input run
let inputEnd: usize = 0;     // end of all input (IDAT chaining may not read past it)
let chunked: bool = false;   // input runs are the data of consecutive IDAT chunks
let chunkNext: usize = 0;    // IDAT chaining: the chunk after the current one
let chunkError: bool = false;
let crcTable: usize = 0;
let bitBuffer: u64 = 0;
let bitCount: u32 = 0;       // valid bits in bitBuffer (the bits above them may hold the next input bytes)
let blockState: u32 = STATE_HEADER;
let lastBlock: bool = false;
let storedLeft: u32 = 0;
let fixedTables: bool = false;
let windowStart: usize = 0;
/** Where the last inflateRun stopped writing. */
export let inflateOut: usize = 0;

/** Starts inflating the raw deflate data at [input, input + length). */
export function inflateBegin(workArea: usize, input: usize, length: usize): void {
  reset(workArea);
  inPtr = input;
  inEnd = input + length;
  inputEnd = inEnd;
  chunked = false;
}

/**
 * Starts inflating the data of the IDAT chunk at `chunk` (its length field) and of the
 * IDAT chunks that follow it, within [.., fileEnd). Every chunk's CRC is checked (with
 * the slice-by-8 tables at `crcTables`) when the reader enters it.
 */
export function inflateBeginChunks(workArea: usize, chunk: usize, fileEnd: usize, crcTables: usize): bool {
  reset(workArea);
  chunked = true;
  chunkNext = chunk;
  inputEnd = fileEnd;
  crcTable = crcTables;
  inPtr = 0;
  inEnd = 0;
  return nextRun();
}

function reset(workArea: usize): void {
  work = workArea;
  bitBuffer = 0;
  bitCount = 0;
  blockState = STATE_HEADER;
  lastBlock = false;
  storedLeft = 0;
  fixedTables = false;
  chunkError = false;
}

/** The bound below which distances may not reach (see the file comment). */
export function inflateWindow(start: usize): void {
  windowStart = start;
}

/** IDAT chaining: the chunk after the last one the reader entered. */
export function inflateChunkNext(): usize { return chunkNext; }

/** True when a chunk the reader entered was malformed (a bad CRC or length). */
export function inflateChunkFailed(): bool { return chunkError; }

// ── input ───────────────────────────────────────────────────────────────────────

/** Moves to the next IDAT chunk's data; false at the end of the IDAT chunks or on error. */
function nextRun(): bool {
  if (!chunked) return false;
  let at = chunkNext;
  if (at > inputEnd || inputEnd - at < 12) return false;
  if (bswap<u32>(load<u32>(at, 4)) != IDAT) return false;
  let length = <usize>bswap<u32>(load<u32>(at));
  if (length > inputEnd - at - 12) { chunkError = true; return false; }
  if (crcUpdate(crcTable, 0, at + 4, length + 4) != bswap<u32>(load<u32>(at + 8 + length))) {
    chunkError = true;
    return false;
  }
  inPtr = at + 8;
  inEnd = inPtr + length;
  chunkNext = inEnd + 4;
  return true;
}

/** One more byte into the bit buffer; false when the input is exhausted. */
function pullByte(): bool {
  while (inPtr >= inEnd) {
    if (!nextRun()) return false;
  }
  bitBuffer |= <u64>load<u8>(inPtr) << bitCount;
  inPtr++;
  bitCount += 8;
  return true;
}

/** Byte-by-byte refill to at least 56 bits, or as many as the input still has. */
function refillSlow(): void {
  bitBuffer &= (<u64>1 << bitCount) - 1;
  while (bitCount < 56 && pullByte()) {}
}

function needBits(n: u32): bool {
  while (bitCount < n) {
    if (!pullByte()) return false;
  }
  return true;
}

// @ts-ignore: decorator
@inline function takeBits(n: u32): u32 {
  let value = <u32>bitBuffer & ((<u32>1 << n) - 1);
  bitBuffer >>= n;
  bitCount -= n;
  return value;
}

/** Reads the two bytes of a zlib header (RFC 1950); false when not deflate or with a dictionary. */
export function inflateZlibHeader(): bool {
  if (!needBits(16)) return false;
  let method = takeBits(8);
  let flags = takeBits(8);
  if ((method & 15) != 8 || (method >> 4) > 7) return false;
  if (((method << 8) | flags) % 31 != 0) return false;
  return (flags & 0x20) == 0;
}

/** Reads the zlib trailer after the final block: the Adler-32, or -1 when missing. */
export function inflateZlibTrailer(): i64 {
  takeBits(bitCount & 7);
  if (!needBits(32)) return -1;
  let value: u32 = 0;
  for (let i = 0; i < 4; i++) value = (value << 8) | takeBits(8);
  return <i64>value;
}

// ── Huffman tables ──────────────────────────────────────────────────────────────

// @ts-ignore: decorator
@inline function reverseBits(code: u32, length: u32): u32 {
  let v = code;
  v = ((v >> 1) & 0x5555) | ((v & 0x5555) << 1);
  v = ((v >> 2) & 0x3333) | ((v & 0x3333) << 2);
  v = ((v >> 4) & 0x0F0F) | ((v & 0x0F0F) << 4);
  v = ((v >> 8) & 0x00FF) | ((v & 0x00FF) << 8);
  return v >> (16 - length);
}

function entryFor(code: u32, symbol: u32, length: u32): u32 {
  if (code == CODE_PRECODE) return KIND_LITERAL | (symbol << 16) | length;
  if (code == CODE_LITLEN) {
    if (symbol < 256) return KIND_LITERAL | (symbol << 16) | length;
    if (symbol == END_OF_BLOCK) return KIND_END | length;
    if (symbol > 285) return 0;
    let s = <usize>(symbol - 257);
    return KIND_LENGTH | (<u32>load<u16>(LENGTH_BASE + (s << 1)) << 16) | (<u32>load<u8>(LENGTH_EXTRA + s) << 4) | length;
  }
  if (symbol >= 30) return 0;
  return KIND_LENGTH | (<u32>load<u16>(DISTANCE_BASE + (<usize>symbol << 1)) << 16)
    | (<u32>load<u8>(DISTANCE_EXTRA + <usize>symbol) << 4) | length;
}

/**
 * Builds the decoding table of the code whose lengths are the `count` bytes at `lengths`.
 * False for an over-subscribed code, or an incomplete one (allowed, as by zlib, only for a
 * literal/length or distance code of a single one-bit codeword, or none at all).
 */
function tableBuild(lengths: usize, count: u32, table: usize, root: u32, capacity: u32, code: u32): bool {
  let counts = work + COUNTS, offsets = work + OFFSETS, sorted = work + SORTED;
  memory.fill(counts, 0, 32);
  for (let s: u32 = 0; s < count; s++) {
    let at = counts + (<usize>load<u8>(lengths + s) << 1);
    store<u16>(at, load<u16>(at) + 1);
  }
  store<u16>(counts, 0);
  let left: i32 = 1;
  let maxLength: u32 = 0;
  for (let l: u32 = 1; l <= MAX_CODE_LENGTH; l++) {
    left = (left << 1) - <i32>load<u16>(counts + (l << 1));
    if (left < 0) return false;
    if (load<u16>(counts + (l << 1)) != 0) maxLength = l;
  }
  if (left > 0 && (code == CODE_PRECODE || maxLength > 1)) return false;
  // symbols sorted by (length, symbol)
  store<u16>(offsets + 2, 0);
  for (let l: u32 = 1; l < MAX_CODE_LENGTH; l++) {
    store<u16>(offsets + ((l + 1) << 1), load<u16>(offsets + (l << 1)) + load<u16>(counts + (l << 1)));
  }
  for (let s: u32 = 0; s < count; s++) {
    let l = <usize>load<u8>(lengths + s);
    if (l == 0) continue;
    let at = offsets + (l << 1);
    let o = load<u16>(at);
    store<u16>(sorted + (<usize>o << 1), <u16>s);
    store<u16>(at, o + 1);
  }
  // Codes up to `root` bits: the table grows by doubling, so that each shorter code
  // already fills every index that ends in its bits; a code of the length reached is
  // stored once, at its bit-reversed index (libdeflate's construction).
  let rootSize: u32 = 1 << root;
  store<u32>(table, 0);
  let size: u32 = 1;
  let codeword: u32 = 0, index: u32 = 0;
  for (let l: u32 = 1; l <= root; l++) {
    memory.copy(table + (<usize>size << 2), table, <usize>size << 2);
    size <<= 1;
    let n = l <= maxLength ? <u32>load<u16>(counts + (l << 1)) : 0;
    for (let k: u32 = 0; k < n; k++) {
      let symbol = <u32>load<u16>(sorted + (<usize>index << 1));
      index++;
      store<u32>(table + (<usize>reverseBits(codeword, l) << 2), entryFor(code, symbol, l));
      codeword++;
    }
    codeword <<= 1;
  }
  // longer codes: subtables, pointed to from the main-table index of their first `root` bits
  let next = rootSize;
  let prefixNow: u32 = 0xFFFFFFFF, subStart: u32 = 0, subBits: u32 = 0;
  for (let l: u32 = root + 1; l <= maxLength; l++) {
    let n = <u32>load<u16>(counts + (l << 1));
    for (let k: u32 = 0; k < n; k++) {
      let symbol = <u32>load<u16>(sorted + (<usize>index << 1));
      index++;
      let entry = entryFor(code, symbol, l);
      let reversed = reverseBits(codeword, l);
      let prefix = reversed & (rootSize - 1);
      if (prefix != prefixNow) {
        // the fewest index bits whose subtable the codes from here on fill
        let bits = l - root;
        let room: i32 = 1 << bits;
        let at = l;
        let remaining = <i32>(n - k);
        while (true) {
          room -= remaining;
          if (room <= 0 || at >= maxLength) break;
          at++;
          bits++;
          room <<= 1;
          remaining = <i32>load<u16>(counts + (at << 1));
        }
        if (next + (<u32>1 << bits) > capacity) return false;
        subStart = next;
        subBits = bits;
        next += <u32>1 << bits;
        memory.fill(table + (<usize>subStart << 2), 0, <usize>1 << (bits + 2));
        store<u32>(table + (<usize>prefix << 2), KIND_SUBTABLE | (subStart << 16) | (bits << 4));
        prefixNow = prefix;
      }
      for (let i = reversed >> root; i < (<u32>1 << subBits); i += <u32>1 << (l - root)) {
        store<u32>(table + (<usize>(subStart + i) << 2), entry);
      }
      codeword++;
    }
    codeword <<= 1;
  }
  if (code == CODE_LITLEN) pairLiterals(table, root);
  return true;
}

/** Main-table entries whose literal leaves room for a second literal's code get both. */
function pairLiterals(table: usize, root: u32): void {
  // From the top down: the entry for i >> l1 (< i) is still a single symbol when read.
  for (let i: i32 = (1 << root) - 1; i >= 0; i--) {
    let first = load<u32>(table + (<usize>i << 2));
    if ((first & KIND_LITERAL) == 0) continue;
    let l1 = first & 15;
    if (l1 >= root) continue;
    let second = load<u32>(table + (<usize>(<u32>i >> l1) << 2));
    if ((second & KIND_LITERAL) == 0) continue;
    let l2 = second & 15;
    if (l1 + l2 > root) continue;
    store<u32>(table + (<usize>i << 2), KIND_PAIR | ((first >> 16) | ((second >> 16) << 8)) << 16 | (l1 + l2));
  }
}

function fixedTablesBuild(): bool {
  let lengths = work + LENGTHS;
  memory.fill(lengths, 8, 144);
  memory.fill(lengths + 144, 9, 112);
  memory.fill(lengths + 256, 7, 24);
  memory.fill(lengths + 280, 8, 8);
  memory.fill(lengths + 288, 5, 32);
  return tableBuild(lengths, LITLEN_SYMBOLS, work + LITLEN_TABLE, LITLEN_ROOT, LITLEN_ENTRIES, CODE_LITLEN)
    && tableBuild(lengths + 288, DISTANCE_SYMBOLS, work + DISTANCE_TABLE, DISTANCE_ROOT, DISTANCE_ENTRIES, CODE_DISTANCE);
}

/** Reads a dynamic block's code lengths and builds its tables. */
function dynamicTablesRead(): bool {
  if (!needBits(14)) return false;
  let literals = takeBits(5) + 257;
  let distances = takeBits(5) + 1;
  let precodes = takeBits(4) + 4;
  if (literals > 286 || distances > 30) return false;
  let lengths = work + LENGTHS;
  memory.fill(lengths, 0, PRECODE_SYMBOLS);
  for (let i: u32 = 0; i < precodes; i++) {
    if (!needBits(3)) return false;
    store<u8>(lengths + <usize>load<u8>(PRECODE_ORDER + <usize>i), <u8>takeBits(3));
  }
  let precode = work + PRECODE_TABLE;
  if (!tableBuild(lengths, PRECODE_SYMBOLS, precode, PRECODE_ROOT, PRECODE_ENTRIES, CODE_PRECODE)) return false;
  let total = literals + distances;
  let i: u32 = 0;
  while (i < total) {
    refillSlow();
    let entry = load<u32>(precode + ((<usize>bitBuffer & (PRECODE_ENTRIES - 1)) << 2));
    let bits = entry & 15;
    if (bits == 0 || bits > bitCount) return false;
    takeBits(bits);
    let symbol = entry >> 16;
    if (symbol < 16) {
      store<u8>(lengths + <usize>i, <u8>symbol);
      i++;
      continue;
    }
    let value: u8 = 0, repeat: u32;
    if (symbol == 16) {
      if (i == 0 || bitCount < 2) return false;
      value = load<u8>(lengths + <usize>i - 1);
      repeat = 3 + takeBits(2);
    } else if (symbol == 17) {
      if (bitCount < 3) return false;
      repeat = 3 + takeBits(3);
    } else {
      if (bitCount < 7) return false;
      repeat = 11 + takeBits(7);
    }
    if (repeat > total - i) return false;
    memory.fill(lengths + <usize>i, value, repeat);
    i += repeat;
  }
  if (load<u8>(lengths + END_OF_BLOCK) == 0) return false;
  fixedTables = false;
  return tableBuild(lengths, literals, work + LITLEN_TABLE, LITLEN_ROOT, LITLEN_ENTRIES, CODE_LITLEN)
    && tableBuild(lengths + literals, distances, work + DISTANCE_TABLE, DISTANCE_ROOT, DISTANCE_ENTRIES, CODE_DISTANCE);
}

/** Reads a block header and prepares its state; false on a malformed or truncated header. */
function blockHeaderRead(): bool {
  refillSlow();
  if (bitCount < 3) return false;
  lastBlock = takeBits(1) != 0;
  let type = takeBits(2);
  if (type == 0) {
    takeBits(bitCount & 7);
    if (!needBits(32)) return false;
    let length = takeBits(16);
    if ((takeBits(16) ^ 0xFFFF) != length) return false;
    storedLeft = length;
    blockState = STATE_STORED;
    return true;
  }
  if (type == 1) {
    if (!fixedTables) {
      if (!fixedTablesBuild()) return false;
      fixedTables = true;
    }
  } else if (type == 2) {
    if (!dynamicTablesRead()) return false;
  } else {
    return false;
  }
  blockState = STATE_CODES;
  return true;
}

// ── output ──────────────────────────────────────────────────────────────────────

// Byte i of row d is i % d: a distance-d pattern spread over 16 bytes (d = 2..15).
// @ts-ignore: decorator
@lazy const PATTERNS = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
  0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0,
  0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0,
  0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6, 0, 1,
  0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 6,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2, 3, 4,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 1, 2,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0, 1,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0,
]);

// The largest multiple of d not over 16 (d = 1..15): how far one stored pattern reaches.
// @ts-ignore: decorator
@lazy const STEPS = memory.data<u8>([0, 16, 16, 15, 16, 15, 12, 14, 16, 9, 10, 11, 12, 13, 14, 15]);

/**
 * Copies `length` bytes from `distance` back to `out`, 16 bytes a store: up to 15 bytes
 * past the end are written (the slack). Distances under 16 overlap their own output:
 * their period is spread over a vector once and stored at multiples of it.
 */
// @ts-ignore: decorator
@inline function copyMatch(out: usize, distance: usize, length: usize): void {
  let end = out + length;
  let from = out - distance;
  if (distance >= 16) {
    do {
      v128.store(out, v128.load(from));
      out += 16;
      from += 16;
    } while (out < end);
  } else {
    let pattern = i8x16.swizzle(v128.load(from), v128.load(PATTERNS + (distance << 4)));
    let step = <usize>load<u8>(STEPS + distance);
    do {
      v128.store(out, pattern);
      out += step;
    } while (out < end);
  }
}

// ── decoding ────────────────────────────────────────────────────────────────────

/**
 * Continues the stream, writing from `out` (see the file comment for the bounds).
 * Returns INFLATE_END, INFLATE_OUTPUT_FULL or INFLATE_ERROR; inflateOut is where the
 * output stopped.
 */
export function inflateRun(out: usize, outLimit: usize): i32 {
  while (true) {
    if (blockState == STATE_HEADER) {
      if (lastBlock) {
        blockState = STATE_DONE;
        inflateOut = out;
        return INFLATE_END;
      }
      if (!blockHeaderRead()) break;
    }
    if (blockState == STATE_STORED) {
      // whole bytes still in the bit buffer first, then straight from the input runs
      while (storedLeft > 0 && bitCount >= 8 && out < outLimit) {
        store<u8>(out, <u8>takeBits(8));
        out++;
        storedLeft--;
      }
      while (storedLeft > 0 && out < outLimit) {
        if (inPtr >= inEnd && !nextRun()) {
          inflateOut = out;
          return INFLATE_ERROR;
        }
        let n = min<usize>(min<usize>(<usize>storedLeft, inEnd - inPtr), outLimit - out);
        memory.copy(out, inPtr, n);
        out += n;
        inPtr += n;
        storedLeft -= <u32>n;
      }
      if (storedLeft > 0) {
        inflateOut = out;
        return INFLATE_OUTPUT_FULL;
      }
      blockState = STATE_HEADER;
      continue;
    }
    if (blockState == STATE_DONE) {
      inflateOut = out;
      return INFLATE_END;
    }
    let status = codesRun(out, outLimit);
    out = inflateOut;
    if (status != 0) return status;
  }
  inflateOut = out;
  return INFLATE_ERROR;
}

/**
 * Decodes the symbols of a Huffman block until its end (returns 0, state HEADER), a full
 * output (INFLATE_OUTPUT_FULL) or an error.
 */
function codesRun(out: usize, outLimit: usize): i32 {
  let litlen = work + LITLEN_TABLE;
  let distances = work + DISTANCE_TABLE;
  let low = windowStart;
  let bits = bitBuffer;
  let count = bitCount;
  let input = inPtr;
  let status: i32 = INFLATE_ERROR;
  while (true) {
    // The fast loop: eight input bytes at hand and room for a match, so that a refill
    // gives 56 bits (a length and a distance take at most 48) and no step is counted.
    let stop: i32 = 0; // 1: end of block, -1: error
    while (inEnd - input >= 8 && outLimit - out >= <usize>MAX_MATCH) {
      bits |= load<u64>(input) << count;
      input += (63 - count) >> 3;
      count |= 56;
      let entry = load<u32>(litlen + ((<usize>bits & ((1 << LITLEN_ROOT) - 1)) << 2));
      if (entry & KIND_SUBTABLE) {
        entry = load<u32>(litlen + (<usize>((entry >> 16) + (<u32>(bits >> LITLEN_ROOT) & ((<u32>1 << ((entry >> 4) & 15)) - 1))) << 2));
      }
      let n = entry & 15;
      if (entry & (KIND_LITERAL | KIND_PAIR)) {
        store<u16>(out, <u16>(entry >> 16));
        out += 1 + ((entry >> 9) & 1);
        bits >>= n;
        count -= n;
        // at least 41 bits are left: two more literals (or pairs) from the main table
        // (at most 11 bits each) before the next refill
        entry = load<u32>(litlen + ((<usize>bits & ((1 << LITLEN_ROOT) - 1)) << 2));
        if ((entry & (KIND_LITERAL | KIND_PAIR)) == 0) continue;
        n = entry & 15;
        store<u16>(out, <u16>(entry >> 16));
        out += 1 + ((entry >> 9) & 1);
        bits >>= n;
        count -= n;
        entry = load<u32>(litlen + ((<usize>bits & ((1 << LITLEN_ROOT) - 1)) << 2));
        if ((entry & (KIND_LITERAL | KIND_PAIR)) == 0) continue;
        n = entry & 15;
        store<u16>(out, <u16>(entry >> 16));
        out += 1 + ((entry >> 9) & 1);
        bits >>= n;
        count -= n;
        continue;
      }
      if (entry & KIND_LENGTH) {
        let extra = (entry >> 4) & 15;
        bits >>= n;
        let length = (entry >> 16) + (<u32>bits & ((<u32>1 << extra) - 1));
        bits >>= extra;
        count -= n + extra;
        let d = load<u32>(distances + ((<usize>bits & ((1 << DISTANCE_ROOT) - 1)) << 2));
        if (d & KIND_SUBTABLE) {
          d = load<u32>(distances + (<usize>((d >> 16) + (<u32>(bits >> DISTANCE_ROOT) & ((<u32>1 << ((d >> 4) & 15)) - 1))) << 2));
        }
        n = d & 15;
        extra = (d >> 4) & 15;
        bits >>= n;
        let distance = (d >> 16) + (<u32>bits & ((<u32>1 << extra) - 1));
        bits >>= extra;
        count -= n + extra;
        if ((d & KIND_LENGTH) == 0 || <usize>distance > out - low) {
          stop = -1;
          break;
        }
        copyMatch(out, <usize>distance, <usize>length);
        out += <usize>length;
        continue;
      }
      bits >>= n;
      count -= n;
      stop = entry & KIND_END ? 1 : -1;
      break;
    }
    if (stop != 0) {
      if (stop > 0) {
        blockState = STATE_HEADER;
        status = 0;
      }
      break;
    }
    // near the end of an input run: one symbol with exact refills across chunks, every
    // step counted
    if (outLimit - out < <usize>MAX_MATCH) {
      status = INFLATE_OUTPUT_FULL;
      break;
    }
    bitBuffer = bits;
    bitCount = count;
    inPtr = input;
    refillSlow();
    bits = bitBuffer;
    count = bitCount;
    input = inPtr;
    let entry = load<u32>(litlen + ((<usize>bits & ((1 << LITLEN_ROOT) - 1)) << 2));
    if (entry & KIND_SUBTABLE) {
      entry = load<u32>(litlen + (<usize>((entry >> 16) + (<u32>(bits >> LITLEN_ROOT) & ((<u32>1 << ((entry >> 4) & 15)) - 1))) << 2));
    }
    let n = entry & 15;
    if (entry & (KIND_LITERAL | KIND_PAIR)) {
      if (n > count) break;
      store<u16>(out, <u16>(entry >> 16));
      out += 1 + ((entry >> 9) & 1);
      bits >>= n;
      count -= n;
      continue;
    }
    if (entry & KIND_LENGTH) {
      let extra = (entry >> 4) & 15;
      if (n + extra > count) break;
      bits >>= n;
      let length = (entry >> 16) + (<u32>bits & ((<u32>1 << extra) - 1));
      bits >>= extra;
      count -= n + extra;
      let d = load<u32>(distances + ((<usize>bits & ((1 << DISTANCE_ROOT) - 1)) << 2));
      if (d & KIND_SUBTABLE) {
        d = load<u32>(distances + (<usize>((d >> 16) + (<u32>(bits >> DISTANCE_ROOT) & ((<u32>1 << ((d >> 4) & 15)) - 1))) << 2));
      }
      if ((d & KIND_LENGTH) == 0) break;
      n = d & 15;
      extra = (d >> 4) & 15;
      if (n + extra > count) break;
      bits >>= n;
      let distance = (d >> 16) + (<u32>bits & ((<u32>1 << extra) - 1));
      bits >>= extra;
      count -= n + extra;
      if (<usize>distance > out - low) break;
      copyMatch(out, <usize>distance, <usize>length);
      out += <usize>length;
      continue;
    }
    if (entry & KIND_END) {
      if (n > count) break;
      bits >>= n;
      count -= n;
      blockState = STATE_HEADER;
      status = 0;
      break;
    }
    break;
  }
  bitBuffer = bits;
  bitCount = count;
  inPtr = input;
  inflateOut = out;
  return status;
}
