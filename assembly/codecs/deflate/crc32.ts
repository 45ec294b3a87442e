// CRC-32 of ISO 3309 / ITU-T V.42 (polynomial 0xEDB88320, reflected), the checksum of PNG
// chunks, gzip and zip. Slice-by-8: eight 256-entry tables let one step fold eight input
// bytes with eight table reads instead of eight dependent shift/xor rounds.
//
// The tables (8 KiB) are computed per call into the caller's scratch memory, never into
// static data (every thread's instantiation re-copies the data segments):
//
//   table + 1024·k + 4·n   u32   T_k[n] = CRC register after byte n followed by k zero bytes
//
// T_0 is the classic byte-at-a-time table; T_k[n] = T_0[T_{k-1}[n] & 0xFF] ^ (T_{k-1}[n] >> 8).

/** Bytes of the table area crcTableBuild fills. */
export const CRC_TABLE_BYTES: usize = 8 * 256 * 4;

const POLYNOMIAL: u32 = 0xEDB88320;

/** Fills the slice-by-8 tables at `table` (CRC_TABLE_BYTES). */
export function crcTableBuild(table: usize): void {
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? POLYNOMIAL ^ (c >> 1) : c >> 1;
    store<u32>(table + (<usize>n << 2), c);
  }
  for (let k: usize = 1; k < 8; k++) {
    for (let n: usize = 0; n < 256; n++) {
      let c = load<u32>(table + ((k - 1) << 10) + (n << 2));
      store<u32>(table + (k << 10) + (n << 2), load<u32>(table + (<usize>(c & 0xFF) << 2)) ^ (c >> 8));
    }
  }
}

// @ts-ignore: decorator
@inline function entry(table: usize, k: usize, index: u32): u32 {
  return load<u32>(table + (k << 10) + (<usize>index << 2));
}

/** The CRC of `crc`'s data followed by the `length` bytes at `data` (start with crc = 0). */
export function crcUpdate(table: usize, crc: u32, data: usize, length: usize): u32 {
  let c = ~crc;
  let end = data + length;
  while (end - data >= 8) {
    let low = load<u32>(data) ^ c;
    let high = load<u32>(data, 4);
    c = entry(table, 7, low & 0xFF) ^ entry(table, 6, (low >> 8) & 0xFF)
      ^ entry(table, 5, (low >> 16) & 0xFF) ^ entry(table, 4, low >> 24)
      ^ entry(table, 3, high & 0xFF) ^ entry(table, 2, (high >> 8) & 0xFF)
      ^ entry(table, 1, (high >> 16) & 0xFF) ^ entry(table, 0, high >> 24);
    data += 8;
  }
  while (data < end) {
    c = entry(table, 0, (c ^ <u32>load<u8>(data)) & 0xFF) ^ (c >> 8);
    data++;
  }
  return ~c;
}

/** The CRC of a few bytes without tables, bit by bit (chunk headers read before any table exists). */
export function crcBitwise(data: usize, length: usize): u32 {
  let c: u32 = 0xFFFFFFFF;
  for (let end = data + length; data < end; data++) {
    c ^= <u32>load<u8>(data);
    for (let k = 0; k < 8; k++) c = (c >> 1) ^ (POLYNOMIAL & (0 - (c & 1)));
  }
  return ~c;
}
