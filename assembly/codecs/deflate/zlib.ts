// zlib streams (RFC 1950) of arena memory, for callers without a container around them:
// the fuzzer of inflate and the benchmark against other deflate implementations. Both
// return a scratch block with the byte count in RESULT_SIZE (0 and a status on error).

import { ERR_DECODE, ERR_LIMIT, RESULT_SIZE } from "../../alloc/layout";
import { fail, lastError, setResult } from "../../alloc/state";
import { scratchAllocate, scratchRelease } from "../../alloc/arena";
import { adler32 } from "./adler32";
import {
  INFLATE_WORK_BYTES, INFLATE_SLACK, INFLATE_END, INFLATE_OUTPUT_FULL, inflateBegin, inflateRun, inflateOut,
  inflateWindow, inflateZlibHeader, inflateZlibTrailer
} from "./inflate";
import {
  DEFLATE_WORK_BYTES, deflateBegin, deflateZlibHeader, deflateWrite, deflateFinish, deflateDiscard,
  deflateOutput, deflateOutputLength, deflateFailed
} from "./deflate";
import { MAX_MATCH } from "./tables";

/** Compresses `length` bytes at `input` into a zlib stream at `level` 0..9. */
export function zlibDeflate(input: usize, length: usize, level: i32): usize {
  let work = scratchAllocate(DEFLATE_WORK_BYTES);
  if (work == 0) return 0;
  let guess = level == 0 ? length + length / 2048 + 64 : length / 2 + 1024;
  if (!deflateBegin(work, <u32>max<i32>(level, 0), guess, false)) {
    let error = lastError();
    scratchRelease(work);
    fail(error);
    return 0;
  }
  let ok = deflateZlibHeader() && deflateWrite(input, length) && deflateFinish();
  scratchRelease(work);
  if (!ok) {
    let error = deflateFailed();
    deflateDiscard();
    fail(error != 0 ? error : ERR_LIMIT);
    return 0;
  }
  setResult(RESULT_SIZE, <u32>deflateOutputLength());
  return deflateOutput();
}

/**
 * Decompresses the zlib stream of `length` bytes at `input`: DECODE_FAILED when it is
 * malformed, truncated or fails its Adler-32, LIMIT_EXCEEDED past `maxOutput` bytes.
 */
export function zlibInflate(input: usize, length: usize, maxOutput: f64): usize {
  let most = <usize>min<f64>(maxOutput, 0x40000000);
  let work = scratchAllocate(INFLATE_WORK_BYTES);
  if (work == 0) return 0;
  inflateBegin(work, input, length);
  let status: i32 = 0;
  let capacity = min<usize>(max<usize>(length * 4, 65536), most) + <usize>MAX_MATCH;
  let block = inflateZlibHeader() ? scratchAllocate(capacity + INFLATE_SLACK) : 0;
  if (block == 0) status = inflateZlibHeader() ? lastError() : ERR_DECODE;
  let out = block;
  while (status == 0) {
    inflateWindow(block);
    let result = inflateRun(out, block + capacity);
    out = inflateOut;
    if (out - block > most) { status = ERR_LIMIT; break; }
    if (result == INFLATE_END) {
      let expected = inflateZlibTrailer();
      if (expected < 0 || <u32>expected != adler32(1, block, out - block)) status = ERR_DECODE;
      break;
    }
    if (result != INFLATE_OUTPUT_FULL) { status = ERR_DECODE; break; }
    // grow: twice the room, within the limit (plus a match, so that exceeding it shows)
    let size = min<usize>(capacity * 2, most + <usize>MAX_MATCH);
    if (size <= capacity) { status = ERR_LIMIT; break; }
    let grown = scratchAllocate(size + INFLATE_SLACK);
    if (grown == 0) { status = lastError(); break; }
    memory.copy(grown, block, out - block);
    out = grown + (out - block);
    scratchRelease(block);
    block = grown;
    capacity = size;
  }
  scratchRelease(work);
  if (status != 0) {
    if (block != 0) scratchRelease(block);
    fail(status);
    return 0;
  }
  setResult(RESULT_SIZE, <u32>(out - block));
  return block;
}
