// The frame being encoded: its components, their sampling and their geometry in blocks,
// shared by the sequential and the progressive scans. Per-thread state of one jpegEncode
// call (wasm globals are per thread).
//
// An MCU covers hMax·8 × vMax·8 pixels; component c has h × v blocks in each. Its block
// plane is MCU-aligned: blocksWide = mcusX·h by blocksHigh = mcusY·v, of which the first
// realWide × realHigh blocks hold the image (libjpeg's width_in_blocks, height_in_blocks);
// the others are the dummy blocks that complete the MCUs at the right and bottom edges.
//
// Component record (COMPONENT_BYTES each, `componentCount` of them at `components`):
//   +0  u32 h             horizontal sampling factor
//   +4  u32 v             vertical sampling factor
//   +8  u32 blocksWide    blocks per row of the plane (mcusX · h)
//   +12 u32 blocksHigh    block rows of the plane (mcusY · v)
//   +16 u32 realWide      blocks per row that hold image samples
//   +20 u32 realHigh      block rows that hold image samples
//   +24 u32 table         0 luminance, 1 chrominance (quantization and Huffman)
//   +28 u32 coefficients  its block plane (64 i16 per block, zigzag order): the whole
//                         image, or one iMCU row (v block rows) when streaming
//   +32 i32 lastDc        DC prediction during a scan
//   +36 u32 samples       sample rows of one iMCU row (v · 8 rows of blocksWide · 8)

export const COMPONENT_BYTES: usize = 48;
export const BLOCK_BYTES: usize = 128;

export let componentCount: i32 = 0;
export let components: usize = 0;
export let mcusX: i32 = 0;
export let mcusY: i32 = 0;

const C_H: usize = 0;
const C_V: usize = 4;
const C_BLOCKS_WIDE: usize = 8;
const C_BLOCKS_HIGH: usize = 12;
const C_REAL_WIDE: usize = 16;
const C_REAL_HIGH: usize = 20;
const C_TABLE: usize = 24;
const C_COEFFICIENTS: usize = 28;
const C_LAST_DC: usize = 32;
const C_SAMPLES: usize = 36;

// @ts-ignore: decorator
@inline export function component(c: i32): usize { return components + <usize>c * COMPONENT_BYTES; }
// @ts-ignore: decorator
@inline export function samplingH(c: usize): i32 { return load<i32>(c + C_H); }
// @ts-ignore: decorator
@inline export function samplingV(c: usize): i32 { return load<i32>(c + C_V); }
// @ts-ignore: decorator
@inline export function blocksWide(c: usize): i32 { return load<i32>(c + C_BLOCKS_WIDE); }
// @ts-ignore: decorator
@inline export function blocksHigh(c: usize): i32 { return load<i32>(c + C_BLOCKS_HIGH); }
// @ts-ignore: decorator
@inline export function realWide(c: usize): i32 { return load<i32>(c + C_REAL_WIDE); }
// @ts-ignore: decorator
@inline export function realHigh(c: usize): i32 { return load<i32>(c + C_REAL_HIGH); }
// @ts-ignore: decorator
@inline export function tableOf(c: usize): i32 { return load<i32>(c + C_TABLE); }
// @ts-ignore: decorator
@inline export function coefficientsOf(c: usize): usize { return load<u32>(c + C_COEFFICIENTS); }
// @ts-ignore: decorator
@inline export function setCoefficients(c: usize, address: usize): void { store<u32>(c + C_COEFFICIENTS, <u32>address); }
// @ts-ignore: decorator
@inline export function lastDc(c: usize): i32 { return load<i32>(c + C_LAST_DC); }
// @ts-ignore: decorator
@inline export function setLastDc(c: usize, value: i32): void { store<i32>(c + C_LAST_DC, value); }
// @ts-ignore: decorator
@inline export function samplesOf(c: usize): usize { return load<u32>(c + C_SAMPLES); }
// @ts-ignore: decorator
@inline export function setSamples(c: usize, address: usize): void { store<u32>(c + C_SAMPLES, <u32>address); }

/** Block (bx, by) of a component's plane. */
// @ts-ignore: decorator
@inline export function blockAt(c: usize, bx: i32, by: i32): usize {
  return coefficientsOf(c) + (<usize>by * <usize>blocksWide(c) + <usize>bx) * BLOCK_BYTES;
}

/**
 * Lays out the frame of a width × height image: `count` components (1 or 3) in records at
 * `records`, the first sampled h × v and the others 1 × 1.
 */
export function frameSetup(records: usize, count: i32, width: i32, height: i32, h: i32, v: i32): void {
  components = records;
  componentCount = count;
  mcusX = (width + h * 8 - 1) / (h * 8);
  mcusY = (height + v * 8 - 1) / (v * 8);
  for (let i = 0; i < count; i++) {
    let c = component(i);
    let ch = i == 0 ? h : 1, cv = i == 0 ? v : 1;
    store<i32>(c + C_H, ch);
    store<i32>(c + C_V, cv);
    store<i32>(c + C_BLOCKS_WIDE, mcusX * ch);
    store<i32>(c + C_BLOCKS_HIGH, mcusY * cv);
    // ceil(width · ch / (h · 8)), as libjpeg's width_in_blocks
    store<i32>(c + C_REAL_WIDE, <i32>((<i64>width * ch + h * 8 - 1) / (h * 8)));
    store<i32>(c + C_REAL_HIGH, <i32>((<i64>height * cv + v * 8 - 1) / (v * 8)));
    store<i32>(c + C_TABLE, i == 0 ? 0 : 1);
    store<u32>(c + C_COEFFICIENTS, 0);
    store<i32>(c + C_LAST_DC, 0);
    store<u32>(c + C_SAMPLES, 0);
  }
}
