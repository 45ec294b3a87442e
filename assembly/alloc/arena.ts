// The allocator's entry points: creating the arena, allocating and freeing blocks, the
// core's own temporaries, the cache bound and the statistics. (Threads joining and
// leaving, and reclaim, are in assembly/threads.ts, above the images.)
//
// Fast paths: a small block is a CAS in this thread's active slab; a page block is a pop
// from this thread's cache stack for its size class. Slow path: the page heap, within the
// committed memory first; before the memory grows, every cache is flushed back to the heap;
// before a request fails with ARENA_FULL, empty slabs are retired too, and the heap is
// searched once more.

import {
  ARENA_HEADER, ARENA_MAGIC, LAYOUT_VERSION, HEADER_MAGIC, HEADER_STATE, HEADER_LAYOUT, HEADER_FLAGS,
  HEADER_MAX_WASM_PAGES, HEADER_BLOCK_SIZE, HEADER_ALIGNMENT, HEADER_PAGE_COUNT, HEADER_HEAP_START,
  HEADER_BITMAP, HEADER_BITMAP_WORDS, HEADER_PAGE_MAP, HEADER_BLOCKS_MAX, HEADER_CREDIT_POOL,
  HEADER_PAGES_HELD, HEADER_PEAK_PAGES, HEADER_ARENA_ID,
  STATE_EMPTY, STATE_INITIALISING, STATE_READY, FLAG_SHARED, FLAG_DEBUG, FLAG_TRACK_CALLS,
  PAGE_SIZE, PAGE_SHIFT, WASM_PAGE, MEMORY_BASE, FIXED_END, MAX_ATTACHMENTS, ENTRY_SIZE,
  SLOT_STATE, SLOT_STATS, SLOT_SCRATCH, SCRATCH_ENTRIES, SCRATCH_ENTRY_SIZE,
  KIND_BLOCK, KIND_CACHED, SMALL_MAX_BYTES, GRANULE_SHIFT, GRANULE_SIZE, SMALL_HEADER,
  RESULT_SIZE, OK, ERR_ARENA_FULL, ERR_NOT_A_BLOCK, ERR_NOT_READY, ERR_LIMIT,
  COUNTER_ALLOCATED, COUNTER_REUSED, COUNTER_FREED, COUNTER_RECLAIMED, COUNTER_BYTES_ALLOCATED,
  COUNTER_BYTES_FREED, COUNTER_IMAGES_CREATED, COUNTER_IMAGES_DESTROYED, COUNTER_CACHE_POPPED, COUNTER_CACHE_PUSHED,
  STAT_BYTES_COMMITTED, STAT_BYTES_IN_USE, STAT_PEAK_BYTES, STAT_BLOCKS_IN_USE, STAT_BLOCKS_CACHED,
  STAT_IMAGES_LIVE, STAT_ALLOCATED, STAT_REUSED, STAT_FREED, STAT_RECLAIMED, STAT_BYTES_HELD,
  STAT_BLOCKS_MAX, STAT_ATTACHMENTS, SLOT_LIVE
} from "./layout";
import { loadShared32, loadShared64, casShared32, publish32, publish64 } from "../shared/atomics";
import {
  takePages, givePages, loadEntry, entryKind, entryTag, makeEntry, entryAddress, runPages, setRunWord,
  pageOf, pageAddress, inHeap, sealBitmapTail
} from "./pages";
import { classOf } from "./classes";
import {
  cachePop, cacheReturnCredit, cacheRepush, settleIfInDebt, flushCaches, cachedBlocks, setBlocksMax, releasePage
} from "./cache";
import {
  acquireSlab, abandonSlab, claimGranules, stampSmall, startSmall, unclaimSmall, freeSmall,
  smallBlockLive, retireEmptySlabs, binOf, smallBytes
} from "./slab";
import {
  DEBUG, loadGeometry, slotAddress, slotBase, setResult, setResultTag, resultTag, fail, count, counterAddress, noteShortfall,
  pageCount, heapStart, activeSlab, setActiveSlab, freshTag
} from "./state";
import { frameNext, frameOpen, frameClose, phase, setPhase, arg, setArg, OP_ALLOCATE } from "./frames";

// ── creation ──────────────────────────────────────────────────────────────────────

/**
 * Lays out a new arena in this memory (the creating thread, once). Returns OK, or
 * ERR_LIMIT when the maximum leaves no room for a heap, or ERR_NOT_READY when another
 * thread already initialised this memory. `arenaId` is a random number that image
 * handles carry, so that a handle of another arena is refused.
 */
export function arenaInit(maxWasmPages: u32, blockBytes: u32, blocksMax: u32, alignment: u32, arenaId: u32, trackCalls: bool): i32 {
  if (casShared32(ARENA_HEADER + HEADER_STATE, STATE_EMPTY, STATE_INITIALISING) != STATE_EMPTY) {
    return ERR_NOT_READY;
  }
  if (DEBUG) assert(__heap_base >= MEMORY_BASE && MEMORY_BASE >= FIXED_END, "static data overlaps the fixed region");
  let total = <u64>maxWasmPages * <u64>WASM_PAGE;
  let base = (<u64>__heap_base + 63) & ~<u64>63;
  // Each page costs PAGE_SIZE bytes, a page map entry and one bitmap bit.
  let pages = (total - base) * 8 / (<u64>PAGE_SIZE * 8 + <u64>ENTRY_SIZE * 8 + 1);
  let words: u64 = 0, heap: u64 = 0;
  while (pages > 0) {
    words = (pages + 63) >> 6;
    heap = (base + words * 8 + pages * <u64>ENTRY_SIZE + <u64>PAGE_SIZE - 1) & ~(<u64>PAGE_SIZE - 1);
    if (heap + (pages << PAGE_SHIFT) <= total) break;
    pages--;
  }
  if (pages == 0) { publish32(ARENA_HEADER + HEADER_STATE, STATE_EMPTY); return ERR_LIMIT; }
  let needed = <i64>((heap + <u64>WASM_PAGE - 1) / <u64>WASM_PAGE) - <i64>memory.size();
  if (needed > 0 && memory.grow(<i32>needed) < 0) {
    publish32(ARENA_HEADER + HEADER_STATE, STATE_EMPTY);
    return ERR_LIMIT;
  }
  let bitmap = <usize>base;
  let pageMap = bitmap + <usize>words * 8;
  // Fresh memory is zero, but a memory may be handed to us that held something else.
  memory.fill(bitmap, 0, <usize>heap - bitmap);
  memory.fill(SLOTS_START, 0, FIXED_END - SLOTS_START);
  let h = ARENA_HEADER;
  store<u32>(h + HEADER_MAGIC, ARENA_MAGIC);
  store<u32>(h + HEADER_LAYOUT, LAYOUT_VERSION);
  store<u32>(h + HEADER_FLAGS, (ASC_FEATURE_THREADS ? FLAG_SHARED : 0) | (DEBUG ? FLAG_DEBUG : 0) | (trackCalls ? FLAG_TRACK_CALLS : 0));
  store<u32>(h + HEADER_MAX_WASM_PAGES, maxWasmPages);
  store<u32>(h + HEADER_BLOCK_SIZE, blockBytes);
  store<u32>(h + HEADER_ALIGNMENT, alignment);
  store<u32>(h + HEADER_PAGE_COUNT, <u32>pages);
  store<u32>(h + HEADER_HEAP_START, <u32>heap);
  store<u32>(h + HEADER_BITMAP, <u32>bitmap);
  store<u32>(h + HEADER_BITMAP_WORDS, <u32>words);
  store<u32>(h + HEADER_PAGE_MAP, <u32>pageMap);
  store<u32>(h + HEADER_ARENA_ID, arenaId);
  store<u32>(h + HEADER_BLOCKS_MAX, blocksMax);
  store<u64>(h + HEADER_CREDIT_POOL, <u64>blocksMax);
  loadGeometry();
  sealBitmapTail();
  publish32(h + HEADER_STATE, STATE_READY);
  return OK;
}

const SLOTS_START: usize = ARENA_HEADER + 1024;

/** Is this memory a ready arena of this layout version? */
export function arenaReady(): bool {
  let h = ARENA_HEADER;
  return loadShared32(h + HEADER_STATE) == STATE_READY && load<u32>(h + HEADER_MAGIC) == ARENA_MAGIC
    && load<u32>(h + HEADER_LAYOUT) == LAYOUT_VERSION;
}

/** The arena's random id. */
export function arenaId(): u32 {
  return load<u32>(ARENA_HEADER + HEADER_ARENA_ID);
}

/** The memory's maximum in bytes. */
export function memoryMaximum(): usize {
  return <usize>load<u32>(ARENA_HEADER + HEADER_MAX_WASM_PAGES) * WASM_PAGE;
}

// ── blocks ────────────────────────────────────────────────────────────────────────

/**
 * The size of the block at `address` if it is live with `tag`, else 0. A snapshot: the
 * block may be freed by its owner right after.
 */
export function blockLive(address: usize, tag: u64): usize {
  if (!inHeap(address)) return 0;
  if (((address - heapStart) & (PAGE_SIZE - 1)) != 0) return smallBlockLive(address, tag);
  let page = pageOf(address);
  let entry = loadEntry(page);
  if (entry != makeEntry(KIND_BLOCK, tag)) return 0;
  return <usize>runPages(page) << PAGE_SHIFT;
}

/** Largest request in bytes. */
function maxRequest(): usize {
  return <usize>pageCount << PAGE_SHIFT;
}

// ── allocating: OP_ALLOCATE ───────────────────────────────────────────────────────
//
//  args  0 page (page path) or slab (small path)   1 pages or granules   2 first granule
const ALLOC_ARG_WHERE: usize = 0;
const ALLOC_ARG_NEED: usize = 1;
const ALLOC_ARG_FIRST: usize = 2;

// small path
const SMALL_LOOKING: u32 = 0;
/** Getting a slab (a nested acquisition; undone if it did not finish). */
const SMALL_ACQUIRING: u32 = 1;
/** Granules [arg 4, arg 4 + arg 3) of slab arg 1 are claimed (its header and start bit follow). */
const SMALL_CLAIMED: u32 = 2;
/** Giving up the active slab, too full (a nested abandon; the abandon clears the slot's pointer). */
const SMALL_ABANDONING: u32 = 7;
const SMALL_ABANDONED: u32 = 8;
/** Making room: flushing the caches (a loop), then retiring empty slabs (nested). */
const SMALL_FLUSHING: u32 = 10;
const SMALL_RETIRING: u32 = 11;
const SMALL_RETIRED: u32 = 12;

// page path
const PAGE_LOOKING: u32 = 20;
/** Popped block arg 1 from a cache; credit phases follow from PAGE_CREDIT. */
const PAGE_POPPED: u32 = 22;
/** Put a popped block that was too short back; settling a lowered bound (may be run again). */
const PAGE_REPUSHED: u32 = 24;
const PAGE_CREDIT: u32 = 30;
/** The block's credit is back with this slot (PAGE_CREDIT + RETURN_SETTLED). */
const PAGE_CREDITED: u32 = 33;
/** Taking pages from the heap (a nested take; undone if it did not finish). */
const PAGE_TAKING: u32 = 35;
/** Took pages from arg 1: its entries say INNER. */
const PAGE_TAKEN: u32 = 36;
/** The block is this thread's, its word 1 written: its first entry is marked BLOCK next, straight-line. */
const PAGE_MARKED: u32 = 38;
/** Making room: flushing the caches (a loop), then retiring empty slabs (nested). */
const PAGE_FLUSHING: u32 = 40;
const PAGE_RETIRING: u32 = 41;
const PAGE_RETIRED: u32 = 42;
/** Undoing: giving the block's pages back (a nested give). */
const UNDO_GIVING: u32 = 51;
const UNDO_GIVEN: u32 = 52;

/**
 * Allocates `bytes` bytes (any thread). Returns the block's address, or 0 with the error
 * in the result words; on success RESULT_SIZE and the result tag hold its size and tag.
 *
 * The fast paths (room in this thread's active slab; a block in a cache) take their one
 * claiming step first and write their frame straight after it; the slow paths open the
 * frame first, as they call nested operations.
 */
export function allocate(bytes: usize): usize {
  if (bytes == 0) { fail(ERR_LIMIT); return 0; }
  if (bytes > maxRequest()) { noteShortfall(bytes); fail(ERR_ARENA_FULL); return 0; }
  let tag = freshTag();
  let frame: usize, address: usize, size: usize;
  if (bytes <= SMALL_MAX_BYTES) {
    let need = <u32>((bytes + SMALL_HEADER + GRANULE_SIZE - 1) >> GRANULE_SHIFT);
    let slab = activeSlab(binOf(need));
    let first = slab != 0 ? claimGranules(slab, need) : -1;
    if (first >= 0) {
      frame = openClaimed(slab, <u32>first, need);
    } else {
      frame = frameNext();
      frameOpen(frame, OP_ALLOCATE, SMALL_LOOKING);
      first = allocateSmall(frame, need);
      slab = <usize>arg(frame, ALLOC_ARG_WHERE);
    }
    if (first >= 0) {
      // Undoing clears the header and the start bit whether or not they were written
      // yet: the granules are this thread's, so no phase is needed between the two steps.
      stampSmall(slab, <u32>first, need, tag);
      startSmall(slab, <u32>first);
      address = slab + (<usize>first << GRANULE_SHIFT) + SMALL_HEADER;
    } else {
      address = 0;
    }
    size = smallBytes(need);
  } else {
    let pages = <u32>((bytes + PAGE_SIZE - 1) >> PAGE_SHIFT);
    let page = cachePop(classOf(pages), pages);
    if (page >= 0) {
      frame = frameNext();
      setArg(frame, ALLOC_ARG_WHERE, <u64>page);
      setArg(frame, ALLOC_ARG_NEED, pages);
      frameOpen(frame, OP_ALLOCATE, PAGE_POPPED);
      count(COUNTER_CACHE_POPPED, 1);
      page = keepPopped(frame, <u32>page, pages);
    } else {
      frame = frameNext();
      setArg(frame, ALLOC_ARG_NEED, pages);
      frameOpen(frame, OP_ALLOCATE, PAGE_LOOKING);
    }
    if (page < 0) page = takeFresh(frame, pages);
    if (page >= 0) {
      // A plain store: the run is this thread's; whoever frees it learns the tag from it.
      store<u64>(entryAddress(<u32>page), makeEntry(KIND_BLOCK, tag));
      address = pageAddress(<u32>page);
    } else {
      address = 0;
    }
    size = <usize>arg(frame, ALLOC_ARG_NEED) << PAGE_SHIFT;
  }
  if (address == 0) {
    frameClose(frame);
    noteShortfall(bytes);
    fail(ERR_ARENA_FULL);
    return 0;
  }
  count(COUNTER_ALLOCATED, 1);
  count(COUNTER_BYTES_ALLOCATED, <u64>size);
  setResult(RESULT_SIZE, <u32>size);
  setResultTag(tag);
  frameClose(frame);
  return address;
}

/** Opens the frame of an allocation whose granules were just claimed (straight after the CAS). */
// @ts-ignore: decorator
@inline function openClaimed(slab: usize, first: u32, need: u32): usize {
  let frame = frameNext();
  setArg(frame, ALLOC_ARG_WHERE, slab);
  setArg(frame, ALLOC_ARG_FIRST, <u64>first);
  setArg(frame, ALLOC_ARG_NEED, need);
  frameOpen(frame, OP_ALLOCATE, SMALL_CLAIMED);
  return frame;
}

/** The slow small path: a slab from the partial stack or the heap, making room once. Returns the first granule or -1. */
function allocateSmall(frame: usize, need: u32): i32 {
  let bin = binOf(need);
  setArg(frame, ALLOC_ARG_NEED, need);
  let flushed = false;
  while (true) {
    let slab = activeSlab(bin);
    if (slab == 0) {
      setPhase(frame, SMALL_ACQUIRING);
      slab = acquireSlab(bin, need);
      setPhase(frame, SMALL_LOOKING);
      if (slab == 0) {
        if (flushed) return -1;
        setPhase(frame, SMALL_FLUSHING);
        makeRoom(frame, SMALL_RETIRING, SMALL_RETIRED);
        setPhase(frame, SMALL_LOOKING);
        flushed = true;
        continue;
      }
    }
    let first = claimGranules(slab, need);
    if (first >= 0) {
      setArg(frame, ALLOC_ARG_WHERE, slab);
      setArg(frame, ALLOC_ARG_FIRST, <u64>first);
      setPhase(frame, SMALL_CLAIMED);
      return first;
    }
    setPhase(frame, SMALL_ABANDONING);
    abandonSlab(slab);
    setPhase(frame, SMALL_ABANDONED);
  }
}

/** A block just popped from a cache (phase PAGE_POPPED): kept if long enough (its page), else put back (-1). */
function keepPopped(frame: usize, page: u32, pages: u32): i32 {
  // The block is this thread's since the pop: its size cannot change.
  let size = runPages(page);
  if (size < pages) {
    // A race left a shorter block on top: it goes back, credit and all.
    cacheRepush(page);
    count(COUNTER_CACHE_PUSHED, 1);
    // As after any push: a bound lowered meanwhile could not evict this block. Recorded,
    // so that a call cut short here settles when its frame is recovered.
    setPhase(frame, PAGE_REPUSHED);
    // (The explorer's mutant core leaves the settle out: the short-pop scenario must notice.)
    if (!isDefined(PA_MUTANT_SETTLE)) settleIfInDebt();
    setPhase(frame, PAGE_LOOKING);
    return -1;
  }
  setPhase(frame, PAGE_CREDIT);
  cacheReturnCredit(frame, PAGE_CREDIT);
  if (DEBUG) assert(phase(frame) == PAGE_CREDITED, "credit phases");
  setArg(frame, ALLOC_ARG_NEED, size);
  count(COUNTER_REUSED, 1);
  setPhase(frame, PAGE_MARKED);
  return <i32>page;
}

/**
 * The slow page path: pages from the heap. Returns the first page or -1.
 *
 * The memory grows only when no committed run fits with the caches emptied: blocks cached
 * in other size classes are committed memory too, and a grown page costs its first touch
 * and is never given back. So: a committed run; else flush the caches (their blocks merge
 * with their free neighbours, which also spares a grow the pages they give back) and
 * take a run, growing if need be; else, the memory being at its maximum, make room once
 * more (retiring empty slabs too) and try again. The price: a thread that alternates
 * sizes the committed memory holds only one at a time flushes on each miss, where growing
 * would have let the cache keep both.
 */
function takeFresh(frame: usize, pages: u32): i32 {
  let attempt: u32 = 0;
  while (true) {
    setPhase(frame, PAGE_TAKING);
    let page = takePages(pages, attempt > 0);
    if (page >= 0) {
      setArg(frame, ALLOC_ARG_WHERE, <u64>page);
      setPhase(frame, PAGE_TAKEN);
      setRunWord(<u32>page, pages, 0);
      setPhase(frame, PAGE_MARKED);
      return page;
    }
    if (attempt == 2) { setPhase(frame, PAGE_LOOKING); return -1; }
    setPhase(frame, PAGE_FLUSHING);
    if (attempt == 0) {
      if (cachedBlocks() > 0) flushCaches(0);
    } else {
      makeRoom(frame, PAGE_RETIRING, PAGE_RETIRED);
    }
    attempt++;
  }
}

/** Makes room by flushing every cache and retiring empty slabs (phases of the caller's frame). */
function makeRoom(frame: usize, retiring: u32, retired: u32): void {
  flushCaches(0);
  setPhase(frame, retiring);
  retireEmptySlabs();
  setPhase(frame, retired);
}

/** Undoes an allocation from whatever phase it reached (its block never reached anyone), and closes its frame. */
export function undoAllocate(frame: usize): void {
  let p = phase(frame);
  let where = <u32>arg(frame, ALLOC_ARG_WHERE);
  if (p == PAGE_REPUSHED) {
    // The block is back in the cache; only the settle may be unfinished.
    settleIfInDebt();
  } else if (p == SMALL_CLAIMED) {
    unclaimSmall(<usize>where, <u32>arg(frame, ALLOC_ARG_FIRST), <u32>arg(frame, ALLOC_ARG_NEED));
  } else if (p == PAGE_POPPED || (p >= PAGE_CREDIT && p <= PAGE_CREDITED)) {
    // A cached block: its credit comes back first, as the allocation would have done.
    if (p == PAGE_POPPED) setPhase(frame, PAGE_CREDIT);
    cacheReturnCredit(frame, PAGE_CREDIT);
    setArg(frame, ALLOC_ARG_FIRST, runPages(where));
    setPhase(frame, UNDO_GIVING);
  } else if (p == PAGE_TAKEN || p == PAGE_MARKED) {
    // Its size is what was asked (fresh pages) or what the cached block had (set before marking).
    setArg(frame, ALLOC_ARG_FIRST, arg(frame, ALLOC_ARG_NEED));
    setPhase(frame, UNDO_GIVING);
  }
  if (phase(frame) == UNDO_GIVING) {
    givePages(where, <u32>arg(frame, ALLOC_ARG_FIRST));
    setPhase(frame, UNDO_GIVEN);
  }
  frameClose(frame);
}

/** The heap bytes an allocation of `bytes` takes: a slab's granules, or whole pages. */
export function footprint(bytes: u64): u64 {
  if (bytes <= <u64>SMALL_MAX_BYTES) return ((bytes + <u64>SMALL_HEADER + <u64>GRANULE_SIZE - 1) >> <u64>GRANULE_SHIFT) << <u64>GRANULE_SHIFT;
  return (bytes + <u64>PAGE_SIZE - 1) & ~(<u64>PAGE_SIZE - 1);
}

/**
 * Frees a block (any thread, whoever allocated it). Returns OK or an error code. Inlined
 * into the exported call (index.ts), a call level less on the hottest path; `release` is
 * the copy for the core's own callers.
 */
// @ts-ignore: decorator
@inline export function releaseInline(address: usize, tag: u64): i32 {
  if (!inHeap(address)) return fail(ERR_NOT_A_BLOCK);
  if (((address - heapStart) & (PAGE_SIZE - 1)) != 0) return freeSmall(address, tag);
  return releasePage(pageOf(address), tag);
}

/** Frees a block (any thread, whoever allocated it). Returns OK or an error code. */
export function release(address: usize, tag: u64): i32 {
  return releaseInline(address, tag);
}

// ── scratch: the core's own temporaries, recorded so that reclaim frees them ──────

// @ts-ignore: decorator
@inline function scratchEntry(slot: usize, e: u32): usize {
  return slot + SLOT_SCRATCH + <usize>e * SCRATCH_ENTRY_SIZE;
}

/**
 * Allocates a temporary block for this thread's own use (pixel staging, coefficient
 * tables). It is recorded in the slot until scratchRelease, so that if the thread dies
 * holding it, reclaim frees it. Returns 0 with the error set when it cannot.
 */
export function scratchAllocate(bytes: usize): usize {
  let free: usize = 0;
  for (let e: u32 = 0; e < SCRATCH_ENTRIES && free == 0; e++) {
    let entry = scratchEntry(slotBase, e);
    if (load<u32>(entry) == 0) free = entry;
  }
  if (free == 0) { fail(ERR_LIMIT); return 0; }
  let address = allocate(bytes);
  if (address == 0) return 0;
  // Recorded straight after the allocation returns: no point in between where the thread
  // can stop, so the block exists only once it is recorded.
  store<u64>(free + 8, resultTag());
  store<u32>(free, <u32>address);
  return address;
}

/** Frees a temporary block from scratchAllocate. */
export function scratchRelease(address: usize): void {
  for (let e: u32 = 0; e < SCRATCH_ENTRIES; e++) {
    let entry = scratchEntry(slotBase, e);
    if (<usize>load<u32>(entry) != address) continue;
    let status = release(address, load<u64>(entry + 8));
    if (DEBUG) assert(status == OK, "scratch block was not live");
    store<u32>(entry, 0);
    return;
  }
  if (DEBUG) assert(false, "scratch block not recorded");
}

/** Frees every scratch block of this slot (reclaim, and after an interrupted call); a block freed already is skipped. */
export function releaseScratch(): void {
  for (let e: u32 = 0; e < SCRATCH_ENTRIES; e++) {
    let entry = scratchEntry(slotBase, e);
    let address = <usize>load<u32>(entry);
    if (address == 0) continue;
    release(address, load<u64>(entry + 8));
    store<u32>(entry, 0);
  }
}

/** Gives up this slot's active slabs (detach, reclaim; each abandon clears the slot's pointer). */
export function abandonActiveSlabs(): void {
  for (let bin: u32 = 0; bin < 3; bin++) {
    let slab = activeSlab(bin);
    if (slab != 0) abandonSlab(slab);
  }
}

// ── cache control ─────────────────────────────────────────────────────────────────

export function blocksMaxSet(n: u32): void { setBlocksMax(n); }

/** Evicts cached blocks until at most `keep` remain, and retires empty slabs. */
export function cacheClear(keep: u32): u32 {
  let evicted = flushCaches(<i64>keep);
  retireEmptySlabs();
  return evicted;
}

// ── statistics ────────────────────────────────────────────────────────────────────

// @ts-ignore: decorator
@inline function sumCounter(counter: usize): u64 {
  let total: u64 = 0;
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) total += load<u64>(counterAddress(slotAddress(i), counter));
  return total;
}

/** Fills this slot's stats area (f64s, order of STAT_*) for JS to read. */
export function statsCollect(): void {
  let out = slotBase + SLOT_STATS;
  let allocated = sumCounter(COUNTER_ALLOCATED);
  let freed = sumCounter(COUNTER_FREED);
  let live: u32 = 0;
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    if ((<u32>loadShared64(slotAddress(i) + SLOT_STATE) & 0xFF) == SLOT_LIVE) live++;
  }
  store<f64>(out + (STAT_BYTES_COMMITTED << 3), <f64>memory.size() * <f64>WASM_PAGE);
  store<f64>(out + (STAT_BYTES_IN_USE << 3),
    <f64>(<i64>(sumCounter(COUNTER_BYTES_ALLOCATED) - sumCounter(COUNTER_BYTES_FREED))));
  store<f64>(out + (STAT_PEAK_BYTES << 3), <f64>(loadShared64(ARENA_HEADER + HEADER_PEAK_PAGES) << PAGE_SHIFT));
  store<f64>(out + (STAT_BLOCKS_IN_USE << 3), <f64>(<i64>(allocated - freed)));
  store<f64>(out + (STAT_BLOCKS_CACHED << 3), <f64>cachedBlocks());
  store<f64>(out + (STAT_IMAGES_LIVE << 3),
    <f64>(<i64>(sumCounter(COUNTER_IMAGES_CREATED) - sumCounter(COUNTER_IMAGES_DESTROYED))));
  store<f64>(out + (STAT_ALLOCATED << 3), <f64>allocated);
  store<f64>(out + (STAT_REUSED << 3), <f64>sumCounter(COUNTER_REUSED));
  store<f64>(out + (STAT_FREED << 3), <f64>freed);
  store<f64>(out + (STAT_RECLAIMED << 3), <f64>sumCounter(COUNTER_RECLAIMED));
  store<f64>(out + (STAT_BYTES_HELD << 3), <f64>(loadShared64(ARENA_HEADER + HEADER_PAGES_HELD) << PAGE_SHIFT));
  store<f64>(out + (STAT_BLOCKS_MAX << 3), <f64>loadShared32(ARENA_HEADER + HEADER_BLOCKS_MAX));
  store<f64>(out + (STAT_ATTACHMENTS << 3), <f64>live);
}

export { ERR_ARENA_FULL, KIND_CACHED };
