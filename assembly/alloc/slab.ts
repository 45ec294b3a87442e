// Small blocks: runs of 64-byte granules inside slab pages (layout in layout.ts).
//
// A slab's `used` word holds both its granule bits and its two flags, so one CAS decides
// every question about it: a thread claims granules; ACTIVE means some thread allocates
// from it; LISTED means it sits on the partial-slab stack; all ones means retired (its
// page went back to the heap). A slab is retired only when it is neither active nor
// listed and no granule is taken; it is listed when a free leaves granules open in a slab
// that is neither active nor listed. Any thread may free a small block; the thread that
// allocates from a slab is whichever made it active, and it gives it up when it is full.
//
// Blocks are binned by size (layout.ts, SMALL_BINS): a slab serves one bin, each bin has
// its own partial-slab stack, and a slab is listed only once it has room for the largest
// block of its bin, so that a slab taken from the stack almost always fits.

import {
  SLAB_USED, SLAB_STARTS, SLAB_NEXT, SLAB_ACTIVE, SLAB_LISTED, SLAB_RETIRED, SLAB_DATA_MASK,
  GRANULE_SHIFT, GRANULE_SIZE, SMALL_HEADER, SMALL_LIVE, SMALL_DEAD, PAGE_SIZE, KIND_SLAB,
  ARENA_HEADER, HEADER_PARTIAL_SLABS, OK, ERR_DOUBLE_FREE, ERR_NOT_A_BLOCK, COUNTER_TAGS,
  SLOT_COUNTERS, SLAB_FIRST_GRANULE, SLAB_BIN, SMALL_BINS, SMALL_BIN_LIMIT_0, SMALL_BIN_LIMIT_1,
  SMALL_MAX_GRANULES
} from "./layout";
import { loadShared64, casShared64, fetchClearBits64, fetchSetBits64, publish64 } from "../shared/atomics";
import { pushNode, popNode, pushChain } from "./stack";
import {
  takePages, givePages, loadEntry, entryKind, entryTag, makeEntry, entryAddress, pageOf, pageAddress
} from "./pages";
import { DEBUG, activeSlab, setActiveSlab, slotBase, slotIndex, fail } from "./state";

const PARTIAL_TRIES: i32 = 4;

// @ts-ignore: decorator
@inline function partialHead(bin: u32): usize { return ARENA_HEADER + HEADER_PARTIAL_SLABS + (<usize>bin << 6); }

/** The bin of a block of `granules` granules. */
// @ts-ignore: decorator
@inline function binOf(granules: u32): u32 {
  return granules <= SMALL_BIN_LIMIT_0 ? 0 : granules <= SMALL_BIN_LIMIT_1 ? 1 : 2;
}

/** Largest block of a bin, in granules. */
// @ts-ignore: decorator
@inline function binLimit(bin: u32): u32 {
  return bin == 0 ? SMALL_BIN_LIMIT_0 : bin == 1 ? SMALL_BIN_LIMIT_1 : SMALL_MAX_GRANULES;
}

// @ts-ignore: decorator
@inline function granuleMask(first: u32, n: u32): u64 {
  return ((<u64>1 << n) - 1) << first;
}

/** Lowest granule that starts `need` free granules in `used`, or -1. */
function findGranules(used: u64, need: u32): i32 {
  let runs = ~used & SLAB_DATA_MASK;
  let length: u32 = 1;
  while (length < need && runs != 0) {
    let step = min<u32>(length, need - length);
    runs &= runs >> step;
    length += step;
  }
  return runs == 0 ? -1 : <i32>ctz(runs);
}

/** Claims `need` granules in `slab`; returns the first, or -1 when they do not fit. */
function claimGranules(slab: usize, need: u32): i32 {
  let at = slab + SLAB_USED;
  let seen = loadShared64(at);
  while (true) {
    let first = findGranules(seen, need);
    if (first < 0) return -1;
    let found = casShared64(at, seen, seen | granuleMask(<u32>first, need));
    if (found == seen) return first;
    seen = found;
  }
}

/** Gives a slab's page back to the heap if it is idle and empty. */
function tryRetire(slab: usize, idle: u64): void {
  if (casShared64(slab + SLAB_USED, idle, SLAB_RETIRED) == idle) {
    let page = pageOf(slab);
    givePages(page, 1, entryTag(loadEntry(page)));
  }
}

/** Puts an idle slab with free granules on the partial-slab stack (once). */
function tryList(slab: usize, seen: u64): void {
  let at = slab + SLAB_USED;
  while (true) {
    if ((seen & (SLAB_ACTIVE | SLAB_LISTED)) != 0) return;
    if (seen == 0) { tryRetire(slab, 0); return; }
    let bin = load<u32>(slab + SLAB_BIN);
    if (findGranules(seen, binLimit(bin)) < 0) return; // not worth a visit yet
    let found = casShared64(at, seen, seen | SLAB_LISTED);
    if (found == seen) { pushNode(partialHead(bin), slab, SLAB_NEXT); return; }
    seen = found;
  }
}

/** The owner stops allocating from `slab` (also used by reclaim for a dead owner). */
export function abandonSlab(slab: usize): void {
  let after = fetchClearBits64(slab + SLAB_USED, SLAB_ACTIVE) & ~SLAB_ACTIVE;
  if (after == 0) tryRetire(slab, 0);
  else tryList(slab, after);
}

/** A slab of `bin` with room for `need` granules: a partial one if one fits, else a fresh page. */
function acquireSlab(bin: u32, need: u32): usize {
  for (let attempt = 0; attempt < PARTIAL_TRIES; attempt++) {
    let slab = popNode(partialHead(bin), SLAB_NEXT);
    if (slab == 0) break;
    let at = slab + SLAB_USED;
    let seen = loadShared64(at);
    while (true) {
      let found = casShared64(at, seen, (seen & ~SLAB_LISTED) | SLAB_ACTIVE);
      if (found == seen) break;
      seen = found;
    }
    if (DEBUG) assert((seen & SLAB_LISTED) != 0 && (seen & SLAB_ACTIVE) == 0, "partial slab in a bad state");
    if (findGranules(seen, need) >= 0) { setActiveSlab(bin, slab); return slab; }
    // Too full for this request: leave it unlisted (listing it again would hand it to the
    // next request just the same); the next free inside it lists it again.
    let after = fetchClearBits64(at, SLAB_ACTIVE) & ~SLAB_ACTIVE;
    if (after == 0) tryRetire(slab, 0);
  }
  let page = takePages(1);
  if (page < 0) return 0;
  let slab = pageAddress(<u32>page);
  store<u64>(slab + SLAB_STARTS, 0);
  store<u32>(slab + SLAB_BIN, bin);
  publish64(slab + SLAB_USED, SLAB_ACTIVE);
  let tag = entryTag(loadEntry(<u32>page)) + 1;
  publish64(entryAddress(<u32>page), makeEntry(KIND_SLAB, 1, tag));
  setActiveSlab(bin, slab);
  return slab;
}

/** A fresh tag for a small block: this slot's counter, with the slot index mixed in. */
function nextSmallTag(): u32 {
  let at = slotBase + SLOT_COUNTERS + (COUNTER_TAGS << 3);
  let n = load<u64>(at) + 1;
  store<u64>(at, n);
  return (<u32>n << 7) | slotIndex;
}

/** Allocates a small block; returns the data address (0: no memory). Its tag and size are in smallTag, smallSize. */
export function allocSmall(bytes: usize): usize {
  let need = <u32>((bytes + SMALL_HEADER + GRANULE_SIZE - 1) >> GRANULE_SHIFT);
  let bin = binOf(need);
  while (true) {
    let slab = activeSlab(bin);
    if (slab == 0) {
      slab = acquireSlab(bin, need);
      if (slab == 0) return 0;
    }
    let first = claimGranules(slab, need);
    if (first >= 0) {
      let header = slab + (<usize>first << GRANULE_SHIFT);
      let tag = nextSmallTag();
      publish64(header, <u64>tag | (<u64>need << 32) | (SMALL_LIVE << 48));
      fetchSetBits64(slab + SLAB_STARTS, <u64>1 << first);
      smallTag = tag;
      smallSize = (<usize>need << GRANULE_SHIFT) - SMALL_HEADER;
      return header + SMALL_HEADER;
    }
    setActiveSlab(bin, 0);
    abandonSlab(slab);
  }
}

/** Tag and size of the block the last allocSmall returned. */
export let smallTag: u32 = 0;
export let smallSize: usize = 0;

/** The size of the small block at `address` if it is live with `tag`, else 0. */
export function smallBlockLive(address: usize, tag: u32): usize {
  let header = address - SMALL_HEADER;
  let slab = header & ~(PAGE_SIZE - 1);
  if ((header & (GRANULE_SIZE - 1)) != 0) return 0;
  let first = <u32>((header - slab) >> GRANULE_SHIFT);
  if (first < SLAB_FIRST_GRANULE || entryKind(loadEntry(pageOf(slab))) != KIND_SLAB) return 0;
  if (((loadShared64(slab + SLAB_STARTS) >> first) & 1) == 0) return 0;
  let seen = loadShared64(header);
  if ((seen >> 48) != SMALL_LIVE || <u32>seen != tag) return 0;
  return ((<usize>(seen >> 32) & 0xFFFF) << GRANULE_SHIFT) - SMALL_HEADER;
}

/** Frees a small block; returns OK or an error code. Sets smallSize to the freed size. */
export function freeSmall(address: usize, tag: u32): i32 {
  let header = address - SMALL_HEADER;
  let slab = header & ~(PAGE_SIZE - 1);
  if ((header & (GRANULE_SIZE - 1)) != 0) return fail(ERR_NOT_A_BLOCK);
  let first = <u32>((header - slab) >> GRANULE_SHIFT);
  if (first < SLAB_FIRST_GRANULE) return fail(ERR_NOT_A_BLOCK);
  if (entryKind(loadEntry(pageOf(slab))) != KIND_SLAB) return fail(ERR_DOUBLE_FREE);
  if (((loadShared64(slab + SLAB_STARTS) >> first) & 1) == 0) return fail(ERR_DOUBLE_FREE);
  let seen = loadShared64(header);
  if ((seen >> 48) != SMALL_LIVE || <u32>seen != tag) return fail(ERR_DOUBLE_FREE);
  let dead = (seen & 0xFFFFFFFFFFFF) | (SMALL_DEAD << 48);
  if (casShared64(header, seen, dead) != seen) return fail(ERR_DOUBLE_FREE);
  // This thread alone now owns the block.
  let granules = <u32>(seen >> 32) & 0xFFFF;
  smallSize = (<usize>granules << GRANULE_SHIFT) - SMALL_HEADER;
  fetchClearBits64(slab + SLAB_STARTS, <u64>1 << first);
  let mask = granuleMask(first, granules);
  let before = fetchClearBits64(slab + SLAB_USED, mask);
  if (DEBUG) assert((before & mask) == mask, "freed granules that were not taken");
  let after = before & ~mask;
  if (after == 0) tryRetire(slab, 0);
  else if ((after & (SLAB_ACTIVE | SLAB_LISTED)) == 0) tryList(slab, after);
  return OK;
}

/**
 * Retires every listed slab that is empty; keeps the others listed. Used before giving up
 * on a page request, so that small-block pages serve it, and by clearCache.
 */
export function retireEmptySlabs(): void {
  for (let bin: u32 = 0; bin < SMALL_BINS; bin++) {
    let kept: usize = 0;
    let keptLast: usize = 0;
    while (true) {
      let slab = popNode(partialHead(bin), SLAB_NEXT);
      if (slab == 0) break;
      // Popped slabs stay LISTED, so no free pushes them again while we hold them.
      if (casShared64(slab + SLAB_USED, SLAB_LISTED, SLAB_RETIRED) == SLAB_LISTED) {
        let page = pageOf(slab);
        givePages(page, 1, entryTag(loadEntry(page)));
        continue;
      }
      store<u32>(slab + SLAB_NEXT, <u32>kept);
      if (kept == 0) keptLast = slab;
      kept = slab;
    }
    if (kept != 0) pushChain(partialHead(bin), kept, keptLast, SLAB_NEXT);
  }
}
