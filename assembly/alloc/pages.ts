// The page heap: a page map that says what every page is (the truth), and a bitmap of
// taken pages that helps to find free runs (a hint).
//
// A run is claimed one page map entry at a time, FREE → INNER(tag of the claim), lowest
// first, with the number claimed so far recorded in the claiming thread's frame; if a page
// turns out to be taken meanwhile, the pages claimed so far are given back and the search
// starts again. Freed runs merge with their neighbours by themselves: a freed run of any
// size serves a later request of any size.
//
// The hint may lag the truth, in one direction only. A page's hint bit is set by whoever
// owns it, once its claim is whole; it is cleared after the page is FREE again, by the
// thread that freed it. A search that meets a page the hint calls free but another claim
// holds (in progress, or left by a thread that died) marks it taken and looks elsewhere,
// so no claim waits for another; it clears its mark again if the page turned FREE
// meanwhile. So a FREE page is never left marked taken (which would lose it), while a
// taken page may be marked free for a moment (which only costs a search).
//
// The memory grows when a claimed run ends beyond the committed size; `memory.grow` is
// atomic, and a thread that finds the memory already large enough does nothing.

import {
  PAGE_SHIFT, PAGE_SIZE, WASM_PAGE, ARENA_HEADER, HEADER_PAGES_HELD, HEADER_PEAK_PAGES,
  KIND_FREE, KIND_INNER, KIND_RELEASING, ENTRY_SHIFT
} from "./layout";
import {
  loadShared64, casShared64, fetchClearBits64, fetchSetBits64, publish64, raiseMax64, fetchAdd64
} from "../shared/atomics";
import { DEBUG, bitmapBase, bitmapWords, pageMapBase, heapStart, pageCount, freshTag } from "./state";
import {
  frameNext, frameOpen, frameClose, phase, setPhase, arg, setArg, OP_TAKE_PAGES, OP_GIVE_PAGES
} from "./frames";

// ── page map entries ──────────────────────────────────────────────────────────────

// @ts-ignore: decorator
@inline export function entryAddress(page: u32): usize {
  return pageMapBase + (<usize>page << ENTRY_SHIFT);
}

// @ts-ignore: decorator
@inline export function makeEntry(kind: u32, tag: u64): u64 {
  return (tag << 16) | <u64>kind;
}

// @ts-ignore: decorator
@inline export function entryKind(entry: u64): u32 { return <u32>entry & 0xF; }
// @ts-ignore: decorator
@inline export function entryTag(entry: u64): u64 { return entry >> 16; }

/** Word 0 of page `page`'s entry: kind and tag. */
// @ts-ignore: decorator
@inline export function loadEntry(page: u32): u64 { return loadShared64(entryAddress(page)); }

/** Page count of the run starting at `page` (word 1, bits 0..23). */
// @ts-ignore: decorator
@inline export function runPages(page: u32): u32 {
  return <u32>loadShared64(entryAddress(page) + 8) & 0xFFFFFF;
}

/** Stack link of the run starting at `page`: the next run's page + 1 (0: none). */
// @ts-ignore: decorator
@inline export function runLink(page: u32): u32 {
  return <u32>(loadShared64(entryAddress(page) + 8) >> 32);
}

/**
 * Writes word 1 of a run's first page. A plain store: the run is the caller's alone until
 * an atomic step publishes it (a push's CAS, its entry's kind), which orders this store
 * before any reader's.
 */
// @ts-ignore: decorator
@inline export function setRunWord(page: u32, pages: u32, link: u32): void {
  store<u64>(entryAddress(page) + 8, (<u64>link << 32) | <u64>pages);
}

// @ts-ignore: decorator
@inline export function pageAddress(page: u32): usize {
  return heapStart + (<usize>page << PAGE_SHIFT);
}

// @ts-ignore: decorator
@inline export function pageOf(address: usize): u32 {
  return <u32>((address - heapStart) >> PAGE_SHIFT);
}

/** Is `address` inside the heap? */
// @ts-ignore: decorator
@inline export function inHeap(address: usize): bool {
  return address >= heapStart && address - heapStart < (<usize>pageCount << PAGE_SHIFT);
}

/** Bytes of one run of `n` pages. */
// @ts-ignore: decorator
@inline export function pagesBytes(n: u32): usize { return <usize>n << PAGE_SHIFT; }

// ── the bitmap hint ───────────────────────────────────────────────────────────────

// @ts-ignore: decorator
@inline function wordAddress(word: u32): usize {
  return bitmapBase + (<usize>word << 3);
}

/** Bits [from, from+n) of one word, n in 1..64. */
// @ts-ignore: decorator
@inline function runMask(from: u32, n: u32): u64 {
  return n >= 64 ? <u64>-1 : (((<u64>1 << n) - 1) << from);
}

/**
 * Best fit: the start of the shortest free run of at least `n` pages at or above bitmap
 * word `from`, the lowest among equals, or -1; a run of exactly `n` ends the search. Best
 * fit keeps long runs whole for long requests, which first fit breaks up (measured in
 * test/full.test.ts). The bitmap is read without ordering: the claim that follows checks
 * every page.
 */
function findRun(n: u32, limit: u32, from: u32 = 0): i32 {
  let best: i32 = -1;
  let bestLength: u32 = <u32>-1;
  let runStart: u32 = 0;
  let runLength: u32 = 0;
  let words = min<u32>(bitmapWords, (limit + 63) >> 6);
  for (let word: u32 = from; word < words; word++) {
    let bits = load<u64>(wordAddress(word));
    if (bits == 0) {
      if (runLength == 0) runStart = word << 6;
      runLength += 64;
      continue;
    }
    let bit: u32 = 0;
    while (bit < 64) {
      let rest = bits >> bit;
      if ((rest & 1) == 0) {
        let zeros = rest == 0 ? 64 - bit : <u32>ctz(rest);
        if (runLength == 0) runStart = (word << 6) + bit;
        runLength += zeros;
        bit += zeros;
      } else {
        let usable = usableLength(runStart, runLength, limit);
        if (usable >= n && usable < bestLength) {
          best = <i32>runStart;
          bestLength = usable;
          if (usable == n) return best;
        }
        runLength = 0;
        bit += <u32>ctz(~rest);
      }
    }
  }
  let usable = usableLength(runStart, runLength, limit);
  if (usable >= n && usable < bestLength) best = <i32>runStart;
  return best;
}

/** The lowest free page below `limit`, or -1. */
function firstFree(limit: u32): i32 {
  let words = min<u32>(bitmapWords, (limit + 63) >> 6);
  for (let word: u32 = 0; word < words; word++) {
    let bits = load<u64>(wordAddress(word));
    if (bits != <u64>-1) {
      let page = (word << 6) + <u32>ctz(~bits);
      return page < limit ? <i32>page : -1;
    }
  }
  return -1;
}

/**
 * Bitmap words at the bottom of the heap kept for metadata pages: one word (64 pages) per
 * 8192 heap pages (32 MiB), at least one from 1024 pages (4 MiB) and four (256 pages,
 * 1 MiB) at most; none in a smaller heap, where they would be a large share of it. Data
 * runs above them make the memory grow sooner by up to that much (rounded to its 1 MiB
 * steps), but its pages are not touched until used, and data still takes them when
 * nothing above fits.
 */
// @ts-ignore: decorator
@inline function metadataWords(): u32 {
  return pageCount < 1024 ? 0 : max<u32>(1, min<u32>(pageCount >> 13, 4));
}

/**
 * Where a take looks. Pages that stay once taken (slab pages, image record chunks: the
 * metadata) go to the lowest free page of the metadata words, so that they gather at the
 * bottom of the heap, and best fit elsewhere once those are full (lowest first there
 * would put them at the start of any gap, beside data). Data runs go best fit above the
 * metadata words, and below them only when nothing above fits even in the memory grown to
 * its maximum (`limit` is the whole heap). Placed where a large image happened to leave a
 * gap, a page that stays splits the free memory around it for good: with eight workers in
 * a 64 MiB arena, a 36 MB image found no run in about one run of four before this
 * (test/placement.test.ts).
 */
function placeRun(n: u32, limit: u32, metadata: bool): i32 {
  let reserved = metadataWords();
  if (reserved == 0) return findRun(n, limit);
  if (metadata) {
    if (DEBUG) assert(n == 1, "metadata is taken a page at a time");
    let low = firstFree(min<u32>(limit, reserved << 6));
    return low >= 0 ? low : findRun(n, limit);
  }
  let above = findRun(n, limit, reserved);
  if (above >= 0 || limit < pageCount) return above;
  return findRun(n, limit);
}

/** The pages of a free run that lie below page `limit`. */
// @ts-ignore: decorator
@inline function usableLength(start: u32, length: u32, limit: u32): u32 {
  return start >= limit ? 0 : min<u32>(length, limit - start);
}

/** Heap pages the committed memory covers now (it may grow meanwhile: then this is an underestimate). */
function committedPages(): u32 {
  let size = <usize>memory.size() * WASM_PAGE;
  return size <= heapStart ? 0 : <u32>((size - heapStart) >> PAGE_SHIFT);
}

/** Sets or clears the hint bits of pages [first, first+n) (idempotent). */
function markHint(first: u32, n: u32, taken: bool): void {
  let page = first;
  let end = first + n;
  while (page < end) {
    let word = page >> 6;
    let bit = page & 63;
    let take = min<u32>(64 - bit, end - page);
    let mask = runMask(bit, take);
    if (taken) fetchSetBits64(wordAddress(word), mask);
    else fetchClearBits64(wordAddress(word), mask);
    page += take;
  }
}

/** Is page `page` taken in the hint? (heap walker) */
export function pageHinted(page: u32): bool {
  return ((loadShared64(wordAddress(page >> 6)) >> (page & 63)) & 1) != 0;
}

/** Marks the bitmap bits past the last page as taken, so that no search finds them. */
export function sealBitmapTail(): void {
  let tail = pageCount & 63;
  if (tail != 0) {
    store<u64>(wordAddress(pageCount >> 6), <u64>-1 << tail);
  }
}

// ── growth ────────────────────────────────────────────────────────────────────────

/** Memory grows in steps of at least this much (a grow costs about as much whatever its size). */
const GROW_STEP: usize = 1 << 20;

/**
 * Makes sure the memory covers [0, end); false when the maximum forbids it.
 *
 * A grow is by what this claim needs, rounded up to GROW_STEP. Threads that grow at the
 * same moment each add their own need (wasm has no "grow to size X"), so the memory can
 * overshoot by at most one request and one step per racing thread; making one thread wait
 * for another's grow instead would break the rule that no thread waits.
 */
function commitUpTo(end: usize): bool {
  let size = <usize>memory.size() * WASM_PAGE;
  while (size < end) {
    let step = <i32>(((end - size + GROW_STEP - 1) & ~(GROW_STEP - 1)) / WASM_PAGE);
    let before = memory.grow(step);
    if (before < 0) {
      // Near the maximum the rounded step may not fit: try the exact need.
      step = <i32>((end - size + WASM_PAGE - 1) / WASM_PAGE);
      before = memory.grow(step);
      // Still no room: unless another thread grew it meanwhile, the maximum forbids it.
      if (before < 0) return <usize>memory.size() * WASM_PAGE >= end;
    }
    // The size before our grow tells whether another thread grew it too.
    size = (<usize>before + <usize>step) * WASM_PAGE;
  }
  return true;
}

// ── taking a run: OP_TAKE_PAGES ───────────────────────────────────────────────────
//
//  args  0 first page of the current attempt   1 pages wanted
//        2 pages claimed so far                 3 tag of the claim (INNER entries carry it)
//        4 page + 1 being marked held (0: none)
//  phases
const TAKE_FIRST: usize = 0;
const TAKE_PAGES: usize = 1;
const TAKE_CLAIMED: usize = 2;
const TAKE_TAG: usize = 3;
const TAKE_MARKING: usize = 4;
/** Claiming entries (arg 2 counts them). */
const TAKE_CLAIMING: u32 = 0;
/** Every entry is ours; the hint and the memory size may still lag. */
const TAKE_OWNED: u32 = 1;
/** The hint is set and the memory covers the run. */
const TAKE_COMMITTED: u32 = 2;
/** Added to the arena's pages held. */
const TAKE_COUNTED: u32 = 3;

/**
 * Gives back the pages of the current attempt that are claimed, highest first: each entry
 * INNER(tag) → FREE by CAS (so that running this again after a restart never frees a page
 * someone claimed since), then its hint bit (a page claimed again meanwhile may lose its
 * bit: that direction only costs a search).
 */
function releaseClaimed(frame: usize): void {
  let first = <u32>arg(frame, TAKE_FIRST);
  let inner = makeEntry(KIND_INNER, arg(frame, TAKE_TAG));
  for (let claimed = <u32>arg(frame, TAKE_CLAIMED); claimed > 0; claimed--) {
    casShared64(entryAddress(first + claimed - 1), inner, 0);
    markHint(first + claimed - 1, 1, false);
    setArg(frame, TAKE_CLAIMED, claimed - 1);
  }
}

/**
 * Marks a page that another claim holds as taken, unless it turned FREE meanwhile (the
 * frame names the page until then, so that a restart looks again).
 */
function markHeld(frame: usize, page: u32): void {
  setArg(frame, TAKE_MARKING, page + 1);
  markHint(page, 1, true);
  unmarkIfFree(frame);
}

function unmarkIfFree(frame: usize): void {
  let marking = <u32>arg(frame, TAKE_MARKING);
  if (marking == 0) return;
  if (loadEntry(marking - 1) == 0) markHint(marking - 1, 1, false);
  setArg(frame, TAKE_MARKING, 0);
}

/** Claims every entry of [first, first+n) or none; returns -1, or the page found taken. */
function claimRun(frame: usize, first: u32, n: u32, tag: u64): i32 {
  let inner = makeEntry(KIND_INNER, tag);
  for (let i: u32 = 0; i < n; i++) {
    if (casShared64(entryAddress(first + i), 0, inner) != 0) {
      releaseClaimed(frame);
      return <i32>(first + i);
    }
    setArg(frame, TAKE_CLAIMED, i + 1);
  }
  return -1;
}

/**
 * Takes `n` contiguous free pages; returns the first page, or -1 when no free run is
 * long enough. With `grow` false, only runs within the committed memory count. With
 * `metadata`, the page will stay (see placeRun). Every page of the run says INNER; the
 * first page's entry is the caller's to write (its kind), which it does straight after
 * the call returns.
 */
export function takePages(n: u32, grow: bool = true, metadata: bool = false): i32 {
  let frame = frameNext();
  setArg(frame, TAKE_FIRST, 0);
  setArg(frame, TAKE_PAGES, n);
  setArg(frame, TAKE_CLAIMED, 0);
  setArg(frame, TAKE_TAG, freshTag());
  setArg(frame, TAKE_MARKING, 0);
  frameOpen(frame, OP_TAKE_PAGES);
  let tag = arg(frame, TAKE_TAG);
  let first: i32;
  while (true) {
    first = placeRun(n, grow ? pageCount : committedPages(), metadata);
    if (first < 0) { frameClose(frame); return -1; }
    setArg(frame, TAKE_FIRST, <u64>first);
    let taken = claimRun(frame, <u32>first, n, tag);
    if (taken < 0) break;
    // Another claim holds a page the hint calls free: mark it, look elsewhere, never wait.
    markHeld(frame, <u32>taken);
  }
  setPhase(frame, TAKE_OWNED);
  markHint(<u32>first, n, true);
  if (!commitUpTo(pageAddress(<u32>first) + pagesBytes(n))) {
    undoTakePages(frame);
    return -1;
  }
  setPhase(frame, TAKE_COMMITTED);
  let held = fetchAdd64(ARENA_HEADER + HEADER_PAGES_HELD, <u64>n) + <u64>n;
  setPhase(frame, TAKE_COUNTED);
  raiseMax64(ARENA_HEADER + HEADER_PEAK_PAGES, held);
  frameClose(frame);
  return first;
}

/** Undoes a take from whatever phase it reached, and closes its frame (recovery, or a failed grow). */
export function undoTakePages(frame: usize): void {
  let n = <u32>arg(frame, TAKE_PAGES);
  unmarkIfFree(frame);
  if (phase(frame) == TAKE_COUNTED) {
    fetchAdd64(ARENA_HEADER + HEADER_PAGES_HELD, -(<u64>n));
    setPhase(frame, TAKE_COMMITTED);
  }
  setPhase(frame, TAKE_CLAIMING);
  releaseClaimed(frame);
  frameClose(frame);
}

// ── giving a run back: OP_GIVE_PAGES ──────────────────────────────────────────────
//
//  args  0 first page   1 pages   2 inner pages freed so far
const GIVE_FIRST: usize = 0;
const GIVE_PAGES: usize = 1;
const GIVE_FREED: usize = 2;
/** The run is the caller's (its first page says whatever it said). */
const GIVE_START: u32 = 0;
/** The first page says RELEASING; inner pages become FREE (arg 2 counts them). */
const GIVE_MARKED: u32 = 2;
/** Every inner page is FREE. */
const GIVE_INNER_FREE: u32 = 4;
/** The first page is FREE; the hint still says taken. */
const GIVE_ALL_FREE: u32 = 6;

/** Returns a run that the caller owns to the heap. */
export function givePages(first: u32, n: u32): void {
  if (DEBUG) assert(n > 0 && first + n <= pageCount, "giving pages outside the heap");
  let frame = frameNext();
  setArg(frame, GIVE_FIRST, first);
  setArg(frame, GIVE_PAGES, n);
  setArg(frame, GIVE_FREED, 0);
  frameOpen(frame, OP_GIVE_PAGES);
  resumeGivePages(frame);
}

/** Runs a give from the phase it reached, and closes its frame. */
export function resumeGivePages(frame: usize): void {
  let first = <u32>arg(frame, GIVE_FIRST);
  let n = <u32>arg(frame, GIVE_PAGES);
  if (phase(frame) == GIVE_START) {
    publish64(entryAddress(first), makeEntry(KIND_RELEASING, 0));
    setPhase(frame, GIVE_MARKED);
  }
  if (phase(frame) == GIVE_MARKED) {
    for (let freed = <u32>arg(frame, GIVE_FREED); freed + 1 < n; freed++) {
      publish64(entryAddress(first + 1 + freed), 0);
      setArg(frame, GIVE_FREED, freed + 1);
    }
    setPhase(frame, GIVE_INNER_FREE);
  }
  if (phase(frame) == GIVE_INNER_FREE) {
    publish64(entryAddress(first), 0);
    setPhase(frame, GIVE_ALL_FREE);
  }
  // After the pages are FREE: a page claimed again meanwhile may lose its bit, which a
  // search that meets it puts back; a FREE page never keeps one.
  markHint(first, n, false);
  fetchAdd64(ARENA_HEADER + HEADER_PAGES_HELD, -(<u64>n));
  frameClose(frame);
}

export { PAGE_SIZE, KIND_FREE };
