// The page heap: a bitmap of taken pages, claimed with compare-and-swap, and a page map
// that says what starts at each page.
//
// A run of free pages is claimed word by word, lowest word first. If a word turns out to
// be taken meanwhile, the words claimed so far are given back and the search starts
// again: some other thread made progress. Freed runs simply clear their bits, so
// neighbouring free runs merge by themselves and a freed run of any size serves a later
// request of any size.
//
// The memory grows when a claimed run ends beyond the committed size; `memory.grow` is
// atomic, and a thread that finds the memory already large enough does nothing.

import {
  PAGE_SHIFT, PAGE_SIZE, WASM_PAGE, ARENA_HEADER, HEADER_BYTES_HELD, HEADER_PEAK_BYTES_HELD,
  KIND_FREE
} from "./layout";
import {
  loadShared64, casShared64, fetchClearBits64, publish64, fetchAdd64, raiseMax64
} from "../shared/atomics";
import { DEBUG, bitmapBase, bitmapWords, pageMapBase, heapStart, pageCount } from "./state";

// ── page map entries ──────────────────────────────────────────────────────────────

// @ts-ignore: decorator
@inline export function entryAddress(page: u32): usize {
  return pageMapBase + (<usize>page << 3);
}

// @ts-ignore: decorator
@inline export function makeEntry(kind: u32, pages: u32, tag: u32): u64 {
  return (<u64>tag << 32) | (<u64>kind << 24) | <u64>pages;
}

// @ts-ignore: decorator
@inline export function entryKind(entry: u64): u32 { return <u32>(entry >> 24) & 0xFF; }
// @ts-ignore: decorator
@inline export function entryPages(entry: u64): u32 { return <u32>entry & 0xFFFFFF; }
// @ts-ignore: decorator
@inline export function entryTag(entry: u64): u32 { return <u32>(entry >> 32); }

export function loadEntry(page: u32): u64 { return loadShared64(entryAddress(page)); }

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

// ── bitmap ────────────────────────────────────────────────────────────────────────

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
 * Best fit: the start of the shortest free run of at least `n` pages, the lowest among
 * equals, or -1; a run of exactly `n` ends the search. Best fit keeps long runs whole
 * for long requests, which first fit breaks up (measured in test/full.test.ts). The
 * bitmap is read without ordering: the claim that follows checks each word with CAS.
 */
function findRun(n: u32): i32 {
  let best: i32 = -1;
  let bestLength: u32 = <u32>-1;
  let runStart: u32 = 0;
  let runLength: u32 = 0;
  for (let word: u32 = 0; word < bitmapWords; word++) {
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
        if (runLength >= n && runLength < bestLength) {
          best = <i32>runStart;
          bestLength = runLength;
          if (runLength == n) return best;
        }
        runLength = 0;
        bit += <u32>ctz(~rest);
      }
    }
  }
  if (runLength >= n && runLength < bestLength) best = <i32>runStart;
  return best;
}

/** Gives back bits [first, first+n) (they must be ours). */
function releaseBits(first: u32, n: u32): void {
  let page = first;
  let end = first + n;
  while (page < end) {
    let word = page >> 6;
    let bit = page & 63;
    let take = min<u32>(64 - bit, end - page);
    let mask = runMask(bit, take);
    let before = fetchClearBits64(wordAddress(word), mask);
    if (DEBUG) assert((before & mask) == mask, "released pages that were not taken");
    page += take;
  }
}

/** Tries to take bits [first, first+n); all or nothing. */
function claimBits(first: u32, n: u32): bool {
  let page = first;
  let end = first + n;
  while (page < end) {
    let word = page >> 6;
    let bit = page & 63;
    let take = min<u32>(64 - bit, end - page);
    let mask = runMask(bit, take);
    let at = wordAddress(word);
    let seen = loadShared64(at);
    while (true) {
      if ((seen & mask) != 0) {
        if (page > first) releaseBits(first, page - first);
        return false;
      }
      let found = casShared64(at, seen, seen | mask);
      if (found == seen) break;
      seen = found;
    }
    page += take;
  }
  return true;
}

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

/**
 * Takes `n` contiguous free pages; returns the first page, or -1 when no free run is
 * long enough. The pages' map entries are the caller's to write.
 */
export function takePages(n: u32): i32 {
  while (true) {
    let first = findRun(n);
    if (first < 0) return -1;
    if (!claimBits(<u32>first, n)) continue; // lost a race: another thread took pages
    if (!commitUpTo(pageAddress(<u32>first) + (<usize>n << PAGE_SHIFT))) {
      releaseBits(<u32>first, n);
      return -1;
    }
    let held = fetchAdd64(ARENA_HEADER + HEADER_BYTES_HELD, <u64>n << PAGE_SHIFT) + (<u64>n << PAGE_SHIFT);
    raiseMax64(ARENA_HEADER + HEADER_PEAK_BYTES_HELD, held);
    return first;
  }
}

/** Returns pages to the heap; marks the first page free in the page map first. */
export function givePages(first: u32, n: u32, tag: u32): void {
  publish64(entryAddress(first), makeEntry(KIND_FREE, 0, tag));
  fetchAdd64(ARENA_HEADER + HEADER_BYTES_HELD, -(<u64>n << PAGE_SHIFT));
  releaseBits(first, n);
}

/** Is page `page` taken in the bitmap? (heap walker) */
export function pageTaken(page: u32): bool {
  return ((loadShared64(wordAddress(page >> 6)) >> (page & 63)) & 1) != 0;
}

/** Marks the bitmap bits past the last page as taken, so that no search finds them. */
export function sealBitmapTail(): void {
  let tail = pageCount & 63;
  if (tail != 0) {
    store<u64>(wordAddress(pageCount >> 6), <u64>-1 << tail);
  }
}

/** Bytes of one run of `n` pages. */
// @ts-ignore: decorator
@inline export function pagesBytes(n: u32): usize { return <usize>n << PAGE_SHIFT; }

export { PAGE_SIZE };
