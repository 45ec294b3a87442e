// Huffman decoding for JPEG: lookup tables built from a DHT table, the bit reader over
// the entropy-coded segment, and the decoder of one sequential block (jdhuff.c's
// decode_mcu, with its handling of bad codes and overlong runs).
//
// Lookup table (HUFFMAN_TABLE_SIZE bytes, in the state block):
//
//   LOOKUP      u16 × 1024   next 10 bits → (code length << 8 | symbol); 0: longer code
//   FAST_AC     i32 × 1024   next 10 bits → a whole AC coefficient when code + value fit:
//                            value << 16 | (run + 1) << 8 | bits; 0: not this way
//   MAX_CODE    i32 × 18     largest code of each length (-1: none), 17: sentinel
//   OFFSET      i32 × 18     symbol index minus code, per length
//   VALUES      u8 × 256     symbols in code order
//
// Skip table (SKIP_TABLE_SIZE bytes, built by buildSkipTable for an AC table whose blocks
// keep only their DC): next 14 bits → u16, the whole AC symbols, code and value bits, that
// they hold: bits | zigzag positions covered << 4 | (an end of block closes them) << 12
// (14 bits hold at most 14 symbols, each covering at most 16 positions: 224 < 256);
// 0: not even one symbol fits.
//
// Bit reader: `bitBuffer` holds `bitCount` unread bits from its top. A refill adds whole
// bytes below them, undoing 0xFF 0x00 stuffing; at a marker (or the end of the input) it
// adds zero bytes instead, as libjpeg does, and counts them in `padBits`, so that
// `bitCount < padBits` tells that a decode read past the real data. The fast refill loads
// eight bytes at once when none is 0xFF; the bits it leaves below `bitCount` are the next
// bytes of the stream, which the next refill writes again in the same places.

/**
 * Natural-order position of each zigzag index, with 16 extra 63s (jutils.c): a run that
 * overshoots the block lands on position 63 instead of outside it.
 */
export const ZIGZAG = memory.data<u8>([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
  12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
  58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
  63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
]);

export const HUFFMAN_LOOKUP: usize = 0;
export const HUFFMAN_FAST: usize = 2048;
export const HUFFMAN_MAX_CODE: usize = 2048 + 4096;
export const HUFFMAN_OFFSET: usize = HUFFMAN_MAX_CODE + 72;
export const HUFFMAN_VALUES: usize = HUFFMAN_OFFSET + 72;
const SKIP_BITS: u32 = 14;
export const SKIP_TABLE_SIZE: usize = 2 << SKIP_BITS;

const LOOKAHEAD: u32 = 10;
const SLOT_BITS: u32 = 64 - LOOKAHEAD;

/**
 * Builds the lookup table at `table` from a DHT table (`raw`: 16 counts, 256 values) as
 * libjpeg's jpeg_make_d_derived_tbl. Returns false for a table libjpeg refuses: more
 * codes of a length than that length holds (an over-subscribed or all-ones code), or a
 * DC symbol above 15.
 */
export function buildHuffmanTable(table: usize, raw: usize, isDc: bool): bool {
  let lookup = table + HUFFMAN_LOOKUP;
  let fast = table + HUFFMAN_FAST;
  memory.fill(lookup, 0, 2048 + 4096);
  memory.copy(table + HUFFMAN_VALUES, raw + 16, 256);
  let code: u32 = 0, index: u32 = 0;
  for (let length: u32 = 1; length <= 16; length++) {
    let count = <u32>load<u8>(raw + length - 1);
    store<i32>(table + HUFFMAN_OFFSET + (length << 2), <i32>index - <i32>code);
    for (let i: u32 = 0; i < count; i++, index++, code++) {
      let symbol = <u32>load<u8>(raw + 16 + index);
      if (isDc && symbol > 15) return false;
      if (length <= LOOKAHEAD) {
        let shift = LOOKAHEAD - length;
        let first = code << shift;
        let entry = <u16>((length << 8) | symbol);
        for (let j: u32 = 0; j < (1 << shift); j++) {
          store<u16>(lookup + ((first + j) << 1), entry);
        }
        // An AC code whose value bits fit too resolves to a whole coefficient.
        let size = symbol & 15;
        if (!isDc && size != 0 && length + size <= LOOKAHEAD) {
          let run = symbol >> 4;
          for (let j: u32 = 0; j < (1 << shift); j++) {
            let bits = (first + j) & ((1 << shift) - 1);
            let raw = bits >> (shift - size);
            let value = <i32>raw;
            if (raw < (1 << (size - 1))) value -= (1 << size) - 1;
            store<i32>(fast + ((first + j) << 2), (value << 16) | <i32>((run + 1) << 8) | <i32>(length + size));
          }
        }
      }
    }
    store<i32>(table + HUFFMAN_MAX_CODE + (length << 2), count != 0 ? <i32>code - 1 : -1);
    if (code >= (1 << length)) return false;
    code <<= 1;
  }
  store<i32>(table + HUFFMAN_MAX_CODE + (17 << 2), 0xFFFFF);
  store<i32>(table + HUFFMAN_OFFSET + (17 << 2), 0);
  return true;
}

/**
 * Builds at `skip` the skip table of the AC lookup table at `table`: for each 12-bit
 * window, the symbols decodeBlockAs's one-symbol path would read in turn while all of
 * their bits lie inside the window, up to and including an end of block.
 */
export function buildSkipTable(table: usize, skip: usize): void {
  for (let window: u32 = 0; window < (1 << SKIP_BITS); window++) {
    let used: u32 = 0, covered: u32 = 0, ends: u32 = 0, symbols: u32 = 0;
    while (used < SKIP_BITS) {
      let known = SKIP_BITS - used;
      // The next LOOKAHEAD bits, zeros past the window: an entry is right if its code fits.
      let next = ((window << used) & ((1 << SKIP_BITS) - 1)) >> (SKIP_BITS - LOOKAHEAD);
      let entry = <u32>load<u16>(table + HUFFMAN_LOOKUP + (<usize>next << 1));
      let length = entry >> 8;
      if (entry == 0 || length > known) break;
      let symbol = entry & 0xFF;
      let size = symbol & 15, run = symbol >> 4;
      if (size == 0 && run != 15) { used += length; ends = 1; symbols++; break; }
      if (length + size > known) break;
      used += length + size;
      covered += size == 0 ? 16 : run + 1;
      symbols++;
    }
    store<u16>(skip + (<usize>window << 1), <u16>(symbols == 0 ? 0 : (ends << 12) | (covered << 4) | used));
  }
}

// ── bit reader ───────────────────────────────────────────────────────────────────

export let bitBuffer: u64 = 0;
export let bitCount: i32 = 0;
/** Zero bits added past the real data (they stay the lowest of the buffer's bits). */
let padBits: i32 = 0;
export let readPos: usize = 0;
let readEnd: usize = 0;
/** A marker (or the end of the input) stopped the data; the reader pads with zeros. */
let dataEnded: bool = false;
/** The data stopped at a marker, not at the end of the input. */
export let markerReached: bool = false;

/** Starts reading entropy-coded data at `pos` (after a SOS header or a restart marker). */
export function startBits(pos: usize, end: usize): void {
  bitBuffer = 0; bitCount = 0; padBits = 0; readPos = pos; readEnd = end; dataEnded = false; markerReached = false;
}

/** A decode read zero bits that stand for data past a marker. */
// @ts-ignore: decorator
@inline export function overran(): bool {
  return bitCount < padBits;
}

/** Fills the buffer to at least 57 bits (any thread: globals are per instance). */
export function refill(): void {
  let buffer = bitBuffer, count = bitCount, pos = readPos;
  if (!dataEnded && pos + 8 <= readEnd) {
    let word = v128.load64_zero(pos);
    if (!v128.any_true(i8x16.eq(word, i8x16.splat(-1)))) {
      let bytes = (63 - count) >> 3;
      bitBuffer = buffer | (bigEndian(word) >> <u64>count);
      bitCount = count + (bytes << 3);
      readPos = pos + <usize>bytes;
      return;
    }
  }
  while (count <= 56) {
    if (dataEnded || pos >= readEnd) {
      dataEnded = true;
      count += 8;
      padBits += 8;
      continue;
    }
    let byte = <u32>load<u8>(pos);
    if (byte == 0xFF) {
      // 0xFF 0x00 is a data byte 0xFF; 0xFF then fill bytes then a code is a marker.
      let next = pos + 1;
      while (next < readEnd && load<u8>(next) == 0xFF) next++;
      if (next >= readEnd || load<u8>(next) != 0) {
        dataEnded = true;
        markerReached = next < readEnd;
        continue;
      }
      pos = next;
    }
    buffer |= <u64>byte << <u64>(56 - count);
    count += 8;
    pos++;
  }
  bitBuffer = buffer;
  bitCount = count;
  readPos = pos;
}

/** The eight bytes of `word`'s low half as a big-endian u64. */
// @ts-ignore: decorator
@inline function bigEndian(word: v128): u64 {
  return i64x2.extract_lane(i8x16.swizzle(word, v128(7, 6, 5, 4, 3, 2, 1, 0, 8, 8, 8, 8, 8, 8, 8, 8)), 0);
}

/** `size` (1..16) bits as a signed coefficient difference (HUFF_EXTEND). */
// @ts-ignore: decorator
@inline export function extend(bits: u64, size: u32): i32 {
  let value = <i32>(bits >> <u64>(64 - size));
  return value + (((value - (1 << (size - 1))) >> 31) & ((-1 << size) + 1));
}

/**
 * Decodes the symbol of a code longer than the lookahead (or any code, given its first
 * 16 bits at the top of `bits`), as jpeg_huff_decode: returns length << 8 | symbol; a code
 * of no length up to 16 is a bad code, 17 bits long, symbol 0.
 */
function decodeLong(table: usize, bits: u64): u32 {
  let length: u32 = LOOKAHEAD + 1;
  let code = <i32>(bits >> <u64>(64 - length));
  while (code > load<i32>(table + HUFFMAN_MAX_CODE + (length << 2))) {
    length++;
    code = <i32>(bits >> <u64>(64 - length));
  }
  if (length > 16) return 17 << 8;
  let index = (code + load<i32>(table + HUFFMAN_OFFSET + (length << 2))) & 0xFF;
  return (length << 8) | <u32>load<u8>(table + HUFFMAN_VALUES + <usize>index);
}

/** Decodes one symbol (length << 8 | symbol), the buffer holding at least 17 bits. */
// @ts-ignore: decorator
@inline export function decodeSymbol(table: usize, bits: u64): u32 {
  let entry = <u32>load<u16>(table + HUFFMAN_LOOKUP + <usize>((bits >> SLOT_BITS) << 1));
  return entry != 0 ? entry : decodeLong(table, bits);
}

/**
 * Decodes one sequential block into `block` (64 i16, natural order, zeroed beforehand):
 * the DC difference added to `prediction` (the new prediction is returned) and the AC
 * coefficients, as jdhuff.c's decode_mcu_slow: runs past the end land on position 63,
 * a bad code decodes as symbol 0.
 */
export function decodeBlock(block: usize, dcTable: usize, acTable: usize, prediction: i32): i32 {
  return decodeBlockAs(block, dcTable, acTable, 0, prediction, true);
}

/**
 * As {@link decodeBlock}, for a block of which only the DC coefficient is used (a 1×1
 * scaled IDCT, libjpeg's ac_needed = FALSE): nothing is stored; the AC coefficients are
 * read past, several at once through `skip` (buildSkipTable of `acTable`; 0: one at a
 * time). Returns the new prediction, whose low 16 bits are the block's DC (JCOEF). Inlined
 * into the caller's loop over blocks: the call would cost about as much as the block.
 */
// @ts-ignore: decorator
@inline export function decodeDcOnly(dcTable: usize, acTable: usize, skip: usize, prediction: i32): i32 {
  return decodeBlockAs(0, dcTable, acTable, skip, prediction, false);
}

// @ts-ignore: decorator
@inline function decodeBlockAs(block: usize, dcTable: usize, acTable: usize, skip: usize, prediction: i32, keepAc: bool): i32 {
  if (bitCount < 32) refill();
  let buffer = bitBuffer, count = bitCount;
  let entry = decodeSymbol(dcTable, buffer);
  let length = entry >> 8;
  buffer <<= <u64>length;
  count -= <i32>length;
  let size = entry & 15;
  if (size != 0) {
    prediction += extend(buffer, size);
    buffer <<= <u64>size;
    count -= <i32>size;
  }
  if (keepAc) store<i16>(block, <i16>prediction);
  let fast = acTable + HUFFMAN_FAST;
  // The refill of `refill` for eight plain bytes, kept in locals; the rest goes there.
  let pos = readPos, fastEnd: usize = dataEnded ? 0 : readEnd;
  let k: u32 = 1;
  while (k < 64) {
    if (count < 32) {
      let plain = false;
      if (pos + 8 <= fastEnd) {
        let word = v128.load64_zero(pos);
        if (!v128.any_true(i8x16.eq(word, i8x16.splat(-1)))) {
          let bytes = (63 - count) >> 3;
          buffer |= bigEndian(word) >> <u64>count;
          count += bytes << 3;
          pos += <usize>bytes;
          plain = true;
        }
      }
      if (!plain) {
        bitBuffer = buffer; bitCount = count; readPos = pos;
        refill();
        buffer = bitBuffer; count = bitCount; pos = readPos;
        fastEnd = dataEnded ? 0 : readEnd;
      }
    }
    if (!keepAc && skip != 0) {
      // Whole symbols at once while they all lie inside the block; the last ones of a block
      // take the path below, one at a time.
      let skipped = <u32>load<u16>(skip + (<usize>(buffer >> <u64>(64 - SKIP_BITS)) << 1));
      let covers = (skipped >> 4) & 0xFF;
      if (skipped != 0 && k + covers < 64) {
        let bits = skipped & 15;
        buffer <<= <u64>bits;
        count -= <i32>bits;
        if ((skipped >> 12) != 0) break;
        k += covers;
        continue;
      }
    }
    let slot = <usize>(buffer >> SLOT_BITS);
    let coefficient = load<i32>(fast + (slot << 2));
    if (coefficient != 0) {
      k += <u32>(coefficient >> 8) & 31;
      let bits = <u32>coefficient & 31;
      buffer <<= <u64>bits;
      count -= <i32>bits;
      if (keepAc) store<i16>(block + (<usize>load<u8>(ZIGZAG + k - 1) << 1), <i16>(coefficient >> 16));
      continue;
    }
    entry = decodeSymbol(acTable, buffer);
    length = entry >> 8;
    buffer <<= <u64>length;
    count -= <i32>length;
    size = entry & 15;
    let run = (entry >> 4) & 15;
    if (size != 0) {
      k += run;
      if (keepAc) store<i16>(block + (<usize>load<u8>(ZIGZAG + k) << 1), <i16>extend(buffer, size));
      buffer <<= <u64>size;
      count -= <i32>size;
      k++;
    } else {
      if (run != 15) break;
      k += 16;
    }
  }
  bitBuffer = buffer;
  bitCount = count;
  readPos = pos;
  return prediction;
}

/** Reads `size` (0..16) bits as an unsigned number. */
export function readBits(size: u32): u32 {
  if (size == 0) return 0;
  if (bitCount < <i32>size) refill();
  let value = <u32>(bitBuffer >> <u64>(64 - size));
  bitBuffer <<= <u64>size;
  bitCount -= <i32>size;
  return value;
}
