// Progressive scans (jdphuff.c): DC first and refinement passes, AC first and refinement
// passes with end-of-band runs, decoding into the whole-image coefficient arrays.
//
// Coefficients are stored as libjpeg's JCOEF (16 bits), with its shifts and wrap-arounds:
// a first pass stores value << Al, a refinement adds or subtracts 1 << Al to coefficients
// already nonzero and places ±(1 << Al) on newly nonzero ones.

import { ZIGZAG, readSymbol, readBits, readExtended } from "./huffman-decode";

/** End-of-band run left over from earlier blocks of this scan (reset at restarts). */
export let endOfBandRun: u32 = 0;

export function resetEndOfBandRun(): void { endOfBandRun = 0; }

/** A DC prediction left the i32 range (libjpeg-turbo refuses such data). */
export let predictionOverflow: bool = false;

export function resetPredictionOverflow(): void { predictionOverflow = false; }

/** DC first pass of one block: the difference added to `prediction`, stored << Al; returns the prediction. */
export function decodeDcFirst(block: usize, dcTable: usize, prediction: i32, al: u32): i32 {
  let size = readSymbol(dcTable);
  let difference: i32 = size != 0 ? readExtended(size) : 0;
  let sum = <i64>prediction + <i64>difference;
  if (sum != <i64><i32>sum) predictionOverflow = true;
  prediction = <i32>sum;
  store<i16>(block, <i16>(prediction << al));
  return prediction;
}

/** DC refinement: one bit at position Al. */
export function decodeDcRefine(block: usize, al: u32): void {
  if (readBits(1) != 0) store<i16>(block, <i16>(<i32>load<i16>(block) | (1 << al)));
}

/** AC first pass over the band start..end of one block. */
export function decodeAcFirst(block: usize, acTable: usize, start: u32, end: u32, al: u32): void {
  if (endOfBandRun > 0) {
    endOfBandRun--;
    return;
  }
  for (let k = start; k <= end; k++) {
    let symbol = readSymbol(acTable);
    let run = symbol >> 4, size = symbol & 15;
    if (size != 0) {
      k += run;
      let value = readExtended(size);
      store<i16>(block + (<usize>load<u8>(ZIGZAG + k) << 1), <i16>(value << al));
    } else if (run == 15) {
      k += 15;
    } else {
      endOfBandRun = 1 << run;
      if (run != 0) endOfBandRun += readBits(run);
      endOfBandRun--;
      break;
    }
  }
}

/** Applies a correction bit to a coefficient already nonzero (its magnitude grows by 1 << Al). */
// @ts-ignore: decorator
@inline function refine(at: usize, bit: i32): void {
  let value = <i32>load<i16>(at);
  if (readBits(1) != 0 && (value & bit) == 0) {
    store<i16>(at, <i16>(value >= 0 ? value + bit : value - bit));
  }
}

/** AC refinement pass over the band start..end of one block. */
export function decodeAcRefine(block: usize, acTable: usize, start: u32, end: u32, al: u32): void {
  let bit = 1 << al;
  let k = start;
  if (endOfBandRun == 0) {
    for (; k <= end; k++) {
      let symbol = readSymbol(acTable);
      let run = <i32>(symbol >> 4), size = symbol & 15;
      let value: i32 = 0;
      if (size != 0) {
        value = readBits(1) != 0 ? bit : -bit;
      } else if (run != 15) {
        endOfBandRun = 1 << run;
        if (run != 0) endOfBandRun += readBits(run);
        break;
      }
      // Skip `run` zero coefficients, refining the nonzero ones met on the way.
      do {
        let at = block + (<usize>load<u8>(ZIGZAG + k) << 1);
        if (load<i16>(at) != 0) {
          refine(at, bit);
        } else {
          if (--run < 0) break;
        }
        k++;
      } while (k <= end);
      if (value != 0) store<i16>(block + (<usize>load<u8>(ZIGZAG + k) << 1), <i16>value);
    }
  }
  if (endOfBandRun > 0) {
    for (; k <= end; k++) {
      let at = block + (<usize>load<u8>(ZIGZAG + k) << 1);
      if (load<i16>(at) != 0) refine(at, bit);
    }
    endOfBandRun--;
  }
}
