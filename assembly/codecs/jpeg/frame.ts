// The JPEG decoder's per-call state: the frame (SOF) and its components, the tables the
// markers define, and the geometry of the output. Frame facts live in globals (each
// thread has its own instance, so they are this call's alone); tables and component
// records live in one scratch block, the state block, allocated once the header has
// passed the pixel limit.
//
// State block (offsets in bytes):
//
//   STATE_QUANT        4 × 64 u16    quantisation tables as the DQT segments define them
//                                    (natural order)
//   STATE_LATCHED      4 × 64 u16    each component's table, copied at its first scan
//                                    (libjpeg's latch_quant_tables); zero if never scanned
//   STATE_COMPONENTS   4 × 128       component records (below)
//   STATE_COEF_BITS    4 × 64 i8     progressive: the Al each coefficient was last coded
//                                    with, -1 if never (for block smoothing)
//   STATE_HUFFMAN_RAW  8 × 272       Huffman tables as defined: 16 counts, 256 symbols;
//                                    slots 0..3 DC, 4..7 AC
//   STATE_HUFFMAN      8 × HUFFMAN_TABLE_SIZE   lookup tables (huffman-decode.ts)
//   STATE_BLOCK        128           the block being decoded (i16 × 64, kept zeroed)
//   STATE_WORKSPACE    128           IDCT workspace
//   STATE_MCU_TABLE    10 × 32       blocks of an MCU (decoder.ts, listMcuBlocks)
//   STATE_MCU_OUT      10 × 8        where each of those blocks goes in the current MCU (band
//                                    or coefficient array), and how far that moves per MCU
//   STATE_ARITHMETIC   5184          arithmetic decoding statistics (arithmetic.ts)
//   STATE_SKIP         4 × 32768     AC skip tables, for scans whose blocks keep only their
//                                    DC (huffman-decode.ts; not zeroed: built whole); only
//                                    a sequential Huffman frame at 1/8 has them: the others'
//                                    state blocks end here
//
// Component record (byte offsets; COMPONENT_* below):
//
//    0 id u8          1 h u8           2 v u8             3 quant table u8
//    4 DC table u8    5 AC table u8    6 scaled block size u8 (8, 4, 2 or 1)
//    7 upsampling method u8            8 h expand u8 (repeating methods)
//   10 quant latched u8
//   12 width in blocks u32             16 height in blocks u32
//   20 blocks per line, padded to whole MCUs u32          24 block rows, padded u32
//   28 downsampled width u32           32 downsampled height u32   (at the scaled size)
//   36 band address u32                40 band row stride u32
//   44 component rows per iMCU row u32 48 coefficient array u32 (several scans)
//   52 upsampled row u32               56 DC prediction i32
//   60 rows of a vertical row group u32 (v × scaled size / smallest scaled size)
//   68 DC context i32 (arithmetic coding: the statistics offset the last difference chose)

export const MAX_COMPONENTS: u32 = 4;
export const MAX_BLOCKS_IN_MCU: u32 = 10;

export const STATE_QUANT: usize = 0;
export const STATE_LATCHED: usize = 512;
export const STATE_COMPONENTS: usize = 1024;
export const COMPONENT_SIZE: usize = 128;
export const STATE_COEF_BITS: usize = 1536;
export const STATE_HUFFMAN_RAW: usize = 1792;
export const HUFFMAN_RAW_SIZE: usize = 272;
export const STATE_HUFFMAN: usize = 4096;
/** lookup u16 × 1024, fast AC i32 × 1024, maxcode i32 × 18, value offsets i32 × 18, values u8 × 256. */
export const HUFFMAN_TABLE_SIZE: usize = 2048 + 4096 + 72 + 72 + 256;
export const STATE_BLOCK: usize = STATE_HUFFMAN + 8 * HUFFMAN_TABLE_SIZE;
export const STATE_WORKSPACE: usize = STATE_BLOCK + 128;
export const STATE_MCU_TABLE: usize = STATE_WORKSPACE + 128;
export const STATE_MCU_OUT: usize = STATE_MCU_TABLE + <usize>MAX_BLOCKS_IN_MCU * 32;
export const STATE_ARITHMETIC: usize = STATE_MCU_OUT + <usize>MAX_BLOCKS_IN_MCU * 8;
/** Statistics and conditioning of arithmetic decoding (arithmetic.ts, ARITHMETIC_SIZE). */
export const STATE_SKIP: usize = STATE_ARITHMETIC + 5184;
/** The state up to here starts zeroed; the skip tables are written whole before use. */
export const STATE_ZEROED: usize = STATE_SKIP;
/** One skip table per AC table (huffman-decode.ts, SKIP_TABLE_SIZE each). */
export const STATE_SIZE: usize = STATE_SKIP + 4 * 32768;

export const COMPONENT_ID: usize = 0;
export const COMPONENT_H: usize = 1;
export const COMPONENT_V: usize = 2;
export const COMPONENT_QUANT: usize = 3;
export const COMPONENT_DC_TABLE: usize = 4;
export const COMPONENT_AC_TABLE: usize = 5;
export const COMPONENT_SCALED: usize = 6;
export const COMPONENT_METHOD: usize = 7;
export const COMPONENT_H_EXPAND: usize = 8;
export const COMPONENT_LATCHED: usize = 10;
export const COMPONENT_WIDTH_BLOCKS: usize = 12;
export const COMPONENT_HEIGHT_BLOCKS: usize = 16;
export const COMPONENT_LINE_BLOCKS: usize = 20;
export const COMPONENT_BLOCK_ROWS: usize = 24;
export const COMPONENT_DOWN_WIDTH: usize = 28;
export const COMPONENT_DOWN_HEIGHT: usize = 32;
export const COMPONENT_PLANE: usize = 36;
export const COMPONENT_STRIDE: usize = 40;
export const COMPONENT_IMCU_ROWS: usize = 44;
export const COMPONENT_COEFFICIENTS: usize = 48;
export const COMPONENT_ROW: usize = 52;
export const COMPONENT_DC_PRED: usize = 56;
export const COMPONENT_V_IN: usize = 60;
export const COMPONENT_DC_CONTEXT: usize = 68;

/** Upsampling methods (jdsample.c), one per component. */
export const UPSAMPLE_FULL: u8 = 0;
export const UPSAMPLE_H2V1_FANCY: u8 = 1;
export const UPSAMPLE_H2V1: u8 = 2;
export const UPSAMPLE_H1V2_FANCY: u8 = 3;
export const UPSAMPLE_H2V2_FANCY: u8 = 4;
export const UPSAMPLE_H2V2: u8 = 5;
export const UPSAMPLE_INT: u8 = 6;

/** Colour transforms of the file (INFO_COLOR). */
export const COLOR_GRAY: u32 = 0;
export const COLOR_YCBCR: u32 = 1;
export const COLOR_RGB: u32 = 2;
export const COLOR_CMYK: u32 = 3;
export const COLOR_YCCK: u32 = 4;

// ── frame facts, filled by the header walk (markers.ts) ──────────────────────────

/** SOF marker code (0xC0..0xCF), 0 before one is seen. */
export let frameMarker: u32 = 0;
export let framePrecision: u32 = 0;
export let frameWidth: u32 = 0;
export let frameHeight: u32 = 0;
export let frameComponents: u32 = 0;
/** Component ids, sampling (h << 4 | v) and quantisation table numbers, one byte each. */
export let frameIds: u32 = 0;
export let frameSampling: u32 = 0;
export let frameQuantSelectors: u32 = 0;
let sawJfif: bool = false;
let sawAdobe: bool = false;
let adobeTransform: u32 = 0;
export let orientation: u32 = 1;
export let hasIcc: bool = false;

export function resetFrame(): void {
  frameMarker = 0; framePrecision = 0; frameWidth = 0; frameHeight = 0; frameComponents = 0;
  frameIds = 0; frameSampling = 0; frameQuantSelectors = 0;
  sawJfif = false; sawAdobe = false; adobeTransform = 0; orientation = 1; hasIcc = false;
}

export function setFrame(marker: u32, precision: u32, height: u32, width: u32, components: u32): void {
  frameMarker = marker; framePrecision = precision; frameHeight = height; frameWidth = width;
  frameComponents = components;
}

export function setComponentFields(ids: u32, sampling: u32, quant: u32): void {
  frameIds = ids; frameSampling = sampling; frameQuantSelectors = quant;
}

export function setJfif(): void { sawJfif = true; }
export function setAdobe(transform: u32): void { sawAdobe = true; adobeTransform = transform; }
export function setOrientation(value: u32): void { orientation = value; }
export function setIcc(present: bool): void { hasIcc = present; }

/** The file's colour transform, as libjpeg's default_decompress_parms guesses it. */
export function colorTransform(): u32 {
  if (frameComponents == 1) return COLOR_GRAY;
  if (frameComponents == 3) {
    if (sawJfif) return COLOR_YCBCR;
    if (sawAdobe) return adobeTransform == 0 ? COLOR_RGB : COLOR_YCBCR;
    let ids = frameIds & 0xFFFFFF;
    if (ids == 0x030201) return COLOR_YCBCR;
    if (ids == 0x424752) return COLOR_RGB; // 'R', 'G', 'B'
    return COLOR_YCBCR;
  }
  if (sawAdobe) return adobeTransform == 0 ? COLOR_CMYK : COLOR_YCCK;
  return COLOR_CMYK;
}

// ── component records ─────────────────────────────────────────────────────────────

/** The state block of this call (0 while probing). */
export let state: usize = 0;
export function setState(address: usize): void { state = address; }

// @ts-ignore: decorator
@inline export function component(index: u32): usize {
  return state + STATE_COMPONENTS + <usize>index * COMPONENT_SIZE;
}

// @ts-ignore: decorator
@inline export function latchedQuant(index: u32): usize {
  return state + STATE_LATCHED + (<usize>index << 7);
}

// @ts-ignore: decorator
@inline export function coefBits(index: u32): usize {
  return state + STATE_COEF_BITS + (<usize>index << 6);
}

// @ts-ignore: decorator
@inline export function decodeBlockAddress(): usize {
  return state + STATE_BLOCK;
}

// ── geometry, set once the frame is accepted ────────────────────────────────────

export let maxH: u32 = 1;
export let maxV: u32 = 1;
/** Scaled block size of the smallest component (8 at full size, 4, 2, 1 when reduced). */
export let minScaled: u32 = 8;
export let outputWidth: u32 = 0;
export let outputHeight: u32 = 0;
/** iMCU rows in the frame, and MCUs per row of an interleaved scan. */
export let imcuRows: u32 = 0;
export let mcusPerRow: u32 = 0;
export let progressive: bool = false;

export function setGeometry(h: u32, v: u32, scaled: u32, width: u32, height: u32, rows: u32, perRow: u32): void {
  maxH = h; maxV = v; minScaled = scaled; outputWidth = width; outputHeight = height;
  imcuRows = rows; mcusPerRow = perRow;
}
export function setProgressive(value: bool): void { progressive = value; }

/** ceil(a / b) for the small positive sizes of a frame (a < 2^40). */
// @ts-ignore: decorator
@inline export function divUp(a: u64, b: u64): u32 {
  return <u32>((a + b - 1) / b);
}
