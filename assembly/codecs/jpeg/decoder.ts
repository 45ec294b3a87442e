// The JPEG decoder: jpegProbe and jpegDecode (contract in ../common.ts), giving the pixels
// Pillow 9.4 gives (libjpeg-turbo 2.1.5, islow IDCT, fancy upsampling), and with
// `reduce` 2, 4 or 8 those of Pillow's draft() (libjpeg's scaled IDCT).
//
// Flow: the header walk (markers.ts) reads the frame without allocating; the pixel limit
// is checked; then the state block, the work block and the image are allocated and the
// markers are read again, storing tables, until the scans:
//
// - one sequential scan holding every component (almost every file): decoded MCU row by
//   MCU row, each block inverse-transformed straight into a small band of component rows,
//   and output rows upsampled and colour-converted into the image as soon as the rows
//   they need are there;
// - several scans (progressive, or sequential scans of some components each): every scan
//   decodes into whole-image coefficient arrays (2 bytes per coefficient, one scratch block
//   per component), and at EOI the same band pipeline runs over them.
//
// Work block (per component, at COMPONENT_PLANE): two bands of `rows per iMCU row`
// component rows (the one being filled and the one before it, which fancy upsampling
// still reads), each row with 16 bytes of margin on both sides; then one upsampled row
// per component and an i16 row for h2v2 sums.
//
// Entropy decoding is Huffman (huffman-decode.ts, progressive.ts) or arithmetic
// (arithmetic.ts); both feed the same coefficient layouts.
//
// Huffman data that ends early: libjpeg pads with zero bits, and after that leaves the
// blocks of the rest of the restart interval empty. Here the zero bits are accepted only
// within the last MCU of a scan or interval (encoders that drop the final bits); anything
// earlier is DECODE_FAILED, without grinding through the rest of the image. (Arithmetic
// coding relies on zero padding by design; arithmetic.ts bounds it.)

import { OK, ERR_DECODE, ERR_UNSUPPORTED, ERR_LIMIT, RESULT_AUX, SLOT_STATS, SLOT_RESULTS } from "../../alloc/layout";
import { DEBUG, fail, lastError, setResult, setResultTag, resultTag, slotBase } from "../../alloc/state";
import { scratchAllocate, scratchRelease } from "../../alloc/arena";
import { imageCreate, imageRelease, imageRow, FILL_NONE } from "../../image/image";
import { MODE_L, MODE_RGB } from "../../image/layout";
import {
  FORMAT_JPEG, INFO_FORMAT, INFO_WIDTH, INFO_HEIGHT, INFO_MODE, INFO_BIT_DEPTH, INFO_INTERLACED,
  INFO_PROGRESSIVE, INFO_SAMPLING, INFO_ORIENTATION, INFO_HAS_ICC, INFO_COMPONENTS, INFO_COLOR,
} from "../common";
import {
  frameMarker, framePrecision, frameWidth, frameHeight, frameComponents, frameIds, frameSampling,
  frameQuantSelectors, orientation, hasIcc, colorTransform, state, setState, component, latchedQuant,
  coefBits, decodeBlockAddress, divUp, setGeometry, maxH, maxV, minScaled, outputWidth, outputHeight, imcuRows,
  mcusPerRow, setProgressive, progressive,
  STATE_SIZE, STATE_ZEROED, STATE_SKIP, STATE_QUANT, STATE_HUFFMAN_RAW, HUFFMAN_RAW_SIZE, STATE_HUFFMAN, HUFFMAN_TABLE_SIZE, STATE_WORKSPACE,
  STATE_MCU_TABLE, STATE_MCU_OUT,
  COMPONENT_ID, COMPONENT_H, COMPONENT_V, COMPONENT_QUANT, COMPONENT_DC_TABLE, COMPONENT_AC_TABLE,
  COMPONENT_SCALED, COMPONENT_METHOD, COMPONENT_H_EXPAND, COMPONENT_LATCHED,
  COMPONENT_WIDTH_BLOCKS, COMPONENT_HEIGHT_BLOCKS, COMPONENT_LINE_BLOCKS, COMPONENT_BLOCK_ROWS,
  COMPONENT_DOWN_WIDTH, COMPONENT_DOWN_HEIGHT, COMPONENT_PLANE, COMPONENT_STRIDE, COMPONENT_IMCU_ROWS,
  COMPONENT_COEFFICIENTS, COMPONENT_ROW, COMPONENT_DC_PRED, COMPONENT_V_IN, COMPONENT_DC_CONTEXT,
  UPSAMPLE_FULL, UPSAMPLE_H2V1_FANCY, UPSAMPLE_H2V1, UPSAMPLE_H1V2_FANCY, UPSAMPLE_H2V2_FANCY,
  UPSAMPLE_H2V2, UPSAMPLE_INT, COLOR_GRAY, COLOR_RGB, COLOR_CMYK, COLOR_YCCK, MAX_BLOCKS_IN_MCU,
} from "./frame";
import {
  walkHeader, findMarker, segmentLength, isFrameMarker, isBareMarker, readQuantTables, readHuffmanTables,
  readRestartInterval, resetTables, defineHuffman, quantDefined, huffmanDefined, restartInterval,
  MARKER_SOI, MARKER_EOI, MARKER_SOS, MARKER_DHT, MARKER_DQT, MARKER_DRI, MARKER_RST0, MARKER_DAC,
} from "./markers";
import { buildHuffmanTable, buildSkipTable, SKIP_TABLE_SIZE, decodeBlock, decodeDcOnly, startBits, overran, markerReached, readPos, readBits } from "./huffman-decode";
import { inverseTransform, dcSample } from "./idct";
import { upsampleH2V1Fancy, upsampleH1V2Fancy, upsampleH2V2Fancy, upsampleRepeat } from "./upsample";
import { ycbcrRow, rgbRow, cmykRow } from "./color";
import {
  decodeDcFirst, decodeDcRefine, decodeAcFirst, decodeAcRefine, resetEndOfBandRun,
  predictionOverflow, resetPredictionOverflow, dezigzag,
} from "./progressive";
import { STANDARD_BITS_DC_LUMINANCE, STANDARD_VALUES_DC, STANDARD_BITS_AC_LUMINANCE, STANDARD_VALUES_AC_LUMINANCE,
  STANDARD_BITS_DC_CHROMINANCE, STANDARD_BITS_AC_CHROMINANCE, STANDARD_VALUES_AC_CHROMINANCE } from "./standard-tables";
import { smoothingWanted, smoothBlockRow } from "./smoothing";
import {
  startArithmetic, arithmeticPosition, arithmeticBroken, clearDcStatistics, clearAcStatistics, resetConditioning,
  readConditioning, decodeDcDifference, decodeAcBand, decodeDcRefineArithmetic, decodeAcRefineArithmetic,
} from "./arithmetic";

/** Most scans a file may have; more is refused (libjpeg has no limit, Pillow neither). */
const MAX_SCANS: u32 = 1000;
const ROW_MARGIN: usize = 16;

// ── INFO ─────────────────────────────────────────────────────────────────────────

// @ts-ignore: decorator
@inline function info(index: usize, value: f64): void {
  store<f64>(slotBase + SLOT_STATS + (index << 3), value);
}

/** Fills the INFO area from the frame globals. */
function writeInfo(): void {
  info(INFO_FORMAT, <f64>FORMAT_JPEG);
  info(INFO_WIDTH, <f64>frameWidth);
  info(INFO_HEIGHT, <f64>frameHeight);
  info(INFO_MODE, <f64>(frameComponents == 1 ? MODE_L : MODE_RGB));
  info(INFO_BIT_DEPTH, <f64>framePrecision);
  info(INFO_INTERLACED, 0);
  let marker = frameMarker;
  info(INFO_PROGRESSIVE, marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE ? 1 : 0);
  info(INFO_SAMPLING, <f64>frameSampling);
  info(INFO_ORIENTATION, <f64>orientation);
  info(INFO_HAS_ICC, hasIcc ? 1 : 0);
  info(INFO_COMPONENTS, <f64>frameComponents);
  info(INFO_COLOR, <f64>colorTransform());
}

/** Reads a JPEG's header into INFO; nothing is allocated. Returns a status. */
export function jpegProbe(input: usize, length: usize): i32 {
  let status = walkHeader(input, length);
  if (status != OK) return fail(status);
  writeInfo();
  return OK;
}

// ── what one decode holds ────────────────────────────────────────────────────────

let work: usize = 0;
let image: usize = 0;
let imageRecord: u32 = 0;
let imageTag: u64 = 0;
/** Coefficient arrays (several scans), one scratch block per component. */
let coefficients0: usize = 0;
let coefficients1: usize = 0;
let coefficients2: usize = 0;
let coefficients3: usize = 0;
let sums: usize = 0;
let inputEnd: usize = 0;
/** Output rows written so far. */
let nextRow: u32 = 0;
let nextRestart: u32 = 0;
let scanCount: u32 = 0;
let blockBudget: u64 = 0;
/** The frame is arithmetic-coded (SOF9, SOF10). */
let arithmetic: bool = false;

function releaseAll(): void {
  if (coefficients0 != 0) scratchRelease(coefficients0);
  if (coefficients1 != 0) scratchRelease(coefficients1);
  if (coefficients2 != 0) scratchRelease(coefficients2);
  if (coefficients3 != 0) scratchRelease(coefficients3);
  if (work != 0) scratchRelease(work);
  if (state != 0) scratchRelease(state);
  coefficients0 = 0; coefficients1 = 0; coefficients2 = 0; coefficients3 = 0;
  work = 0;
  setState(0);
}

/** Frees everything and records `code`; returns 0 for `return failed(...)`. */
function failed(code: i32): usize {
  if (image != 0) imageRelease(imageRecord, imageTag);
  image = 0;
  releaseAll();
  fail(code);
  return 0;
}

/**
 * Decodes a JPEG into a new image (L or RGB), at 1/`reduce` of its size when reduce is
 * 2, 4 or 8. Returns the image (0 on failure, status set).
 */
export function jpegDecode(input: usize, length: usize, maxPixels: f64, reduce: u32): usize {
  image = 0; work = 0; setState(0);
  coefficients0 = 0; coefficients1 = 0; coefficients2 = 0; coefficients3 = 0;
  let status = walkHeader(input, length);
  if (status != OK) { fail(status); return 0; }
  writeInfo();
  let marker = frameMarker;
  // Huffman (baseline, extended, progressive) and arithmetic (extended, progressive) DCT frames.
  if (marker != 0xC0 && marker != 0xC1 && marker != 0xC2 && marker != 0xC9 && marker != 0xCA) { fail(ERR_UNSUPPORTED); return 0; }
  if (<f64>frameWidth * <f64>frameHeight > maxPixels || frameWidth > 65500 || frameHeight > 65500) {
    fail(ERR_LIMIT);
    return 0;
  }
  let scaled: u32 = reduce == 2 ? 4 : reduce == 4 ? 2 : reduce == 8 ? 1 : 8;
  status = setUpFrame(scaled);
  if (status != OK) { fail(status); return 0; }
  setProgressive(marker == 0xC2 || marker == 0xCA);
  arithmetic = marker == 0xC9 || marker == 0xCA;
  // Allocations: state, work, image. Only a sequential Huffman frame at 1/8 keeps blocks
  // of DC alone in one scan, and so may read through skip tables: only it has room for them.
  skipRoom = scaled == 1 && !progressive && !arithmetic;
  let address = scratchAllocate(skipRoom ? STATE_SIZE : STATE_SKIP);
  if (address == 0) return failed(lastError());
  memory.fill(address, 0, STATE_ZEROED);
  setState(address);
  copyFrameComponents();
  status = setUpComponents(scaled);
  if (status != OK) return failed(status);
  work = scratchAllocate(workSize());
  if (work == 0) return failed(lastError());
  layOutWork();
  let mode = frameComponents == 1 ? MODE_L : MODE_RGB;
  image = imageCreate(mode, outputWidth, outputHeight, FILL_NONE, 0);
  if (image == 0) return failed(lastError());
  imageRecord = load<u32>(slotBase + SLOT_RESULTS + (RESULT_AUX << 2));
  imageTag = resultTag();
  inputEnd = input + length;
  status = readScans(input + 2);
  if (status != OK) return failed(status);
  let result = image;
  image = 0;
  releaseAll();
  setResult(RESULT_AUX, imageRecord);
  setResultTag(imageTag);
  return result;
}

// ── frame set-up ───────────────────────────────────────────────────────────────────

/** Checks the sampling factors and sets the frame geometry for scaled block size `scaled`. */
function setUpFrame(scaled: u32): i32 {
  let hMax: u32 = 1, vMax: u32 = 1;
  for (let i: u32 = 0; i < frameComponents; i++) {
    let sampling = (frameSampling >> (i << 3)) & 0xFF;
    let h = sampling >> 4, v = sampling & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4) return ERR_DECODE;
    hMax = max(hMax, h);
    vMax = max(vMax, v);
  }
  let w = <u64>frameWidth, h = <u64>frameHeight;
  setGeometry(hMax, vMax, scaled, divUp(w * scaled, 8), divUp(h * scaled, 8),
    divUp(h, <u64>vMax * 8), divUp(w, <u64>hMax * 8));
  return OK;
}

function copyFrameComponents(): void {
  for (let i: u32 = 0; i < frameComponents; i++) {
    let c = component(i);
    let sampling = (frameSampling >> (i << 3)) & 0xFF;
    store<u8>(c + COMPONENT_ID, <u8>(frameIds >> (i << 3)));
    store<u8>(c + COMPONENT_H, <u8>(sampling >> 4));
    store<u8>(c + COMPONENT_V, <u8>(sampling & 15));
    store<u8>(c + COMPONENT_QUANT, <u8>(frameQuantSelectors >> (i << 3)));
    memory.fill(coefBits(i), 0xFF, 64);
  }
}

/**
 * Per component: the scaled block size (jdmaster.c: chroma may use a larger IDCT instead
 * of upsampling), sizes in blocks and samples, and the upsampling method (jdsample.c).
 */
function setUpComponents(scaled: u32): i32 {
  let w = <u64>frameWidth, h = <u64>frameHeight;
  let fancy = scaled > 1;
  for (let i: u32 = 0; i < frameComponents; i++) {
    let c = component(i);
    let hc = <u32>load<u8>(c + COMPONENT_H), vc = <u32>load<u8>(c + COMPONENT_V);
    let size = scaled;
    while (size < 8 && (maxH * scaled) % (hc * size * 2) == 0 && (maxV * scaled) % (vc * size * 2) == 0) size <<= 1;
    store<u8>(c + COMPONENT_SCALED, <u8>size);
    store<u32>(c + COMPONENT_WIDTH_BLOCKS, divUp(w * hc, <u64>maxH * 8));
    store<u32>(c + COMPONENT_HEIGHT_BLOCKS, divUp(h * vc, <u64>maxV * 8));
    store<u32>(c + COMPONENT_LINE_BLOCKS, mcusPerRow * hc);
    store<u32>(c + COMPONENT_BLOCK_ROWS, imcuRows * vc);
    let downWidth = divUp(w * hc * size, <u64>maxH * 8);
    store<u32>(c + COMPONENT_DOWN_WIDTH, downWidth);
    store<u32>(c + COMPONENT_DOWN_HEIGHT, divUp(h * vc * size, <u64>maxV * 8));
    store<u32>(c + COMPONENT_IMCU_ROWS, vc * size);
    let hIn = hc * size / scaled, vIn = vc * size / scaled;
    store<u32>(c + COMPONENT_V_IN, vIn);
    let method: u8;
    if (hIn == maxH && vIn == maxV) method = UPSAMPLE_FULL;
    else if (hIn * 2 == maxH && vIn == maxV) method = fancy && downWidth > 2 ? UPSAMPLE_H2V1_FANCY : UPSAMPLE_H2V1;
    else if (hIn == maxH && vIn * 2 == maxV && fancy) method = UPSAMPLE_H1V2_FANCY;
    else if (hIn * 2 == maxH && vIn * 2 == maxV) method = fancy && downWidth > 2 ? UPSAMPLE_H2V2_FANCY : UPSAMPLE_H2V2;
    else if (maxH % hIn == 0 && maxV % vIn == 0) method = UPSAMPLE_INT;
    else return ERR_UNSUPPORTED; // fractional sampling ratios: libjpeg refuses them too
    store<u8>(c + COMPONENT_METHOD, method);
    store<u8>(c + COMPONENT_H_EXPAND, <u8>(maxH / hIn));
  }
  return OK;
}

// @ts-ignore: decorator
@inline function align16(value: usize): usize { return (value + 15) & ~<usize>15; }

/** Bytes of one component row in its band (margins included). */
function stride(c: usize): usize {
  return align16(<usize>load<u32>(c + COMPONENT_LINE_BLOCKS) * <usize>load<u8>(c + COMPONENT_SCALED)) + 2 * ROW_MARGIN + 16;
}

function workSize(): usize {
  let total: usize = 0;
  let rowBytes = align16(<usize>outputWidth) + 64;
  let widest: usize = 0;
  for (let i: u32 = 0; i < frameComponents; i++) {
    let c = component(i);
    total += 2 * <usize>load<u32>(c + COMPONENT_IMCU_ROWS) * stride(c) + rowBytes;
    widest = max(widest, <usize>load<u32>(c + COMPONENT_DOWN_WIDTH));
  }
  return total + (align16(widest) + 32) * 2 + 32;
}

function layOutWork(): void {
  let at = work;
  let rowBytes = align16(<usize>outputWidth) + 64;
  for (let i: u32 = 0; i < frameComponents; i++) {
    let c = component(i);
    let bytes = stride(c);
    store<u32>(c + COMPONENT_STRIDE, <u32>bytes);
    store<u32>(c + COMPONENT_PLANE, <u32>at);
    at += 2 * <usize>load<u32>(c + COMPONENT_IMCU_ROWS) * bytes;
    store<u32>(c + COMPONENT_ROW, <u32>at);
    at += rowBytes;
  }
  sums = at + 16;
}

/** Address of component row `row` (absolute, within the two bands kept). */
// @ts-ignore: decorator
@inline function planeRow(c: usize, row: u32): usize {
  let rows = load<u32>(c + COMPONENT_IMCU_ROWS);
  let slot = (row / rows) & 1;
  return <usize>load<u32>(c + COMPONENT_PLANE) + <usize>(slot * rows + row % rows) * <usize>load<u32>(c + COMPONENT_STRIDE) + ROW_MARGIN;
}

// ── markers and scans ─────────────────────────────────────────────────────────────

/** Reads markers from `pos` (after SOI) and decodes the scans into the image. */
function readScans(pos: usize): i32 {
  resetTables();
  resetConditioning();
  resetPredictionOverflow();
  let end = inputEnd;
  let sawFrame = false, multiScan = false;
  scanCount = 0;
  nextRow = 0;
  while (true) {
    let at = findMarker(pos, end);
    if (at == 0) return ERR_DECODE;
    let marker = <u32>load<u8>(at);
    pos = at + 1;
    if (isBareMarker(marker)) continue;
    if (marker == MARKER_SOI) return ERR_DECODE;
    if (marker == MARKER_EOI) {
      if (scanCount == 0) return ERR_DECODE;
      return outputCoefficients();
    }
    let size = segmentLength(pos, end);
    if (size == 0) return ERR_DECODE;
    let data = pos + 2, dataLength = size - 2;
    pos += size;
    if (isFrameMarker(marker)) {
      if (sawFrame) return ERR_DECODE;
      sawFrame = true;
    } else if (marker == MARKER_DQT) {
      if (!readQuantTables(data, dataLength)) return ERR_DECODE;
    } else if (marker == MARKER_DHT) {
      if (!readHuffmanTables(data, dataLength)) return ERR_DECODE;
    } else if (marker == MARKER_DRI) {
      if (!readRestartInterval(data, dataLength)) return ERR_DECODE;
    } else if (marker == MARKER_DAC) {
      if (!readConditioning(data, dataLength)) return ERR_DECODE;
    } else if (marker == MARKER_SOS) {
      if (++scanCount > MAX_SCANS) return ERR_DECODE;
      let status = readScanHeader(data, dataLength);
      if (status != OK) return status;
      if (scanCount == 1) {
        multiScan = progressive || scanComponents < frameComponents;
        if (multiScan) {
          status = allocateCoefficients();
          if (status != OK) return status;
        } else {
          // One scan with every component: decode it into the image and stop.
          return decodeSequentialStream(pos);
        }
      }
      status = progressive ? decodeProgressiveScan(pos) : decodeSequentialScan(pos);
      if (status != OK) return status;
      pos = arithmetic ? arithmeticPosition() : readPos;
    } else if ((marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE || marker == 0xDC) {
      // APPn, COM, DNL (ignored as libjpeg does)
    } else {
      return ERR_DECODE; // JPGn, DHP, EXP and reserved markers: libjpeg refuses them
    }
  }
}

let scanComponents: u32 = 0;
/** Component indexes of the scan, one byte each. */
let scanList: u32 = 0;
let spectralStart: u32 = 0;
let spectralEnd: u32 = 0;
let approximationHigh: u32 = 0;
let approximationLow: u32 = 0;

// @ts-ignore: decorator
@inline function scanComponent(i: u32): u32 { return (scanList >> (i << 3)) & 0xFF; }

/** Reads a SOS header, checks it as libjpeg does, latches quantisation tables and builds Huffman tables. */
function readScanHeader(data: usize, length: usize): i32 {
  if (length < 1) return ERR_DECODE;
  let n = <u32>load<u8>(data);
  if (n < 1 || n > 4 || length != 4 + 2 * <usize>n) return ERR_DECODE;
  scanComponents = n;
  scanList = 0;
  let used: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    let id = <u32>load<u8>(data + 1 + 2 * <usize>i);
    let tables = <u32>load<u8>(data + 2 + 2 * <usize>i);
    let index: u32 = 0xFF;
    for (let j: u32 = 0; j < frameComponents; j++) {
      if (((frameIds >> (j << 3)) & 0xFF) == id && (used & (1 << j)) == 0) { index = j; break; }
    }
    if (index == 0xFF) return ERR_DECODE;
    used |= 1 << index;
    scanList |= index << (i << 3);
    let c = component(index);
    store<u8>(c + COMPONENT_DC_TABLE, <u8>(tables >> 4));
    store<u8>(c + COMPONENT_AC_TABLE, <u8>(tables & 15));
  }
  let tail = data + 1 + 2 * <usize>n;
  spectralStart = load<u8>(tail);
  spectralEnd = load<u8>(tail + 1);
  approximationHigh = load<u8>(tail + 2) >> 4;
  approximationLow = load<u8>(tail + 2) & 15;
  if (n > 1) {
    let blocks: u32 = 0;
    for (let i: u32 = 0; i < n; i++) {
      let c = component(scanComponent(i));
      blocks += <u32>load<u8>(c + COMPONENT_H) * <u32>load<u8>(c + COMPONENT_V);
    }
    if (blocks > MAX_BLOCKS_IN_MCU) return ERR_DECODE;
  }
  if (progressive) {
    let dcBand = spectralStart == 0;
    let bad = false;
    if (dcBand) { if (spectralEnd != 0) bad = true; }
    else if (spectralStart > spectralEnd || spectralEnd > 63 || n != 1) bad = true;
    if (approximationHigh != 0 && approximationLow != approximationHigh - 1) bad = true;
    if (approximationLow > 13) bad = true;
    if (bad) return ERR_DECODE;
  }
  // Quantisation tables are latched at a component's first scan (latch_quant_tables).
  for (let i: u32 = 0; i < n; i++) {
    let index = scanComponent(i);
    let c = component(index);
    if (load<u8>(c + COMPONENT_LATCHED) == 0) {
      let table = <u32>load<u8>(c + COMPONENT_QUANT);
      if (table >= 4 || (quantDefined & (1 << table)) == 0) return ERR_DECODE;
      memory.copy(latchedQuant(index), state + STATE_QUANT + (<usize>table << 7), 128);
      store<u8>(c + COMPONENT_LATCHED, 1);
    }
  }
  // Arithmetic coding has 16 tables of statistics, all defined; nothing to build.
  if (arithmetic) return OK;
  // Huffman tables, with libjpeg's standard ones where a sequential file defines none.
  if (!progressive) {
    if ((huffmanDefined & 1) == 0) installStandard(0, STANDARD_BITS_DC_LUMINANCE, STANDARD_VALUES_DC, 12);
    if ((huffmanDefined & 2) == 0) installStandard(1, STANDARD_BITS_DC_CHROMINANCE, STANDARD_VALUES_DC, 12);
    if ((huffmanDefined & 16) == 0) installStandard(4, STANDARD_BITS_AC_LUMINANCE, STANDARD_VALUES_AC_LUMINANCE, 162);
    if ((huffmanDefined & 32) == 0) installStandard(5, STANDARD_BITS_AC_CHROMINANCE, STANDARD_VALUES_AC_CHROMINANCE, 162);
  }
  let needDc = !progressive || (spectralStart == 0 && approximationHigh == 0);
  let needAc = !progressive || spectralStart != 0;
  for (let i: u32 = 0; i < n; i++) {
    let c = component(scanComponent(i));
    if (needDc && !prepareTable(<u32>load<u8>(c + COMPONENT_DC_TABLE), true)) return ERR_DECODE;
    if (needAc && !prepareTable(<u32>load<u8>(c + COMPONENT_AC_TABLE), false)) return ERR_DECODE;
  }
  return OK;
}

function installStandard(slot: u32, bits: usize, values: usize, count: usize): void {
  let raw = state + STATE_HUFFMAN_RAW + <usize>slot * HUFFMAN_RAW_SIZE;
  memory.copy(raw, bits, 16);
  memory.fill(raw + 16, 0, 256);
  memory.copy(raw + 16, values, count);
  defineHuffman(slot);
}

/** Builds the lookup table of DC (or AC) table `index` for this scan. */
function prepareTable(index: u32, isDc: bool): bool {
  if (index >= 4) return false;
  let slot = isDc ? index : 4 + index;
  if ((huffmanDefined & (1 << slot)) == 0) return false;
  return buildHuffmanTable(huffmanTable(slot), state + STATE_HUFFMAN_RAW + <usize>slot * HUFFMAN_RAW_SIZE, isDc);
}

// @ts-ignore: decorator
@inline function huffmanTable(slot: u32): usize {
  return state + STATE_HUFFMAN + <usize>slot * HUFFMAN_TABLE_SIZE;
}

// @ts-ignore: decorator
@inline function dcTableOf(c: usize): usize { return huffmanTable(<u32>load<u8>(c + COMPONENT_DC_TABLE)); }
// @ts-ignore: decorator
@inline function acTableOf(c: usize): usize { return huffmanTable(4 + <u32>load<u8>(c + COMPONENT_AC_TABLE)); }
/** AC tables (bit per index) whose skip table this scan built. */
let skipTables: u32 = 0;
/** The state block has room for skip tables (STATE_SKIP up to STATE_SIZE). */
let skipRoom = false;
/**
 * Blocks of one component below which a scan reads AC symbols one at a time: building a
 * skip table costs about as much as reading past the AC symbols of a few hundred blocks.
 * The debug build uses skip tables for any size, so that small test files take that path.
 */
const SKIP_TABLE_MIN_BLOCKS: u32 = DEBUG ? 0 : 4096;

/** The skip table of component `c`'s AC table for this scan, or 0 when it has none. */
// @ts-ignore: decorator
@inline function skipTableOf(c: usize): usize {
  let index = <u32>load<u8>(c + COMPONENT_AC_TABLE);
  return (skipTables >> index) & 1 ? state + STATE_SKIP + <usize>index * SKIP_TABLE_SIZE : 0;
}

/**
 * Builds the skip tables of this sequential scan's components whose blocks keep only their
 * DC (a 1×1 scaled IDCT) and are many, from the AC tables prepared for the scan.
 */
function prepareSkipTables(): void {
  skipTables = 0;
  if (!skipRoom) return;
  for (let i: u32 = 0; i < scanComponents; i++) {
    let c = component(scanComponent(i));
    if (load<u8>(c + COMPONENT_SCALED) != 1) continue;
    let blocks = <u64>load<u32>(c + COMPONENT_WIDTH_BLOCKS) * <u64>load<u32>(c + COMPONENT_HEIGHT_BLOCKS);
    let index = <u32>load<u8>(c + COMPONENT_AC_TABLE);
    if (blocks < <u64>SKIP_TABLE_MIN_BLOCKS || ((skipTables >> index) & 1) != 0) continue;
    buildSkipTable(acTableOf(c), state + STATE_SKIP + <usize>index * SKIP_TABLE_SIZE);
    skipTables |= 1 << index;
  }
}

/** Starts the entropy-coded data of a scan at `pos`: predictions, restarts, the decoder. */
function startScan(pos: usize): void {
  nextRestart = 0;
  startEntropy(pos, true);
}

/**
 * Resets what a scan or restart interval starts with: DC predictions, end-of-band runs, and
 * for arithmetic coding the statistics of the scan's tables (as jdarith.c's start_pass and
 * process_restart); then starts reading at `pos`.
 */
function startEntropy(pos: usize, wholeScan: bool): void {
  for (let i: u32 = 0; i < frameComponents; i++) {
    store<i32>(component(i) + COMPONENT_DC_PRED, 0);
    store<i32>(component(i) + COMPONENT_DC_CONTEXT, 0);
  }
  resetEndOfBandRun();
  if (!arithmetic) {
    startBits(pos, inputEnd);
    return;
  }
  let dcStatistics = !progressive || (spectralStart == 0 && approximationHigh == 0);
  let acStatistics = !progressive || spectralStart != 0;
  let blocks: u64 = 0;
  for (let i: u32 = 0; i < scanComponents; i++) {
    let c = component(scanComponent(i));
    if (dcStatistics) clearDcStatistics(<u32>load<u8>(c + COMPONENT_DC_TABLE));
    if (acStatistics) clearAcStatistics(<u32>load<u8>(c + COMPONENT_AC_TABLE));
    blocks += scanComponents == 1
      ? <u64>load<u32>(c + COMPONENT_WIDTH_BLOCKS) * <u64>load<u32>(c + COMPONENT_HEIGHT_BLOCKS)
      : <u64>mcusPerRow * <u64>imcuRows * <u64>(<u32>load<u8>(c + COMPONENT_H) * <u32>load<u8>(c + COMPONENT_V));
  }
  // The zero bytes allowed after a marker scale with the blocks the data covers.
  if (!wholeScan && restartInterval != 0) {
    let perMcu = scanComponents == 1 ? <u64>1 : blocks / (<u64>mcusPerRow * <u64>imcuRows);
    blocks = <u64>restartInterval * perMcu;
  }
  startArithmetic(pos, inputEnd, blocks);
}

/**
 * Moves past the restart marker that should follow, as read_restart_marker with
 * jpeg_resync_to_restart; false when the data has none to resynchronise on.
 */
function processRestart(): bool {
  let at = findMarker(arithmetic ? arithmeticPosition() : readPos, inputEnd);
  while (true) {
    if (at == 0) return false;
    let marker = <u32>load<u8>(at);
    let expected = MARKER_RST0 + nextRestart;
    let action: u32;
    if (marker == expected) action = 1;
    else if (marker < 0xC0) action = 2;
    else if (marker < MARKER_RST0 || marker > MARKER_RST0 + 7) action = 3;
    else if (marker == MARKER_RST0 + ((nextRestart + 1) & 7) || marker == MARKER_RST0 + ((nextRestart + 2) & 7)) action = 3;
    else if (marker == MARKER_RST0 + ((nextRestart - 1) & 7) || marker == MARKER_RST0 + ((nextRestart - 2) & 7)) action = 2;
    else action = 1;
    if (action == 3) return false; // libjpeg would leave the interval empty: the data ended early
    if (action == 2) { at = findMarker(at + 1, inputEnd); continue; }
    nextRestart = (nextRestart + 1) & 7;
    startEntropy(at + 1, false);
    return true;
  }
}

/**
 * After MCU `index` of `total` (with `toGo` left in the restart interval, 0 without
 * restarts): false when the data ran out, unless a marker ended it within the last MCU of
 * the scan or interval (libjpeg reads zeros there; some encoders drop the final bits).
 */
// @ts-ignore: decorator
@inline function dataHeld(index: u32, total: u32, toGo: u32): bool {
  if (arithmetic) return !arithmeticBroken();
  return !overran() || (markerReached && (index + 1 == total || toGo == 1));
}

/**
 * One arithmetic-coded block of the current scan (`kind` as forEachMcu): DC differences
 * are summed modulo 2^16 (jdarith.c), sequential blocks land in natural order, progressive
 * ones in zigzag order.
 */
function arithmeticBlock(kind: u32, block: usize, c: usize): void {
  let al = approximationLow;
  if (kind <= 1) {
    let last = (load<i32>(c + COMPONENT_DC_PRED)
      + decodeDcDifference(<u32>load<u8>(c + COMPONENT_DC_TABLE), c + COMPONENT_DC_CONTEXT)) & 0xFFFF;
    store<i32>(c + COMPONENT_DC_PRED, last);
    if (kind == 1) {
      store<i16>(block, <i16>(last << al));
      return;
    }
    store<i16>(block, <i16>last);
    decodeAcBand(block, <u32>load<u8>(c + COMPONENT_AC_TABLE), 1, 63, 0, true);
  } else if (kind == 2) {
    decodeDcRefineArithmetic(block, al);
  } else if (kind == 3) {
    decodeAcBand(block, <u32>load<u8>(c + COMPONENT_AC_TABLE), spectralStart, spectralEnd, al, false);
  } else {
    decodeAcRefineArithmetic(block, <u32>load<u8>(c + COMPONENT_AC_TABLE), spectralStart, spectralEnd, al);
  }
}

/**
 * Lists the blocks of an MCU in the MCU table, in coding order, and returns how many
 * (one for a scan of one component). Entry (32 bytes): component record, byte offset
 * from the component's MCU origin, DC table, AC table, latched quantisation table, row
 * stride, scaled block size, skip table (0: none; prepareSkipTables first). Offsets are
 * into the band of component rows (`inBands`) or the coefficient array.
 */
function listMcuBlocks(inBands: bool): u32 {
  let table = state + STATE_MCU_TABLE;
  let count: u32 = 0;
  for (let i: u32 = 0; i < scanComponents; i++) {
    let index = scanComponent(i);
    let c = component(index);
    // A scan of one component has MCUs of one block.
    let h: u32 = scanComponents == 1 ? 1 : load<u8>(c + COMPONENT_H), v: u32 = scanComponents == 1 ? 1 : load<u8>(c + COMPONENT_V);
    let size = <usize>load<u8>(c + COMPONENT_SCALED);
    let stride = <usize>load<u32>(c + COMPONENT_STRIDE);
    let lineBytes = <usize>load<u32>(c + COMPONENT_LINE_BLOCKS) << 7;
    for (let y: u32 = 0; y < v; y++) {
      for (let x: u32 = 0; x < h; x++, count++) {
        let entry = table + (<usize>count << 5);
        store<u32>(entry, <u32>c);
        store<u32>(entry, <u32>(inBands ? <usize>y * size * stride + <usize>x * size : <usize>y * lineBytes + (<usize>x << 7)), 4);
        store<u32>(entry, <u32>dcTableOf(c), 8);
        store<u32>(entry, <u32>acTableOf(c), 12);
        store<u32>(entry, <u32>latchedQuant(index), 16);
        store<u32>(entry, <u32>stride, 20);
        store<u32>(entry, <u32>size, 24);
        store<u32>(entry, inBands ? <u32>skipTableOf(c) : 0, 28);
      }
    }
  }
  return count;
}

/**
 * Places the MCU table's blocks for iMCU row `row` in STATE_MCU_OUT: where each block of the
 * row's first MCU goes (in the band of component rows, `inBands`, or in the coefficient
 * array), and how far it moves per MCU.
 */
function placeMcuBlocks(row: u32, blocksPerMcu: u32, inBands: bool): void {
  let table = state + STATE_MCU_TABLE;
  let outs = state + STATE_MCU_OUT;
  for (let b: u32 = 0; b < blocksPerMcu; b++) {
    let entry = table + (<usize>b << 5);
    let c = <usize>load<u32>(entry);
    let v = <u32>load<u8>(c + COMPONENT_V), h = <u32>load<u8>(c + COMPONENT_H);
    let origin: usize, step: u32;
    if (inBands) {
      let size = <u32>load<u8>(c + COMPONENT_SCALED);
      origin = planeRow(c, row * v * size);
      step = h * size;
    } else {
      origin = <usize>load<u32>(c + COMPONENT_COEFFICIENTS) + <usize>(row * v) * (<usize>load<u32>(c + COMPONENT_LINE_BLOCKS) << 7);
      step = h << 7;
    }
    store<u32>(outs + (<usize>b << 3), <u32>(origin + <usize>load<u32>(entry, 4)));
    store<u32>(outs + (<usize>b << 3), step, 4);
  }
}

// ── one sequential scan of every component, straight into the image ──────────────

/** The restart countdown and MCU index of the scan being decoded, kept between its rows. */
let scanToGo: u32 = 0;
let scanIndex: u32 = 0;

function decodeSequentialStream(pos: usize): i32 {
  startScan(pos);
  prepareSkipTables();
  scanToGo = restartInterval;
  scanIndex = 0;
  let single = scanComponents == 1;
  let c0 = component(scanComponent(0));
  let totalMcus: u32 = single
    ? load<u32>(c0 + COMPONENT_WIDTH_BLOCKS) * load<u32>(c0 + COMPONENT_HEIGHT_BLOCKS)
    : mcusPerRow * imcuRows;
  let blocksPerMcu = listMcuBlocks(true);
  let outs = state + STATE_MCU_OUT;
  for (let row: u32 = 0; row < imcuRows; row++) {
    let status = OK;
    if (single) {
      // The component's block rows in this iMCU row, each a run of one-block MCUs.
      let v = <u32>load<u8>(c0 + COMPONENT_V), size = <u32>load<u8>(c0 + COMPONENT_SCALED);
      let rowsHere = min<u32>(v, load<u32>(c0 + COMPONENT_HEIGHT_BLOCKS) - row * v);
      for (let y: u32 = 0; y < rowsHere && status == OK; y++) {
        store<u32>(outs, <u32>planeRow(c0, (row * v + y) * size));
        store<u32>(outs, size, 4);
        status = sequentialMcus(load<u32>(c0 + COMPONENT_WIDTH_BLOCKS), 1, totalMcus);
      }
    } else {
      placeMcuBlocks(row, blocksPerMcu, true);
      status = sequentialMcus(mcusPerRow, blocksPerMcu, totalMcus);
    }
    if (status != OK) return status;
    emitRows(row + 1, false);
  }
  emitRows(imcuRows, true);
  return OK;
}

/**
 * `count` MCUs of a sequential scan into the band, their blocks as the MCU table lists
 * them, each at its place in STATE_MCU_OUT, which moves on by its step after each MCU. A
 * function of its own, called once a block row: the engine's optimized code, once made,
 * runs from the next call on (a call runs the code it started with to its end).
 */
function sequentialMcus(count: u32, blocksPerMcu: u32, totalMcus: u32): i32 {
  let interval = restartInterval;
  let toGo = scanToGo;
  let index = scanIndex;
  let block = decodeBlockAddress();
  let ws = state + STATE_WORKSPACE;
  let table = state + STATE_MCU_TABLE;
  let outs = state + STATE_MCU_OUT;
  for (let m: u32 = 0; m < count; m++) {
    if (interval != 0) {
      if (toGo == 0) { if (!processRestart()) return ERR_DECODE; toGo = interval; }
    }
    for (let b: u32 = 0; b < blocksPerMcu; b++) {
      let entry = table + (<usize>b << 5);
      let at = outs + (<usize>b << 3);
      let out = <usize>load<u32>(at);
      store<u32>(at, <u32>out + load<u32>(at, 4));
      let size = load<u32>(entry, 24);
      let pred = <usize>load<u32>(entry) + COMPONENT_DC_PRED;
      if (size == 1 && !arithmetic) {
        // Only the DC is used (a 1×1 IDCT): the block is never written.
        let prediction = decodeDcOnly(<usize>load<u32>(entry, 8), <usize>load<u32>(entry, 12), <usize>load<u32>(entry, 28), load<i32>(pred));
        store<i32>(pred, prediction);
        store<u8>(out, dcSample(<i32><i16>prediction, <i32>load<i16>(<usize>load<u32>(entry, 16))));
      } else {
        if (arithmetic) arithmeticBlock(0, block, <usize>load<u32>(entry));
        else store<i32>(pred, decodeBlock(block, <usize>load<u32>(entry, 8), <usize>load<u32>(entry, 12), load<i32>(pred)));
        inverseTransform(block, <usize>load<u32>(entry, 16), out, <usize>load<u32>(entry, 20), size, ws);
      }
    }
    if (!dataHeld(index, totalMcus, toGo)) return ERR_DECODE;
    index++;
    if (interval != 0) toGo--;
  }
  scanToGo = toGo;
  scanIndex = index;
  return OK;
}

// ── several scans: coefficient arrays ───────────────────────────────────────────────

function allocateCoefficients(): i32 {
  let total: u64 = 0;
  for (let i: u32 = 0; i < frameComponents; i++) {
    let c = component(i);
    let blocks = <usize>load<u32>(c + COMPONENT_LINE_BLOCKS) * <usize>load<u32>(c + COMPONENT_BLOCK_ROWS);
    total += <u64>blocks;
    let address = scratchAllocate(blocks << 7);
    if (address == 0) return lastError();
    if (i == 0) coefficients0 = address;
    else if (i == 1) coefficients1 = address;
    else if (i == 2) coefficients2 = address;
    else coefficients3 = address;
    memory.fill(address, 0, blocks << 7);
    store<u32>(c + COMPONENT_COEFFICIENTS, <u32>address);
  }
  blockBudget = total * 32 + (1 << 20);
  return OK;
}

// @ts-ignore: decorator
@inline function coefficientBlock(c: usize, x: u32, y: u32): usize {
  return <usize>load<u32>(c + COMPONENT_COEFFICIENTS)
    + ((<usize>y * <usize>load<u32>(c + COMPONENT_LINE_BLOCKS) + <usize>x) << 7);
}

/**
 * Counts a scan's blocks against the budget that bounds the work of many scans: 32 visits
 * of every block (common encoders need 6 to 12), and a million more for small images.
 */
function spend(blocks: u64): bool {
  if (blocks > blockBudget) return false;
  blockBudget -= blocks;
  return true;
}

/** A sequential scan (of some components) into the coefficient arrays. */
function decodeSequentialScan(pos: usize): i32 {
  startScan(pos);
  return forEachMcu(0);
}

/** A progressive scan into the coefficient arrays. */
function decodeProgressiveScan(pos: usize): i32 {
  startScan(pos);
  // Coefficient bits: the Al each coefficient was last coded with (for block smoothing).
  for (let i: u32 = 0; i < scanComponents; i++) {
    let bits = coefBits(scanComponent(i));
    for (let k = spectralStart; k <= spectralEnd; k++) store<i8>(bits + k, <i8>approximationLow);
  }
  let kind: u32 = spectralStart == 0 ? (approximationHigh == 0 ? 1 : 2) : (approximationHigh == 0 ? 3 : 4);
  let status = forEachMcu(kind);
  if (status == OK && predictionOverflow) return ERR_DECODE;
  return status;
}

/**
 * Runs the MCUs of the current scan over the coefficient arrays: `kind` 0 sequential,
 * 1 DC first, 2 DC refinement, 3 AC first, 4 AC refinement. An interleaved MCU's blocks
 * are listed once (component, offset from the component's MCU origin) in the state
 * block's MCU table; each iMCU row places them (STATE_MCU_OUT), and they move along as
 * the MCUs do.
 */
function forEachMcu(kind: u32): i32 {
  if (scanComponents == 1) return forEachBlock(kind);
  let blocksPerMcu = listMcuBlocks(false);
  let total = mcusPerRow * imcuRows;
  if (!spend(<u64>total * <u64>blocksPerMcu)) return ERR_DECODE;
  scanToGo = restartInterval;
  scanIndex = 0;
  for (let row: u32 = 0; row < imcuRows; row++) {
    let status = mcuRow(kind, row, blocksPerMcu, total);
    if (status != OK) return status;
  }
  return OK;
}

/** One iMCU row of an interleaved scan into the coefficient arrays (see sequentialMcus). */
function mcuRow(kind: u32, row: u32, blocksPerMcu: u32, total: u32): i32 {
  let interval = restartInterval;
  let toGo = scanToGo;
  let index = scanIndex;
  let table = state + STATE_MCU_TABLE;
  let al = approximationLow;
  let outs = state + STATE_MCU_OUT;
  placeMcuBlocks(row, blocksPerMcu, false);
  for (let column: u32 = 0; column < mcusPerRow; column++) {
    if (interval != 0) {
      if (toGo == 0) { if (!processRestart()) return ERR_DECODE; toGo = interval; }
    }
    // Huffman DC refinement: one bit per block, the MCU's bits read at once.
    let refinement = kind == 2 && !arithmetic ? readBits(blocksPerMcu) << (32 - blocksPerMcu) : 0;
    for (let b: u32 = 0; b < blocksPerMcu; b++) {
      let entry = table + (<usize>b << 5);
      let at = outs + (<usize>b << 3);
      let block = <usize>load<u32>(at);
      store<u32>(at, <u32>block + load<u32>(at, 4));
      let c = <usize>load<u32>(entry);
      if (arithmetic) arithmeticBlock(kind, block, c);
      else if (kind == 2) {
        store<i16>(block, <i16>(<i32>load<i16>(block) | <i32>((refinement >> 31) << al)));
        refinement <<= 1;
      } else if (kind == 1) store<i32>(c + COMPONENT_DC_PRED, decodeDcFirst(block, dcTableOf(c), load<i32>(c + COMPONENT_DC_PRED), al));
      else store<i32>(c + COMPONENT_DC_PRED, decodeBlock(block, dcTableOf(c), acTableOf(c), load<i32>(c + COMPONENT_DC_PRED)));
    }
    if (!dataHeld(index, total, toGo)) return ERR_DECODE;
    index++;
    if (interval != 0) toGo--;
  }
  scanToGo = toGo;
  scanIndex = index;
  return OK;
}

/** The blocks of a scan of one component, in raster order (each block is an MCU). */
function forEachBlock(kind: u32): i32 {
  let c = component(scanComponent(0));
  let columns = load<u32>(c + COMPONENT_WIDTH_BLOCKS);
  let rows = load<u32>(c + COMPONENT_HEIGHT_BLOCKS);
  let total = columns * rows;
  if (!spend(<u64>total)) return ERR_DECODE;
  scanToGo = restartInterval;
  scanIndex = 0;
  for (let row: u32 = 0; row < rows; row++) {
    let status = blockRow(kind, c, row, columns, total);
    if (status != OK) return status;
  }
  return OK;
}

/** One row of blocks of a scan of one component (a function of its own: see sequentialMcus). */
function blockRow(kind: u32, c: usize, row: u32, columns: u32, total: u32): i32 {
  let interval = restartInterval;
  let toGo = scanToGo;
  let index = scanIndex;
  let block = <usize>load<u32>(c + COMPONENT_COEFFICIENTS) + <usize>row * (<usize>load<u32>(c + COMPONENT_LINE_BLOCKS) << 7);
  let dc = dcTableOf(c), ac = acTableOf(c);
  let al = approximationLow, start = spectralStart, end = spectralEnd;
  let prediction = load<i32>(c + COMPONENT_DC_PRED);
  for (let column: u32 = 0; column < columns; column++, block += 128) {
    if (interval != 0 && toGo == 0) {
      if (!processRestart()) return ERR_DECODE;
      toGo = interval;
      prediction = 0;
    }
    if (arithmetic) arithmeticBlock(kind, block, c);
    else if (kind == 4) decodeAcRefine(block, ac, start, end, al);
    else if (kind == 3) decodeAcFirst(block, ac, start, end, al);
    else if (kind == 2) decodeDcRefine(block, al);
    else if (kind == 1) prediction = decodeDcFirst(block, dc, prediction, al);
    else prediction = decodeBlock(block, dc, ac, prediction);
    if (!dataHeld(index, total, toGo)) return ERR_DECODE;
    index++;
    if (interval != 0) toGo--;
  }
  // Arithmetic decoding keeps its prediction in the component record itself.
  if (!arithmetic) store<i32>(c + COMPONENT_DC_PRED, prediction);
  scanToGo = toGo;
  scanIndex = index;
  return OK;
}

/** At EOI after several scans: inverse transforms, upsampling and colour conversion. */
function outputCoefficients(): i32 {
  let smoothing = progressive && smoothingWanted();
  let block = decodeBlockAddress();
  let ws = state + STATE_WORKSPACE;
  for (let row: u32 = 0; row < imcuRows; row++) {
    for (let i: u32 = 0; i < frameComponents; i++) {
      let c = component(i);
      let v = <u32>load<u8>(c + COMPONENT_V);
      let size = <u32>load<u8>(c + COMPONENT_SCALED);
      let heightBlocks = load<u32>(c + COMPONENT_HEIGHT_BLOCKS);
      let widthBlocks = load<u32>(c + COMPONENT_WIDTH_BLOCKS);
      let rowsHere = min<u32>(v, heightBlocks - row * v);
      let quant = latchedQuant(i);
      let rowStride = <usize>load<u32>(c + COMPONENT_STRIDE);
      for (let y: u32 = 0; y < rowsHere; y++) {
        let by = row * v + y;
        let out = planeRow(c, by * size);
        if (smoothing) {
          smoothBlockRow(i, row, y, rowsHere, out, rowStride, block, ws);
          continue;
        }
        for (let x: u32 = 0; x < widthBlocks; x++) {
          // Progressive arrays hold blocks in zigzag order (progressive.ts).
          if (progressive) dezigzag(coefficientBlock(c, x, by), block);
          else memory.copy(block, coefficientBlock(c, x, by), 128);
          inverseTransform(block, quant, out + <usize>(x * size), rowStride, size, ws);
        }
      }
    }
    emitRows(row + 1, false);
  }
  emitRows(imcuRows, true);
  return OK;
}

// ── output rows ───────────────────────────────────────────────────────────────────

/**
 * Writes the output rows whose component rows are all decoded, once `filled` iMCU rows
 * are; with `last`, every remaining row (bottom edges repeat the last real row).
 */
function emitRows(filled: u32, last: bool): void {
  while (nextRow < outputHeight) {
    if (!last && !rowReady(nextRow, filled)) return;
    emitRow(nextRow);
    nextRow++;
  }
}

/** Component row feeding output row `y` (the nearer one for vertical fancy upsampling). */
// @ts-ignore: decorator
@inline function sourceRow(c: usize, y: u32): u32 {
  return y * load<u32>(c + COMPONENT_V_IN) / maxV;
}

function rowReady(y: u32, filled: u32): bool {
  for (let i: u32 = 0; i < frameComponents; i++) {
    let c = component(i);
    let need = sourceRow(c, y);
    let method = load<u8>(c + COMPONENT_METHOD);
    if ((method == UPSAMPLE_H1V2_FANCY || method == UPSAMPLE_H2V2_FANCY) && (y & 1) != 0) need++;
    need = min(need, load<u32>(c + COMPONENT_DOWN_HEIGHT) - 1);
    if (need >= filled * load<u32>(c + COMPONENT_IMCU_ROWS)) return false;
  }
  return true;
}

/** The output-resolution samples of component `c` for output row `y`. */
function componentRow(c: usize, y: u32): usize {
  let method = load<u8>(c + COMPONENT_METHOD);
  let near = sourceRow(c, y);
  let input = planeRow(c, near);
  if (method == UPSAMPLE_FULL) return input;
  let out = <usize>load<u32>(c + COMPONENT_ROW);
  let width = load<u32>(c + COMPONENT_DOWN_WIDTH);
  if (method == UPSAMPLE_H2V1_FANCY) {
    upsampleH2V1Fancy(input, width, out);
  } else if (method == UPSAMPLE_H1V2_FANCY || method == UPSAMPLE_H2V2_FANCY) {
    let lower = (y & 1) != 0;
    let farRow = lower ? min(near + 1, load<u32>(c + COMPONENT_DOWN_HEIGHT) - 1) : (near > 0 ? near - 1 : 0);
    let far = planeRow(c, farRow);
    if (method == UPSAMPLE_H1V2_FANCY) upsampleH1V2Fancy(input, far, width, out, lower ? 2 : 1);
    else upsampleH2V2Fancy(input, far, width, out, sums);
  } else {
    upsampleRepeat(input, outputWidth, out, <u32>load<u8>(c + COMPONENT_H_EXPAND));
  }
  return out;
}

function emitRow(y: u32): void {
  let target = imageRow(image, <i32>y);
  let width = outputWidth;
  let transform = colorTransform();
  if (transform == COLOR_GRAY) {
    memory.copy(target, componentRow(component(0), y), width);
    return;
  }
  let r0 = componentRow(component(0), y);
  let r1 = componentRow(component(1), y);
  let r2 = componentRow(component(2), y);
  if (transform == COLOR_RGB) rgbRow(r0, r1, r2, target, width);
  else if (transform == COLOR_CMYK || transform == COLOR_YCCK) {
    cmykRow(r0, r1, r2, componentRow(component(3), y), target, width, transform == COLOR_YCCK);
  } else ycbcrRow(r0, r1, r2, target, width);
}
