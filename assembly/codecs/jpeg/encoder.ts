// The JPEG encoder: jpegEncode, what Pillow 9.4 writes for im.save(f, 'JPEG', quality=q,
// subsampling=s, progressive=p, optimize=o) through libjpeg-turbo, byte for byte.
//
// L and LA images become one-component (grayscale) files, RGB and RGBA three-component
// YCbCr files; alpha is dropped. The image is read an iMCU row at a time (8 · vMax image
// rows): converted and downsampled into sample planes (prepare.ts), transformed and
// quantized block by block (fdct.ts) into coefficient blocks, dummy blocks filled in at
// the edges of the MCU grid. Then:
//
//   sequential, standard tables   each iMCU row is coded as soon as it is transformed,
//                                 in a coefficient buffer of one iMCU row
//   optimize                      the whole image's coefficients are kept, counted for
//                                 optimal tables, then coded
//   progressive                   the whole image's coefficients are kept, then coded in
//                                 the scans of progressive-encode.ts
//
// Work block (one scratch block), in this order:
//   ┌────────────────┬────────────┬──────────────────────────────────────────────────────┐
//   │ components     │ 3 × 48     │ frame-encode.ts records                              │
//   │ quantization   │ 2 × 512    │ quality.ts tables, luminance then chrominance        │
//   │ code tables    │ 4 × 1024   │ each of the four in the order DC luminance,          │
//   │ count tables   │ 4 × 1028   │ AC luminance, DC chrominance, AC chrominance         │
//   │ table specs    │ 4 × 272    │                                                      │
//   │ optimal work   │ 2188       │ optimalTable's workspace                             │
//   │ correction     │ 1024       │ correction bits a progressive refinement holds back  │
//   │ magnitudes     │ 128        │ a block's |c| >> Al in a progressive scan            │
//   │ sample planes  │ per comp.  │ v · 8 rows of blocksWide · 8 samples                 │
//   │ chroma rows    │ 2 × vMax   │ full-resolution Cb, then Cr rows (subsampled only)   │
//   │ coefficients   │ per comp.  │ one iMCU row (sequential, standard tables only)      │
//   └────────────────┴────────────┴──────────────────────────────────────────────────────┘
//
// A dummy block has no AC coefficients and the DC of the block before it: at the right
// edge, the block to its left; in a row of dummy blocks at the bottom, the last block of
// the MCU's row above (as libjpeg, so that the DC differences are zero).

import { scratchAllocate, scratchRelease } from "../../alloc/arena";
import { fail } from "../../alloc/state";
import { ERR_UNSUPPORTED, ERR_LIMIT, ERR_ARENA_FULL } from "../../alloc/layout";
import { MODE_L, MODE_LA } from "../../image/layout";
import { imageWidth, imageHeight, imageMode, imagePixelSize, imageRow } from "../../image/image";
import { writerOpen, writerFinish, writerAbandon, writerReserve, flushBits, BLOCK_BOUND } from "./bit-writer";
import { buildQuantTables, QUANT_TABLE_BYTES } from "./quality";
import { forwardDct } from "./fdct";
import { convertRow, grayRow, downsampleH2V1, downsampleH2V2 } from "./prepare";
import {
  encodeBlock, countBlock, buildCodes, optimalTable,
  CODE_TABLE_BYTES, COUNT_TABLE_BYTES, SPEC_BYTES, OPTIMAL_WORK_BYTES,
} from "./huffman-encode";
import { progressiveSetup, progressiveScans } from "./progressive-encode";
import { writeHeaders, writeScanHeader, writeTrailer, HEADER_BOUND } from "./segments-encode";
import {
  frameSetup, component, componentCount, mcusX, mcusY, samplingH, samplingV, blocksWide, blocksHigh,
  realWide, realHigh, tableOf, coefficientsOf, setCoefficients, lastDc, setLastDc, samplesOf, setSamples,
  COMPONENT_BYTES, BLOCK_BYTES,
} from "./frame-encode";
import { STD_DC_LUMINANCE, STD_AC_LUMINANCE, STD_DC_CHROMINANCE, STD_AC_CHROMINANCE, DC_SYMBOLS, AC_SYMBOLS } from "./tables";

/** libjpeg's JPEG_MAX_DIMENSION: larger images are refused, as Pillow refuses them. */
const MAX_DIMENSION: i32 = 65500;
const CORRECTION_BYTES: usize = 1024;

// Offsets in the work block.
const W_COMPONENTS: usize = 0;
const W_QUANT: usize = (3 * COMPONENT_BYTES + 15) & ~15;
const W_CODES: usize = W_QUANT + 2 * QUANT_TABLE_BYTES;
const W_COUNTS: usize = W_CODES + 4 * CODE_TABLE_BYTES;
const W_SPECS: usize = (W_COUNTS + 4 * COUNT_TABLE_BYTES + 15) & ~15;
const W_OPTIMAL: usize = W_SPECS + 4 * SPEC_BYTES;
const W_CORRECTION: usize = (W_OPTIMAL + OPTIMAL_WORK_BYTES + 15) & ~15;
const W_MAGNITUDES: usize = W_CORRECTION + CORRECTION_BYTES;
const W_PLANES: usize = W_MAGNITUDES + BLOCK_BYTES;

// State of the call (per thread).
let image: usize = 0;
let width: i32 = 0;
let height: i32 = 0;
let pixelSize: i32 = 0;
let hMax: i32 = 1;
let vMax: i32 = 1;
let paddedWidth: i32 = 0;   // mcusX · hMax · 8: the width of full-resolution rows
let chromaRows: usize = 0;  // full-resolution Cb then Cr rows (vMax each) when subsampled
let streaming = false;      // coefficients for one iMCU row only
let blocksPerMcu: i32 = 0;
let work: usize = 0;
let coefficientStore: usize = 0;

// @ts-ignore: decorator
@inline function align16(n: usize): usize { return (n + 15) & ~15; }

/** Block (bx, y) of iMCU row `row` of a component, y counted from the row's top. */
// @ts-ignore: decorator
@inline function rowBlock(c: usize, bx: i32, y: i32, row: i32): usize {
  let by = streaming ? y : row * samplingV(c) + y;
  return coefficientsOf(c) + (<usize>by * <usize>blocksWide(c) + <usize>bx) * BLOCK_BYTES;
}

/** Fills the sample planes with iMCU row `row`. */
function prepareRow(row: i32): void {
  let top = row * vMax * 8;
  let rows = min(height - top, vMax * 8);
  let groups = (rows + vMax - 1) / vMax;
  let luma = component(0);
  let lumaStride = <usize>blocksWide(luma) << 3;
  let subsampled = componentCount == 3 && hMax > 1;
  for (let g = 0; g < groups; g++) {
    for (let j = 0; j < vMax; j++) {
      let source = imageRow(image, min(top + g * vMax + j, height - 1));
      let y = <usize>(g * vMax + j);
      let lumaRow = samplesOf(luma) + y * lumaStride;
      if (componentCount == 1) {
        grayRow(source, width, pixelSize, lumaRow, paddedWidth);
      } else if (subsampled) {
        let blue = chromaRows + <usize>j * <usize>paddedWidth;
        convertRow(source, width, lumaRow, blue, blue + <usize>vMax * <usize>paddedWidth, paddedWidth);
      } else {
        convertRow(source, width, lumaRow, samplesOf(component(1)) + y * lumaStride, samplesOf(component(2)) + y * lumaStride, paddedWidth);
      }
    }
    if (subsampled) {
      for (let i = 1; i <= 2; i++) {
        let c = component(i);
        let stride = blocksWide(c) << 3;
        let input = chromaRows + <usize>(i - 1) * <usize>vMax * <usize>paddedWidth;
        let output = samplesOf(c) + <usize>g * <usize>stride;
        if (vMax == 2) downsampleH2V2(input, input + <usize>paddedWidth, output, stride);
        else downsampleH2V1(input, output, stride);
      }
    }
  }
  // Below the image: copies of the last row made, down to whole blocks.
  for (let i = 0; i < componentCount; i++) {
    let c = component(i);
    let stride = <usize>blocksWide(c) << 3;
    let planeRows = samplingV(c) * 8;
    let made = groups * samplingV(c);
    let last = samplesOf(c) + <usize>(made - 1) * stride;
    for (let r = made; r < planeRows; r++) memory.copy(samplesOf(c) + <usize>r * stride, last, stride);
  }
}

/** Transforms iMCU row `row` of the sample planes into coefficient blocks. */
function transformRow(row: i32): void {
  for (let i = 0; i < componentCount; i++) {
    let c = component(i);
    let h = samplingH(c), v = samplingV(c);
    let wide = blocksWide(c), real = realWide(c), high = realHigh(c);
    let stride = <usize>wide << 3;
    let divisors = work + W_QUANT + <usize>tableOf(c) * QUANT_TABLE_BYTES;
    for (let y = 0; y < v; y++) {
      let samples = samplesOf(c) + <usize>y * 8 * stride;
      let dummyRow = row * v + y >= high;
      for (let bx = 0; bx < wide; bx++) {
        let target = rowBlock(c, bx, y, row);
        if (dummyRow || bx >= real) {
          let from = dummyRow ? rowBlock(c, (bx / h) * h + h - 1, y - 1, row) : target - BLOCK_BYTES;
          let dc = load<i16>(from);
          memory.fill(target, 0, BLOCK_BYTES);
          store<i16>(target, dc);
          continue;
        }
        forwardDct(samples + (<usize>bx << 3), stride, divisors, target);
      }
    }
  }
}

/** Codes (or counts, for optimal tables) the MCUs of iMCU row `row`. */
function codeRow(row: i32, counting: bool): bool {
  let codes = work + W_CODES;
  let counts = work + W_COUNTS;
  let mcuBound = <usize>blocksPerMcu * BLOCK_BOUND;
  for (let mx = 0; mx < mcusX; mx++) {
    if (!counting && !writerReserve(mcuBound)) return false;
    for (let i = 0; i < componentCount; i++) {
      let c = component(i);
      let h = samplingH(c), v = samplingV(c);
      let dcIndex = <usize>tableOf(c) << 1;
      let previous = lastDc(c);
      for (let y = 0; y < v; y++) {
        for (let x = 0; x < h; x++) {
          let block = rowBlock(c, mx * h + x, y, row);
          previous = counting
            ? countBlock(block, previous, counts + dcIndex * COUNT_TABLE_BYTES, counts + (dcIndex + 1) * COUNT_TABLE_BYTES)
            : encodeBlock(block, previous, codes + dcIndex * CODE_TABLE_BYTES, codes + (dcIndex + 1) * CODE_TABLE_BYTES);
        }
      }
      setLastDc(c, previous);
    }
  }
  return true;
}

/** The sequential scan: headers, then every MCU. Tables are in place (codes and specs). */
function sequentialScan(): bool {
  if (!writeScanHeader(0, componentCount, 0, 63, 0, 0, work + W_SPECS)) return false;
  for (let i = 0; i < componentCount; i++) setLastDc(component(i), 0);
  if (streaming) {
    for (let row = 0; row < mcusY; row++) {
      prepareRow(row);
      transformRow(row);
      if (!codeRow(0, false)) return false;
    }
  } else {
    for (let row = 0; row < mcusY; row++) if (!codeRow(row, false)) return false;
  }
  if (!writerReserve(16)) return false;
  flushBits();
  return true;
}

/** Makes the optimal tables of the whole image's sequential scan (specs and codes). */
function optimizeTables(): void {
  let counts = work + W_COUNTS;
  memory.fill(counts, 0, 4 * COUNT_TABLE_BYTES);
  for (let i = 0; i < componentCount; i++) setLastDc(component(i), 0);
  for (let row = 0; row < mcusY; row++) codeRow(row, true);
  let tables = componentCount == 1 ? 2 : 4;
  for (let t = 0; t < tables; t++) {
    let spec = work + W_SPECS + <usize>t * SPEC_BYTES;
    optimalTable(counts + <usize>t * COUNT_TABLE_BYTES, spec, work + W_OPTIMAL);
    buildCodes(spec, work + W_CODES + <usize>t * CODE_TABLE_BYTES);
  }
}

/** Copies the Annex K table specifications in and builds their codes. */
function standardTables(): void {
  let specs = work + W_SPECS;
  memory.copy(specs, STD_DC_LUMINANCE, 16 + DC_SYMBOLS);
  memory.copy(specs + SPEC_BYTES, STD_AC_LUMINANCE, 16 + AC_SYMBOLS);
  memory.copy(specs + 2 * SPEC_BYTES, STD_DC_CHROMINANCE, 16 + DC_SYMBOLS);
  memory.copy(specs + 3 * SPEC_BYTES, STD_AC_CHROMINANCE, 16 + AC_SYMBOLS);
  for (let t: usize = 0; t < 4; t++) buildCodes(specs + t * SPEC_BYTES, work + W_CODES + t * CODE_TABLE_BYTES);
}

/** Frees a scratch block if there is one; returns 0, the address to keep. */
function releaseBlock(address: usize): usize {
  if (address != 0) scratchRelease(address);
  return 0;
}

function releaseAll(): void {
  writerAbandon();
  coefficientStore = releaseBlock(coefficientStore);
  work = releaseBlock(work);
}

/**
 * Encodes `image` as a JPEG file. `quality` 1..100; `subsampling` 0 (4:4:4), 1 (4:2:2) or
 * 2 (4:2:0); `progressive` and `optimize` 0 or 1. Returns the scratch block holding the file
 * (its length in RESULT_SIZE), or 0 with the status: ERR_UNSUPPORTED for an empty image
 * or a bad argument, ERR_LIMIT for a side over 65500, ERR_ARENA_FULL.
 */
export function jpegEncode(sourceImage: usize, quality: i32, subsampling: i32, progressive: i32, optimize: i32): usize {
  image = sourceImage;
  width = imageWidth(image);
  height = imageHeight(image);
  if (width == 0 || height == 0 || quality < 1 || quality > 100 || <u32>subsampling > 2) {
    fail(ERR_UNSUPPORTED);
    return 0;
  }
  if (width > MAX_DIMENSION || height > MAX_DIMENSION) {
    fail(ERR_LIMIT);
    return 0;
  }
  let mode = imageMode(image);
  let gray = mode == MODE_L || mode == MODE_LA;
  pixelSize = imagePixelSize(image);
  // Pillow's factors for the first component; a grayscale file is coded as 1 × 1 (one
  // component is never interleaved) and only its SOF shows them.
  let sofH = subsampling == 0 ? 1 : 2;
  let sofV = subsampling == 2 ? 2 : 1;
  hMax = gray ? 1 : sofH;
  vMax = gray ? 1 : sofV;
  let count = gray ? 1 : 3;
  streaming = progressive == 0 && optimize == 0;

  // Sizes, from the geometry frameSetup will lay out.
  let mcuColumns = (width + hMax * 8 - 1) / (hMax * 8);
  let mcuRows = (height + vMax * 8 - 1) / (vMax * 8);
  paddedWidth = mcuColumns * hMax * 8;
  let lumaPlane = <usize>paddedWidth * <usize>(vMax * 8);
  let chromaPlane = <usize>(mcuColumns * 8) * 8;
  let planes = lumaPlane + (gray ? 0 : 2 * chromaPlane);
  let chroma: usize = !gray && hMax > 1 ? <usize>(2 * vMax * paddedWidth) : 0;
  let rowBlocks = <usize>(mcuColumns * hMax * vMax) + (gray ? 0 : 2 * <usize>mcuColumns);
  let workBytes = W_PLANES + align16(planes) + align16(chroma) + (streaming ? rowBlocks * BLOCK_BYTES : 0);

  work = scratchAllocate(workBytes);
  if (work == 0) return 0;
  frameSetup(work + W_COMPONENTS, count, width, height, hMax, vMax);
  blocksPerMcu = hMax * vMax + count - 1;
  let at = work + W_PLANES;
  for (let i = 0; i < count; i++) {
    let c = component(i);
    setSamples(c, at);
    at += i == 0 ? lumaPlane : chromaPlane;
  }
  chromaRows = work + W_PLANES + align16(planes);
  at = chromaRows + align16(chroma);
  if (streaming) {
    for (let i = 0; i < count; i++) {
      let c = component(i);
      setCoefficients(c, at);
      at += <usize>(blocksWide(c) * samplingV(c)) * BLOCK_BYTES;
    }
  } else {
    let total: u64 = 0;
    for (let i = 0; i < count; i++) {
      let c = component(i);
      total += <u64>blocksWide(c) * <u64>blocksHigh(c) * BLOCK_BYTES;
    }
    if (total > 0xFFFF0000) {
      fail(ERR_ARENA_FULL);
      releaseAll();
      return 0;
    }
    coefficientStore = scratchAllocate(<usize>total);
    if (coefficientStore == 0) {
      releaseAll();
      return 0;
    }
    at = coefficientStore;
    for (let i = 0; i < count; i++) {
      let c = component(i);
      setCoefficients(c, at);
      at += <usize>blocksWide(c) * <usize>blocksHigh(c) * BLOCK_BYTES;
    }
  }
  // A first guess at the file's size (at least HEADER_BOUND); the block grows as needed.
  let guess = <u64>width * <u64>height * (gray ? 1 : 3) / 8 + (HEADER_BOUND << 4);
  if (!writerOpen(<usize>min<u64>(guess, 1 << 30))) {
    releaseAll();
    return 0;
  }

  buildQuantTables(work + W_QUANT, quality);
  writeHeaders(work + W_QUANT, progressive != 0, width, height, sofH, sofV);

  let ok = true;
  if (streaming) {
    standardTables();
    ok = sequentialScan();
  } else {
    for (let row = 0; row < mcuRows; row++) {
      prepareRow(row);
      transformRow(row);
    }
    if (progressive != 0) {
      progressiveSetup(work + W_CODES, work + W_COUNTS, work + W_SPECS, work + W_OPTIMAL, work + W_CORRECTION, work + W_MAGNITUDES);
      ok = progressiveScans();
    } else {
      optimizeTables();
      ok = sequentialScan();
    }
  }
  if (ok) ok = writeTrailer();
  if (!ok) {
    releaseAll();
    return 0;
  }
  coefficientStore = releaseBlock(coefficientStore);
  work = releaseBlock(work);
  return writerFinish();
}
