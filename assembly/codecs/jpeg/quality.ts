// Quantization tables from a quality setting, as libjpeg's jpeg_set_quality(quality,
// force_baseline = TRUE) (what Pillow calls), and the divisors the forward DCT quantizes
// with, as libjpeg-turbo's compute_reciprocal for its 16-bit SIMD quantizer.
//
// Quality q in 1..100 scales the Annex K tables by s percent:
//
//   s = q < 50 ? 5000 / q : 200 - 2q        entry = clamp((t·s + 50) / 100, 1, 255)
//
// The islow DCT leaves its outputs 8 times too large, so each entry q is divided as d = 8q.
// Rather than divide, libjpeg-turbo multiplies by a 16-bit reciprocal, in unsigned 16-bit
// lanes, twice taking the high half:
//
//   |c| → (((|c| + correction) · reciprocal) >> 16) · scale >> 16 = (|c| + corr) · recip >> r
//
// with r = 16 + floor(log2 d), recip about 2^r / d and scale = 2^(32 − r); the sign is put
// back afterwards. This is not always |c| / d rounded, so it is copied exactly: the
// rounding decides the bytes of the file.
//
// One table (TABLE_BYTES), u16 entries in row-major (natural) order:
//   ┌────────────────┬────────────────┬────────────────┬────────────────┐
//   │ values [64]    │ reciprocal [64]│ correction [64]│ scale [64]     │
//   └────────────────┴────────────────┴────────────────┴────────────────┘
//   +0               +128             +256             +384

import { LUMINANCE_QUANTIZATION, CHROMINANCE_QUANTIZATION } from "./tables";

export const QUANT_VALUES: usize = 0;
export const QUANT_RECIPROCAL: usize = 128;
export const QUANT_CORRECTION: usize = 256;
export const QUANT_SCALE: usize = 384;
export const QUANT_TABLE_BYTES: usize = 512;

/** libjpeg's jpeg_quality_scaling: the percentage the Annex K tables are scaled by. */
function qualityScale(quality: i32): i32 {
  if (quality <= 0) quality = 1;
  if (quality > 100) quality = 100;
  return quality < 50 ? 5000 / quality : 200 - quality * 2;
}

/** Fills one table (see the layout above) from an Annex K table scaled by `scale` percent. */
function buildTable(table: usize, basic: usize, scale: i32): void {
  for (let i: usize = 0; i < 64; i++) {
    let value = (<i32>load<u8>(basic + i) * scale + 50) / 100;
    if (value < 1) value = 1;
    if (value > 255) value = 255; // force_baseline
    store<u16>(table + QUANT_VALUES + (i << 1), <u16>value);
    setDivisor(table + (i << 1), <u32>value << 3);
  }
}

/** The reciprocal, correction and scale that divide by `divisor` (8..2040), at `entry`. */
function setDivisor(entry: usize, divisor: u32): void {
  let b = 31 - <i32>clz(divisor);
  let r = 16 + b;
  let reciprocal = <u32>((<u64>1 << r) / divisor);
  let remainder = <u32>((<u64>1 << r) % divisor);
  let correction = divisor >> 1;
  if (remainder == 0) {
    // A power of two: 2^r / d would need 17 bits, so take one bit less of both.
    reciprocal >>= 1;
    r--;
  } else if (remainder <= (divisor >> 1)) {
    correction++;
  } else {
    reciprocal++;
  }
  store<u16>(entry + QUANT_RECIPROCAL, <u16>reciprocal);
  store<u16>(entry + QUANT_CORRECTION, <u16>correction);
  store<u16>(entry + QUANT_SCALE, <u16>(<u32>1 << <u32>(32 - r)));
}

/** Writes the luminance table at `tables` and the chrominance table after it. */
export function buildQuantTables(tables: usize, quality: i32): void {
  let scale = qualityScale(quality);
  buildTable(tables, LUMINANCE_QUANTIZATION, scale);
  buildTable(tables + QUANT_TABLE_BYTES, CHROMINANCE_QUANTIZATION, scale);
}
