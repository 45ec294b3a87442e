// Size classes of page blocks (see layout.ts): exact below CLASS_EXACT pages, then 16
// steps per power of two. Requests round up to their class's size, so the blocks of one
// class are interchangeable and a cached block always fits a request of its class.

import { CLASS_EXACT, CLASS_STEPS_LOG2, CLASS_COUNT } from "./layout";

const STEPS: u32 = 1 << CLASS_STEPS_LOG2;

/** Pages of every block in class `c`. */
export function classPages(c: u32): u32 {
  if (c < CLASS_EXACT) return c + 1;
  let k = c - CLASS_EXACT;
  let octave = k >> CLASS_STEPS_LOG2;
  let step = k & (STEPS - 1);
  return (STEPS + step) << octave;
}

/** The smallest class whose blocks hold `pages` pages. */
export function classForRequest(pages: u32): u32 {
  if (pages <= CLASS_EXACT) return pages - 1;
  let log = 31 - <u32>clz(pages);
  let shift = log - CLASS_STEPS_LOG2;
  let step = (pages >> shift) & (STEPS - 1);
  let c = CLASS_EXACT + (shift << CLASS_STEPS_LOG2) + step;
  if ((pages & ((1 << shift) - 1)) != 0) c++;
  return min<u32>(c, CLASS_COUNT - 1);
}

/** The largest class whose request size a block of `pages` pages satisfies. */
export function classForBlock(pages: u32): u32 {
  if (pages <= CLASS_EXACT) return pages - 1;
  let log = 31 - <u32>clz(pages);
  let shift = log - CLASS_STEPS_LOG2;
  let step = (pages >> shift) & (STEPS - 1);
  return min<u32>(CLASS_EXACT + (shift << CLASS_STEPS_LOG2) + step, CLASS_COUNT - 1);
}
