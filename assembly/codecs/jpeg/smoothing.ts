// Block smoothing of progressive files whose low-frequency coefficients were never fully
// refined (libjpeg-turbo 2.1.5's jdcoefct.c, decompress_smooth_data, on by default):
// before the inverse DCT, each of the first nine AC coefficients (zigzag 1..9) that is
// still zero and not known exactly is predicted from the DC values of the 5×5
// neighbouring blocks; when no AC coefficient was ever coded, the DC is smoothed too.
// A complete progressive file has every coefficient refined to Al 0 and is untouched.
//
// The neighbourhood follows libjpeg's own edge rules, quirks included: rows two above or
// below fall back to the nearer row by iMCU-row position, not by block position, and at
// the right edge the window keeps the values it started with.

import { MAX_COMPONENTS, component, coefBits, latchedQuant, imcuRows, frameComponents,
  COMPONENT_LATCHED, COMPONENT_COEFFICIENTS, COMPONENT_LINE_BLOCKS, COMPONENT_V, COMPONENT_WIDTH_BLOCKS,
  COMPONENT_HEIGHT_BLOCKS, COMPONENT_SCALED } from "./frame";
import { inverseTransform } from "./idct";
import { dezigzag } from "./progressive";

/** Natural positions of zigzag coefficients 1..9 (Q01, Q10, Q20, Q11, Q02, Q03, Q12, Q21, Q30). */
const POSITIONS = memory.data<u8>([0, 1, 8, 16, 9, 2, 3, 10, 17, 24]);

/** smoothing_ok: every component has its tables and its DC, and some AC in 1..9 is inexact. */
export function smoothingWanted(): bool {
  let useful = false;
  for (let i: u32 = 0; i < frameComponents && i < MAX_COMPONENTS; i++) {
    let c = component(i);
    if (load<u8>(c + COMPONENT_LATCHED) == 0) return false;
    let quant = latchedQuant(i);
    for (let k: usize = 0; k < 10; k++) {
      if (load<u16>(quant + (<usize>load<u8>(POSITIONS + k) << 1)) == 0) return false;
    }
    let bits = coefBits(i);
    if (load<i8>(bits) < 0) return false;
    for (let k: usize = 1; k < 10; k++) if (load<i8>(bits + k) != 0) useful = true;
  }
  return useful;
}

// @ts-ignore: decorator
@inline function dcAt(c: usize, x: u32, y: u32): i32 {
  return <i32>load<i16>(<usize>load<u32>(c + COMPONENT_COEFFICIENTS)
    + ((<usize>y * <usize>load<u32>(c + COMPONENT_LINE_BLOCKS) + <usize>x) << 7));
}

/**
 * One prediction: num / (q << 8) rounded half away from zero, limited below 1 << al when
 * al > 0 (al = -1: never coded, no limit).
 */
function predict(num: i64, q: i64, al: i32): i32 {
  let negative = num < 0;
  let pred = <i32>(((q << 7) + (negative ? -num : num)) / (q << 8));
  if (al > 0 && pred >= (1 << al)) pred = (1 << al) - 1;
  return negative ? -pred : pred;
}

/**
 * Smooths and inverse-transforms block row `by` of component `index` (block row
 * `blockRow` of iMCU row `imcuRow`, which has `blockRows` of them) into `out`.
 */
export function smoothBlockRow(index: u32, imcuRow: u32, blockRow: u32, blockRows: u32, out: usize, stride: usize,
  block: usize, ws: usize): void {
  let c = component(index);
  let v = <u32>load<u8>(c + COMPONENT_V);
  let by = imcuRow * v + blockRow;
  let last = imcuRows - 1;
  let prev = blockRow > 0 || imcuRow > 0 ? by - 1 : by;
  let prevPrev = blockRow > 1 || imcuRow > 1 ? by - 2 : prev;
  let next = blockRow < blockRows - 1 || imcuRow < last ? by + 1 : by;
  let nextNext = (<i32>blockRow < <i32>blockRows - 2) || imcuRow + 1 < last ? by + 2 : next;
  let bits = coefBits(index);
  let changeDc = true;
  for (let k: usize = 1; k < 10; k++) if (load<i8>(bits + k) != -1) changeDc = false;
  let quant = latchedQuant(index);
  let q00 = <i64>load<u16>(quant);
  let q01 = <i64>load<u16>(quant, 2), q10 = <i64>load<u16>(quant, 16), q20 = <i64>load<u16>(quant, 32);
  let q11 = <i64>load<u16>(quant, 18), q02 = <i64>load<u16>(quant, 4), q03 = <i64>load<u16>(quant, 6);
  let q12 = <i64>load<u16>(quant, 20), q21 = <i64>load<u16>(quant, 34), q30 = <i64>load<u16>(quant, 48);
  let size = <u32>load<u8>(c + COMPONENT_SCALED);
  let lastColumn = load<u32>(c + COMPONENT_WIDTH_BLOCKS) - 1;
  let coefficients = <usize>load<u32>(c + COMPONENT_COEFFICIENTS);
  let lineBlocks = <usize>load<u32>(c + COMPONENT_LINE_BLOCKS);

  // The 5×5 window of DC values: rows pp, p, c, n, nn; columns 1..5 (3 is this block).
  let pp1 = dcAt(c, 0, prevPrev), p1 = dcAt(c, 0, prev), c1 = dcAt(c, 0, by), n1 = dcAt(c, 0, next), nn1 = dcAt(c, 0, nextNext);
  let pp2 = pp1, pp3 = pp1, pp4 = pp1, pp5 = pp1;
  let p2 = p1, p3 = p1, p4 = p1, p5 = p1;
  let c2 = c1, c3 = c1, c4 = c1, c5 = c1;
  let n2 = n1, n3 = n1, n4 = n1, n5 = n1;
  let nn2 = nn1, nn3 = nn1, nn4 = nn1, nn5 = nn1;
  for (let x: u32 = 0; x <= lastColumn; x++) {
    dezigzag(coefficients + ((<usize>by * lineBlocks + <usize>x) << 7), block);
    if (x == 0 && x < lastColumn) {
      pp4 = dcAt(c, 1, prevPrev); p4 = dcAt(c, 1, prev); c4 = dcAt(c, 1, by); n4 = dcAt(c, 1, next); nn4 = dcAt(c, 1, nextNext);
    }
    if (x + 1 < lastColumn) {
      pp5 = dcAt(c, x + 2, prevPrev); p5 = dcAt(c, x + 2, prev); c5 = dcAt(c, x + 2, by);
      n5 = dcAt(c, x + 2, next); nn5 = dcAt(c, x + 2, nextNext);
    }
    let al = <i32>load<i8>(bits + 1);
    if (al != 0 && load<i16>(block, 2) == 0) {
      let num = q00 * <i64>(changeDc
        ? -pp1 - pp2 + pp4 + pp5 - 3 * p1 + 13 * p2 - 13 * p4 + 3 * p5 - 3 * c1 + 38 * c2 - 38 * c4
          + 3 * c5 - 3 * n1 + 13 * n2 - 13 * n4 + 3 * n5 - nn1 - nn2 + nn4 + nn5
        : -7 * c1 + 50 * c2 - 50 * c4 + 7 * c5);
      store<i16>(block, <i16>predict(num, q01, al), 2);
    }
    al = <i32>load<i8>(bits + 2);
    if (al != 0 && load<i16>(block, 16) == 0) {
      let num = q00 * <i64>(changeDc
        ? -pp1 - 3 * pp2 - 3 * pp3 - 3 * pp4 - pp5 - p1 + 13 * p2 + 38 * p3 + 13 * p4 - p5 + n1
          - 13 * n2 - 38 * n3 - 13 * n4 + n5 + nn1 + 3 * nn2 + 3 * nn3 + 3 * nn4 + nn5
        : -7 * pp3 + 50 * p3 - 50 * n3 + 7 * nn3);
      store<i16>(block, <i16>predict(num, q10, al), 16);
    }
    al = <i32>load<i8>(bits + 3);
    if (al != 0 && load<i16>(block, 32) == 0) {
      let num = q00 * <i64>(changeDc
        ? pp3 + 2 * p2 + 7 * p3 + 2 * p4 - 5 * c2 - 14 * c3 - 5 * c4 + 2 * n2 + 7 * n3 + 2 * n4 + nn3
        : -pp3 + 13 * p3 - 24 * c3 + 13 * n3 - nn3);
      store<i16>(block, <i16>predict(num, q20, al), 32);
    }
    al = <i32>load<i8>(bits + 4);
    if (al != 0 && load<i16>(block, 18) == 0) {
      let num = q00 * <i64>(changeDc
        ? -pp1 + pp5 + 9 * p2 - 9 * p4 - 9 * n2 + 9 * n4 + nn1 - nn5
        : p5 + n1 - 10 * n2 + 10 * n4 - pp2 - n5 + nn2 - nn4 + pp4 - p1 + 10 * p2 - 10 * p4);
      store<i16>(block, <i16>predict(num, q11, al), 18);
    }
    al = <i32>load<i8>(bits + 5);
    if (al != 0 && load<i16>(block, 4) == 0) {
      let num = q00 * <i64>(changeDc
        ? 2 * p2 - 5 * p3 + 2 * p4 + c1 + 7 * c2 - 14 * c3 + 7 * c4 + c5 + 2 * n2 - 5 * n3 + 2 * n4
        : -c1 + 13 * c2 - 24 * c3 + 13 * c4 - c5);
      store<i16>(block, <i16>predict(num, q02, al), 4);
    }
    if (changeDc) {
      al = <i32>load<i8>(bits + 6);
      if (al != 0 && load<i16>(block, 6) == 0) {
        store<i16>(block, <i16>predict(q00 * <i64>(p2 - p4 + 2 * c2 - 2 * c4 + n2 - n4), q03, al), 6);
      }
      al = <i32>load<i8>(bits + 7);
      if (al != 0 && load<i16>(block, 20) == 0) {
        store<i16>(block, <i16>predict(q00 * <i64>(p2 - 3 * p3 + p4 - n2 + 3 * n3 - n4), q12, al), 20);
      }
      al = <i32>load<i8>(bits + 8);
      if (al != 0 && load<i16>(block, 34) == 0) {
        store<i16>(block, <i16>predict(q00 * <i64>(p2 - p4 - 3 * c2 + 3 * c4 + n2 - n4), q21, al), 34);
      }
      al = <i32>load<i8>(bits + 9);
      if (al != 0 && load<i16>(block, 48) == 0) {
        store<i16>(block, <i16>predict(q00 * <i64>(p2 + 2 * p3 + p4 - n2 - 2 * n3 - n4), q30, al), 48);
      }
      let num = q00 * <i64>(-2 * pp1 - 6 * pp2 - 8 * pp3 - 6 * pp4 - 2 * pp5 - 6 * p1 + 6 * p2 + 42 * p3
        + 6 * p4 - 6 * p5 - 8 * c1 + 42 * c2 + 152 * c3 + 42 * c4 - 8 * c5 - 6 * n1 + 6 * n2 + 42 * n3
        + 6 * n4 - 6 * n5 - 2 * nn1 - 6 * nn2 - 8 * nn3 - 6 * nn4 - 2 * nn5);
      store<i16>(block, <i16>predict(num, q00, 0));
    }
    inverseTransform(block, quant, out + <usize>(x * size), stride, size, ws);
    pp1 = pp2; pp2 = pp3; pp3 = pp4; pp4 = pp5;
    p1 = p2; p2 = p3; p3 = p4; p4 = p5;
    c1 = c2; c2 = c3; c3 = c4; c4 = c5;
    n1 = n2; n2 = n3; n3 = n4; n4 = n5;
    nn1 = nn2; nn2 = nn3; nn3 = nn4; nn4 = nn5;
  }
}
