// Constants of the deflate format (RFC 1951) shared by inflate and deflate: the base
// values and extra-bit counts of the length and distance codes, and the order in which a
// dynamic block header lists the code-length code lengths.

/** Length symbols 257..285: match length = base + extra bits. */
// @ts-ignore: decorator
@lazy export const LENGTH_BASE = memory.data<u16>([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
  35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
]);
// @ts-ignore: decorator
@lazy export const LENGTH_EXTRA = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
  3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]);
/** Distance symbols 0..29: distance = base + extra bits. */
// @ts-ignore: decorator
@lazy export const DISTANCE_BASE = memory.data<u16>([
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
  257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
]);
// @ts-ignore: decorator
@lazy export const DISTANCE_EXTRA = memory.data<u8>([
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
  7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]);
/** The order of the code-length code lengths in a dynamic block header. */
// @ts-ignore: decorator
@lazy export const PRECODE_ORDER = memory.data<u8>([
  16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
]);

export const LITLEN_SYMBOLS: u32 = 288;
export const DISTANCE_SYMBOLS: u32 = 32;
export const PRECODE_SYMBOLS: u32 = 19;
export const END_OF_BLOCK: u32 = 256;
export const MAX_CODE_LENGTH: u32 = 15;
export const MAX_PRECODE_LENGTH: u32 = 7;
export const WINDOW_SIZE: usize = 32768;
export const MAX_MATCH: u32 = 258;
