// Progressive JPEG scans (T.81 Annex G, libjpeg's jcphuff.c), over the whole image's
// quantized coefficients, in the order of libjpeg's jpeg_simple_progression. Each scan runs
// twice: first counting its symbols, from which its optimal Huffman tables are made (a
// progressive file always has optimal tables in libjpeg), then writing them and the scan.
//
// A scan sends either DC or a band Ss..Se of AC coefficients, of every block of its
// components, as successive approximation: bits Al and up first (Ah = 0), then bit Al of
// the coefficients already sent (Ah = Al + 1, a refinement).
//
//   DC first    (dc >> Al) coded as sequential DC differences; MCU-interleaved when the
//               scan has several components, dummy blocks included
//   DC refine   bit Al of each DC, no Huffman coding
//   AC first    |c| >> Al in (run, size) symbols; blocks whose band is empty (after the
//               shift) are counted in an end-of-band run (EOBRUN) sent as one symbol
//               (r << 4, r = floor(log2 run)) and r extra bits, when a block with data
//               comes, or at 0x7FFF
//   AC refine   coefficients becoming nonzero at bit Al are coded as (run, 1) symbols and
//               a sign bit; for those already nonzero, bit Al is a correction bit, held
//               back and sent after the next symbol (or the EOBRUN that covers them). Runs
//               of 16 zeros get ZRL symbols only up to the last newly nonzero coefficient.
//               At most MAX_CORRECTION_BITS wait: beyond 1000 − 64 the run is sent early.
//
// One component AC scans cover only the blocks that hold image samples, row by row.

import { putBits, flushBits, writerReserve, BLOCK_BOUND } from "./bit-writer";
import { writeScanHeader } from "./segments-encode";
import { category, extraBits, buildCodes, optimalTable, CODE_TABLE_BYTES, COUNT_TABLE_BYTES, SPEC_BYTES } from "./huffman-encode";
import {
  component, componentCount, mcusX, mcusY, samplingH, samplingV, realWide, realHigh,
  tableOf, blockAt, lastDc, setLastDc,
} from "./frame-encode";

const MAX_CORRECTION_BITS: i32 = 1000;
/** Bytes one block can add: its own codes, and held correction bits an EOBRUN lets out (stuffed). */
const SCAN_BLOCK_BOUND: usize = BLOCK_BOUND + (<usize>MAX_CORRECTION_BITS >> 2);
const EOBRUN_MAX: i32 = 0x7FFF;
const ALL_COMPONENTS: u8 = 0xFF;

// jpeg_simple_progression's scripts: component (or all), Ss, Se, Ah, Al per scan.
// @ts-ignore: decorator
@lazy const YCBCR_SCRIPT = memory.data<u8>([
  ALL_COMPONENTS, 0, 0, 0, 1,
  0, 1, 5, 0, 2,
  2, 1, 63, 0, 1,
  1, 1, 63, 0, 1,
  0, 6, 63, 0, 2,
  0, 1, 63, 2, 1,
  ALL_COMPONENTS, 0, 0, 1, 0,
  2, 1, 63, 1, 0,
  1, 1, 63, 1, 0,
  0, 1, 63, 1, 0
]);
const YCBCR_SCANS: i32 = 10;

// @ts-ignore: decorator
@lazy const GRAY_SCRIPT = memory.data<u8>([
  0, 0, 0, 0, 1,
  0, 1, 5, 0, 2,
  0, 6, 63, 0, 2,
  0, 1, 63, 2, 1,
  0, 0, 0, 1, 0,
  0, 1, 63, 1, 0
]);
const GRAY_SCANS: i32 = 6;

// Tables and buffers (set by progressiveSetup) and the state of the scan being coded.
let codeTables: usize = 0;      // 4 code tables: DC0, AC0, DC1, AC1
let countTables: usize = 0;     // 4 count tables, same order
let specs: usize = 0;           // 4 table specifications, same order
let optimalWork: usize = 0;
let correction: usize = 0;      // MAX_CORRECTION_BITS bytes, one bit each
let magnitudes: usize = 0;      // 64 u16: the block's shifted magnitudes
let onesMask: u64 = 0;
let counting = false;
let acTable: i32 = 0;           // index (of the 4) of the AC table of this scan
let eobRun: i32 = 0;
let correctionCount: i32 = 0;   // bits held in `correction` for the pending EOBRUN (libjpeg's BE)

/** Where the scans find their tables and buffers. */
export function progressiveSetup(codes: usize, counts: usize, tableSpecs: usize, work: usize, correctionBits: usize, blockWork: usize): void {
  codeTables = codes;
  countTables = counts;
  specs = tableSpecs;
  optimalWork = work;
  correction = correctionBits;
  magnitudes = blockWork;
}

// @ts-ignore: decorator
@inline function putSymbol(table: i32, symbol: u32): void {
  if (counting) {
    let at = countTables + <usize>table * COUNT_TABLE_BYTES + (<usize>symbol << 2);
    store<u32>(at, load<u32>(at) + 1);
  } else {
    let code = load<u32>(codeTables + <usize>table * CODE_TABLE_BYTES + (<usize>symbol << 2));
    putBits(code >> 8, <i32>(code & 0xFF));
  }
}

// @ts-ignore: decorator
@inline function putExtra(bits: u32, size: u32): void {
  if (!counting && size != 0) putBits(bits, <i32>size);
}

/** Writes `n` held correction bits starting at `from`. */
function putCorrections(from: i32, n: i32): void {
  if (counting) return;
  for (let i = 0; i < n; i++) putBits(<u32>load<u8>(correction + <usize>(from + i)), 1);
}

/** Sends the pending end-of-band run, then the correction bits it covers. */
function putEobRun(): void {
  if (eobRun == 0) return;
  let size = <u32>(31 - clz(eobRun));
  putSymbol(acTable, size << 4);
  putExtra(<u32>eobRun & ((1 << size) - 1), size);
  eobRun = 0;
  putCorrections(0, correctionCount);
  correctionCount = 0;
}

function dcFirst(block: usize, c: usize, al: i32): void {
  let value = <i32>load<i16>(block) >> al;
  let difference = value - lastDc(c);
  setLastDc(c, value);
  let size = category(<u32>abs(difference));
  putSymbol(tableOf(c) << 1, size);
  putExtra(extraBits(difference, size), size);
}

function dcRefine(block: usize, al: i32): void {
  if (!counting) putBits(<u32>(<i32>load<i16>(block) >> al) & 1, 1);
}

/**
 * |c| >> al of the block's 64 coefficients into `magnitudes` (64 u16); returns the mask of
 * those not zero (bit k for coefficient k) and leaves the mask of those equal to 1 in
 * `onesMask`.
 */
function shiftedMagnitudes(block: usize, al: i32): u64 {
  let zero = i16x8.splat(0), one = i16x8.splat(1);
  let nonzero: u64 = 0;
  let ones: u64 = 0;
  for (let i: usize = 0; i < 128; i += 32) {
    let a = i16x8.shr_u(i16x8.abs(v128.load(block + i)), al);
    let b = i16x8.shr_u(i16x8.abs(v128.load(block + i, 16)), al);
    v128.store(magnitudes + i, a);
    v128.store(magnitudes + i, b, 16);
    let shift = <u64>(i >> 1);
    nonzero |= <u64><u32>i8x16.bitmask(i8x16.narrow_i16x8_s(i16x8.ne(a, zero), i16x8.ne(b, zero))) << shift;
    ones |= <u64><u32>i8x16.bitmask(i8x16.narrow_i16x8_s(i16x8.eq(a, one), i16x8.eq(b, one))) << shift;
  }
  onesMask = ones;
  return nonzero;
}

/** Bits ss..se. */
// @ts-ignore: decorator
@inline function bandMask(ss: i32, se: i32): u64 {
  return (se == 63 ? <u64>-1 : (<u64>1 << <u64>(se + 1)) - 1) & ~((<u64>1 << <u64>ss) - 1);
}

function acFirst(block: usize, ss: i32, se: i32, al: i32): void {
  let mask = shiftedMagnitudes(block, al) & bandMask(ss, se);
  if (mask != 0) putEobRun();
  let previous = ss - 1;
  while (mask != 0) {
    let k = <i32>ctz(mask);
    mask &= mask - 1;
    let run = k - previous - 1;
    previous = k;
    while (run > 15) {
      putSymbol(acTable, 0xF0);
      run -= 16;
    }
    let magnitude = <u32>load<u16>(magnitudes + (<usize>k << 1));
    let size = category(magnitude);
    putSymbol(acTable, (<u32>run << 4) | size);
    // a negative coefficient sends the complement of its shifted magnitude
    putExtra((load<i16>(block + (<usize>k << 1)) < 0 ? ~magnitude : magnitude) & ((1 << size) - 1), size);
  }
  if (previous < se) {
    eobRun++;
    if (eobRun == EOBRUN_MAX) putEobRun();
  }
}

function acRefine(block: usize, ss: i32, se: i32, al: i32): void {
  let band = bandMask(ss, se);
  let mask = shiftedMagnitudes(block, al) & band;
  // The last coefficient that becomes nonzero in this scan: ZRLs beyond it fold into EOB.
  let newlyNonzero = onesMask & band;
  let last = newlyNonzero == 0 ? 0 : 63 - <i32>clz(newlyNonzero);
  let run = 0;                // zeros since the last symbol
  let held = correctionCount; // where this block's correction bits start
  let count = 0;              // and how many it holds
  let previous = ss - 1;
  while (mask != 0) {
    let k = <i32>ctz(mask);
    mask &= mask - 1;
    run += k - previous - 1;
    previous = k;
    while (run > 15 && k <= last) {
      putEobRun();
      putSymbol(acTable, 0xF0);
      run -= 16;
      putCorrections(held, count);
      held = 0;
      count = 0;
    }
    let magnitude = <u32>load<u16>(magnitudes + (<usize>k << 1));
    if (magnitude > 1) {
      store<u8>(correction + <usize>(held + count), <u8>(magnitude & 1));
      count++;
      continue;
    }
    putEobRun();
    putSymbol(acTable, (<u32>run << 4) | 1);
    putExtra(load<i16>(block + (<usize>k << 1)) < 0 ? 0 : 1, 1);
    putCorrections(held, count);
    held = 0;
    count = 0;
    run = 0;
  }
  run += se - previous;
  if (run > 0 || count > 0) {
    eobRun++;
    correctionCount += count;
    if (eobRun == EOBRUN_MAX || correctionCount > MAX_CORRECTION_BITS - 64 + 1) putEobRun();
  }
}

/** One pass over a scan's blocks: counting its symbols, or writing them. */
function scanPass(first: i32, count: i32, ss: i32, se: i32, ah: i32, al: i32): bool {
  eobRun = 0;
  correctionCount = 0;
  for (let i = 0; i < count; i++) setLastDc(component(first + i), 0);
  if (count > 1) {
    // DC of all components, interleaved in MCUs.
    for (let my = 0; my < mcusY; my++) {
      for (let mx = 0; mx < mcusX; mx++) {
        // An MCU's DC codes (at most 6 × 27 bits) take less than one block's bound.
        if (!counting && !writerReserve(SCAN_BLOCK_BOUND)) return false;
        for (let i = 0; i < count; i++) {
          let c = component(first + i);
          let h = samplingH(c), v = samplingV(c);
          for (let y = 0; y < v; y++) {
            for (let x = 0; x < h; x++) {
              let block = blockAt(c, mx * h + x, my * v + y);
              if (ah == 0) dcFirst(block, c, al);
              else dcRefine(block, al);
            }
          }
        }
      }
    }
  } else {
    let c = component(first);
    let wide = realWide(c), high = realHigh(c);
    for (let by = 0; by < high; by++) {
      for (let bx = 0; bx < wide; bx++) {
        if (!counting && !writerReserve(SCAN_BLOCK_BOUND)) return false;
        let block = blockAt(c, bx, by);
        if (ss == 0) {
          if (ah == 0) dcFirst(block, c, al);
          else dcRefine(block, al);
        } else if (ah == 0) {
          acFirst(block, ss, se, al);
        } else {
          acRefine(block, ss, se, al);
        }
      }
    }
  }
  if (!counting && !writerReserve(SCAN_BLOCK_BOUND)) return false;
  putEobRun();
  if (!counting) flushBits();
  return true;
}

/**
 * Writes every scan of the progression: for each, its optimal Huffman tables (DHT), the
 * scan header and the coded data. False with the status set when the output cannot grow.
 */
export function progressiveScans(): bool {
  let script = componentCount == 1 ? GRAY_SCRIPT : YCBCR_SCRIPT;
  let scans = componentCount == 1 ? GRAY_SCANS : YCBCR_SCANS;
  for (let s = 0; s < scans; s++) {
    let entry = script + <usize>s * 5;
    let which = load<u8>(entry);
    let ss = <i32>load<u8>(entry, 1), se = <i32>load<u8>(entry, 2);
    let ah = <i32>load<u8>(entry, 3), al = <i32>load<u8>(entry, 4);
    let first = which == ALL_COMPONENTS ? 0 : <i32>which;
    let count = which == ALL_COMPONENTS ? componentCount : 1;
    // Tables this scan codes with: bit (2·table + ac) of `used`.
    let used: u32 = 0;
    if (ss == 0) {
      if (ah == 0) for (let i = 0; i < count; i++) used |= 1 << (tableOf(component(first + i)) << 1);
    } else {
      acTable = (tableOf(component(first)) << 1) | 1;
      used = 1 << acTable;
    }
    if (used != 0) {
      memory.fill(countTables, 0, 4 * COUNT_TABLE_BYTES);
      counting = true;
      scanPass(first, count, ss, se, ah, al);
      counting = false;
      for (let t = 0; t < 4; t++) {
        if ((used & (1 << t)) == 0) continue;
        let spec = specs + <usize>t * SPEC_BYTES;
        optimalTable(countTables + <usize>t * COUNT_TABLE_BYTES, spec, optimalWork);
        buildCodes(spec, codeTables + <usize>t * CODE_TABLE_BYTES);
      }
    }
    if (!writeScanHeader(first, count, ss, se, ah, al, specs)) return false;
    if (!scanPass(first, count, ss, se, ah, al)) return false;
  }
  return true;
}
