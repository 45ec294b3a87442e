// Size classes of cached page blocks (see layout.ts): exact below CLASS_EXACT pages, then
// 16 steps per power of two. A freed block is cached in the class of its size rounded
// down; a request looks in the class of its size rounded down (where a block may be too
// short) and then in the next class up (where every block is long enough).

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

/** The class of a block or request of `pages` pages: the largest class starting at or below it. */
export function classOf(pages: u32): u32 {
  if (pages <= CLASS_EXACT) return pages - 1;
  let log = 31 - <u32>clz(pages);
  let shift = log - CLASS_STEPS_LOG2;
  let step = (pages >> shift) & (STEPS - 1);
  return min<u32>(CLASS_EXACT + (shift << CLASS_STEPS_LOG2) + step, CLASS_COUNT - 1);
}
