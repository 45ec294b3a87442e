// The allocator's entry points: creating the arena, attaching threads, allocating and
// freeing blocks, and the statistics.
//
// Fast paths: a small block is a CAS in this thread's active slab; a page block is a pop
// from this thread's cache stack for its size class. Slow path: the page heap. Before a
// request fails with ARENA_FULL, every cache is flushed, empty slabs are retired, and the
// heap is searched once more.

import {
  ARENA_HEADER, ARENA_MAGIC, LAYOUT_VERSION, HEADER_MAGIC, HEADER_STATE, HEADER_LAYOUT, HEADER_FLAGS,
  HEADER_MAX_WASM_PAGES, HEADER_BLOCK_SIZE, HEADER_ALIGNMENT, HEADER_PAGE_COUNT, HEADER_HEAP_START,
  HEADER_BITMAP, HEADER_BITMAP_WORDS, HEADER_PAGE_MAP, HEADER_BLOCKS_MAX, HEADER_CACHE_CREDITS,
  HEADER_LIVE_SLOTS, HEADER_BYTES_HELD, HEADER_PEAK_BYTES_HELD,
  STATE_EMPTY, STATE_INITIALISING, STATE_READY, FLAG_SHARED, FLAG_DEBUG,
  PAGE_SIZE, PAGE_SHIFT, WASM_PAGE, MEMORY_BASE, FIXED_END, MAX_ATTACHMENTS,
  SLOT_STATE, SLOT_GENERATION, SLOT_FREE, SLOT_LIVE, SLOT_STATS, SLOT_COUNTERS, SLOT_ACTIVE_SLABS, SMALL_BINS,
  SLOT_SCRATCH, SCRATCH_ENTRIES, SLOT_RESULTS,
  KIND_BLOCK, KIND_CACHED, KIND_FREE, SMALL_MAX_BYTES,
  RESULT_SIZE, RESULT_TAG, OK, ERR_ARENA_FULL, ERR_DOUBLE_FREE, ERR_NOT_A_BLOCK, ERR_NOT_READY,
  ERR_NO_SLOT, ERR_LIMIT,
  COUNTER_ALLOCATED, COUNTER_REUSED, COUNTER_FREED, COUNTER_RECLAIMED, COUNTER_BYTES_ALLOCATED,
  COUNTER_BYTES_FREED, COUNTER_IMAGES_CREATED, COUNTER_IMAGES_DESTROYED,
  STAT_BYTES_COMMITTED, STAT_BYTES_IN_USE, STAT_PEAK_BYTES, STAT_BLOCKS_IN_USE, STAT_BLOCKS_CACHED,
  STAT_IMAGES_LIVE, STAT_ALLOCATED, STAT_REUSED, STAT_FREED, STAT_RECLAIMED, STAT_BYTES_HELD,
  STAT_BLOCKS_MAX, STAT_ATTACHMENTS
} from "./layout";
import {
  loadShared32, loadShared64, casShared32, casShared64, publish32, publish64, fetchAdd32,
  fetchSetBits64, fetchClearBits64
} from "../shared/atomics";
import {
  takePages, givePages, loadEntry, entryKind, entryPages, entryTag, makeEntry, entryAddress,
  pageOf, pageAddress, inHeap, sealBitmapTail
} from "./pages";
import { classOf } from "./classes";
import { cachePush, cachePop, flushCaches, flushSlot, cachedBlocks, setBlocksMax } from "./cache";
import { allocSmall, freeSmall, smallBlockLive, abandonSlab, retireEmptySlabs, smallTag, smallSize } from "./slab";
import {
  DEBUG, loadGeometry, bindSlot, unbindSlot, slotAddress, slotBase, slotIndex, setResult, fail, count,
  pageCount, heapStart, attachmentIdHere
} from "./state";

// ── creation ──────────────────────────────────────────────────────────────────────

/**
 * Lays out a new arena in this memory (the creating thread, once). Returns OK, or
 * ERR_LIMIT when the maximum leaves no room for a heap, or ERR_NOT_READY when another
 * thread already initialised this memory.
 */
export function arenaInit(maxWasmPages: u32, blockBytes: u32, blocksMax: u32, alignment: u32): i32 {
  if (casShared32(ARENA_HEADER + HEADER_STATE, STATE_EMPTY, STATE_INITIALISING) != STATE_EMPTY) {
    return ERR_NOT_READY;
  }
  if (DEBUG) assert(__heap_base >= MEMORY_BASE && MEMORY_BASE >= FIXED_END, "static data overlaps the fixed region");
  let total = <u64>maxWasmPages * <u64>WASM_PAGE;
  let base = (<u64>__heap_base + 63) & ~<u64>63;
  // Each page costs PAGE_SIZE bytes, an 8-byte map entry and one bitmap bit.
  let pages = (total - base) * 8 / (<u64>PAGE_SIZE * 8 + 65);
  let words: u64 = 0, heap: u64 = 0;
  while (pages > 0) {
    words = (pages + 63) >> 6;
    heap = (base + words * 8 + pages * 8 + <u64>PAGE_SIZE - 1) & ~(<u64>PAGE_SIZE - 1);
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
  let h = ARENA_HEADER;
  store<u32>(h + HEADER_MAGIC, ARENA_MAGIC);
  store<u32>(h + HEADER_LAYOUT, LAYOUT_VERSION);
  store<u32>(h + HEADER_FLAGS, (ASC_FEATURE_THREADS ? FLAG_SHARED : 0) | (DEBUG ? FLAG_DEBUG : 0));
  store<u32>(h + HEADER_MAX_WASM_PAGES, maxWasmPages);
  store<u32>(h + HEADER_BLOCK_SIZE, blockBytes);
  store<u32>(h + HEADER_ALIGNMENT, alignment);
  store<u32>(h + HEADER_PAGE_COUNT, <u32>pages);
  store<u32>(h + HEADER_HEAP_START, <u32>heap);
  store<u32>(h + HEADER_BITMAP, <u32>bitmap);
  store<u32>(h + HEADER_BITMAP_WORDS, <u32>words);
  store<u32>(h + HEADER_PAGE_MAP, <u32>pageMap);
  store<u32>(h + HEADER_BLOCKS_MAX, blocksMax);
  store<u64>(h + HEADER_CACHE_CREDITS, <u64>blocksMax);
  loadGeometry();
  sealBitmapTail();
  publish32(h + HEADER_STATE, STATE_READY);
  return OK;
}

// ── attachments ───────────────────────────────────────────────────────────────────

// @ts-ignore: decorator
@inline function liveWord(index: u32): usize {
  return ARENA_HEADER + HEADER_LIVE_SLOTS + (<usize>(index >> 6) << 3);
}

/**
 * Attaches this instance to the arena: claims a free slot. Returns the attachment id
 * (generation << 8 | slot), or a negative error code.
 */
export function attach(): i32 {
  let h = ARENA_HEADER;
  if (loadShared32(h + HEADER_STATE) != STATE_READY || load<u32>(h + HEADER_MAGIC) != ARENA_MAGIC
    || load<u32>(h + HEADER_LAYOUT) != LAYOUT_VERSION) return -ERR_NOT_READY;
  loadGeometry();
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    let slot = slotAddress(i);
    if (casShared32(slot + SLOT_STATE, SLOT_FREE, SLOT_LIVE) == SLOT_FREE) {
      fetchAdd32(slot + SLOT_GENERATION, 1);
      bindSlot(i);
      fetchSetBits64(liveWord(i), <u64>1 << (i & 63));
      return <i32>attachmentIdHere();
    }
  }
  return -ERR_NO_SLOT;
}

/** Is `id` a live attachment now? */
export function attachmentLive(id: u32): bool {
  let index = id & 0xFF;
  if (index >= MAX_ATTACHMENTS) return false;
  let slot = slotAddress(index);
  return loadShared32(slot + SLOT_STATE) == SLOT_LIVE
    && (loadShared32(slot + SLOT_GENERATION) & 0xFFFF) == (id >> 8);
}

/** Returns what a slot still holds in the allocator (scratch, slabs, caches) and frees it. */
export function releaseSlot(index: u32): void {
  let slot = slotAddress(index);
  for (let e: u32 = 0; e < SCRATCH_ENTRIES; e++) {
    let entry = slot + SLOT_SCRATCH + (<usize>e << 3);
    let address = <usize>load<u32>(entry);
    if (address == 0) continue;
    store<u32>(entry, 0);
    release(address, load<u32>(entry + 4));
  }
  for (let bin: u32 = 0; bin < SMALL_BINS; bin++) {
    let at = slot + SLOT_ACTIVE_SLABS + (<usize>bin << 2);
    let slab = <usize>load<u32>(at);
    if (slab != 0) {
      publish32(at, 0);
      abandonSlab(slab);
    }
  }
  fetchClearBits64(liveWord(index), <u64>1 << (index & 63));
  flushSlot(index);
  publish32(slot + SLOT_STATE, SLOT_FREE);
}

/** Detaches this instance (its thread is done with the arena). */
export function detach(): void {
  if (slotBase == 0) return;
  releaseSlot(slotIndex);
  unbindSlot();
}

// ── blocks ────────────────────────────────────────────────────────────────────────

/** The memory's maximum in bytes. */
export function memoryMaximum(): usize {
  return <usize>load<u32>(ARENA_HEADER + HEADER_MAX_WASM_PAGES) * WASM_PAGE;
}

/**
 * The size of the block at `address` if it is live with `tag`, else 0. A snapshot: the
 * block may be freed by its owner right after.
 */
export function blockLive(address: usize, tag: u32): usize {
  if (!inHeap(address)) return 0;
  if (((address - heapStart) & (PAGE_SIZE - 1)) != 0) return smallBlockLive(address, tag);
  let entry = loadEntry(pageOf(address));
  if (entryKind(entry) != KIND_BLOCK || entryTag(entry) != tag) return 0;
  return <usize>entryPages(entry) << PAGE_SHIFT;
}

/** Largest request in bytes. */
function maxRequest(): usize {
  return <usize>pageCount << PAGE_SHIFT;
}

/** Makes room by flushing every cache and retiring empty slabs. */
function flushForSpace(): void {
  flushCaches(0);
  retireEmptySlabs();
}

/** Takes `pages` pages, making room once if needed; -1 when even then they do not fit. */
function takePagesHard(pages: u32): i32 {
  let page = takePages(pages);
  if (page < 0) {
    flushForSpace();
    page = takePages(pages);
  }
  return page;
}

/** Tags a run of pages as a block in use; returns its tag. */
function markBlock(page: u32, pages: u32): u32 {
  let tag = entryTag(loadEntry(page)) + 1;
  publish64(entryAddress(page), makeEntry(KIND_BLOCK, pages, tag));
  return tag;
}

/**
 * Allocates `bytes` bytes (any thread). Returns the block's address, or 0 with the error
 * in the result words; on success RESULT_SIZE and RESULT_TAG hold the block's size and tag.
 */
export function allocate(bytes: usize): usize {
  if (bytes == 0) { fail(ERR_LIMIT); return 0; }
  if (bytes > maxRequest()) { fail(ERR_ARENA_FULL); return 0; }
  let address: usize, size: usize, tag: u32;
  if (bytes <= SMALL_MAX_BYTES) {
    address = allocSmall(bytes);
    if (address == 0) {
      flushForSpace();
      address = allocSmall(bytes);
      if (address == 0) { fail(ERR_ARENA_FULL); return 0; }
    }
    size = smallSize;
    tag = smallTag;
  } else {
    let pages = <u32>((bytes + PAGE_SIZE - 1) >> PAGE_SHIFT);
    let page = cachePop(classOf(pages), pages);
    if (page >= 0) {
      let entry = loadEntry(<u32>page);
      if (DEBUG) assert(entryKind(entry) == KIND_CACHED && entryPages(entry) >= pages, "cache held a bad block");
      let blockPages = entryPages(entry);
      tag = entryTag(entry) + 1;
      publish64(entryAddress(<u32>page), makeEntry(KIND_BLOCK, blockPages, tag));
      size = <usize>blockPages << PAGE_SHIFT;
      count(COUNTER_REUSED, 1);
    } else {
      page = takePagesHard(pages);
      if (page < 0) { fail(ERR_ARENA_FULL); return 0; }
      tag = markBlock(<u32>page, pages);
      size = <usize>pages << PAGE_SHIFT;
    }
    address = pageAddress(<u32>page);
  }
  count(COUNTER_ALLOCATED, 1);
  count(COUNTER_BYTES_ALLOCATED, <u64>size);
  setResult(RESULT_SIZE, <u32>size);
  setResult(RESULT_TAG, tag);
  return address;
}

/** Frees a block (any thread, whoever allocated it). Returns OK or an error code. */
export function release(address: usize, tag: u32): i32 {
  if (!inHeap(address)) return fail(ERR_NOT_A_BLOCK);
  let size: usize;
  if (((address - heapStart) & (PAGE_SIZE - 1)) != 0) {
    let status = freeSmall(address, tag);
    if (status != OK) return status;
    size = smallSize;
  } else {
    let page = pageOf(address);
    let at = entryAddress(page);
    let entry = loadShared64(at);
    // Anything but this very hand-out at a page start is a block freed before (its pages
    // may now be cached, free, inside another block, or a slab).
    if (entryKind(entry) != KIND_BLOCK || entryTag(entry) != tag) return fail(ERR_DOUBLE_FREE);
    let pages = entryPages(entry);
    let cached = makeEntry(KIND_CACHED, pages, tag);
    if (casShared64(at, entry, cached) != entry) return fail(ERR_DOUBLE_FREE);
    // From here this thread alone owns the block.
    if (!cachePush(page, classOf(pages))) givePages(page, pages, tag);
    size = <usize>pages << PAGE_SHIFT;
  }
  count(COUNTER_FREED, 1);
  count(COUNTER_BYTES_FREED, <u64>size);
  return OK;
}

// ── scratch: the core's own temporaries, recorded so that reclaim frees them ──────

/**
 * Allocates a temporary block for this thread's own use (pixel staging, coefficient
 * tables). It is recorded in the slot until scratchRelease, so that if the thread dies
 * holding it, reclaim frees it. Returns 0 with the error set when it cannot.
 */
export function scratchAllocate(bytes: usize): usize {
  let table = slotBase + SLOT_SCRATCH;
  let free: usize = 0;
  for (let e: u32 = 0; e < SCRATCH_ENTRIES && free == 0; e++) {
    let entry = table + (<usize>e << 3);
    if (load<u32>(entry) == 0) free = entry;
  }
  if (free == 0) { fail(ERR_LIMIT); return 0; }
  let address = allocate(bytes);
  if (address == 0) return 0;
  // No loop or call between the allocation and its record: a thread stopped by its host
  // is stopped either before the block exists or after it is recorded.
  store<u32>(free + 4, load<u32>(slotBase + SLOT_RESULTS + (RESULT_TAG << 2)));
  store<u32>(free, <u32>address);
  return address;
}

/** Frees a temporary block from scratchAllocate. */
export function scratchRelease(address: usize): void {
  let table = slotBase + SLOT_SCRATCH;
  for (let e: u32 = 0; e < SCRATCH_ENTRIES; e++) {
    let entry = table + (<usize>e << 3);
    if (<usize>load<u32>(entry) != address) continue;
    let status = release(address, load<u32>(entry + 4));
    if (DEBUG) assert(status == OK, "scratch block was not live");
    store<u32>(entry, 0);
    return;
  }
  if (DEBUG) assert(false, "scratch block not recorded");
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
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    total += load<u64>(slotAddress(i) + SLOT_COUNTERS + (counter << 3));
  }
  return total;
}

/** Fills this slot's stats area (f64s, order of STAT_*) for JS to read. */
export function statsCollect(): void {
  let out = slotBase + SLOT_STATS;
  let allocated = sumCounter(COUNTER_ALLOCATED);
  let freed = sumCounter(COUNTER_FREED);
  let live: u32 = 0;
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    if (loadShared32(slotAddress(i) + SLOT_STATE) == SLOT_LIVE) live++;
  }
  store<f64>(out + (STAT_BYTES_COMMITTED << 3), <f64>memory.size() * <f64>WASM_PAGE);
  store<f64>(out + (STAT_BYTES_IN_USE << 3),
    <f64>(<i64>(sumCounter(COUNTER_BYTES_ALLOCATED) - sumCounter(COUNTER_BYTES_FREED))));
  store<f64>(out + (STAT_PEAK_BYTES << 3), <f64>loadShared64(ARENA_HEADER + HEADER_PEAK_BYTES_HELD));
  store<f64>(out + (STAT_BLOCKS_IN_USE << 3), <f64>(<i64>(allocated - freed)));
  store<f64>(out + (STAT_BLOCKS_CACHED << 3), <f64>cachedBlocks());
  store<f64>(out + (STAT_IMAGES_LIVE << 3),
    <f64>(<i64>(sumCounter(COUNTER_IMAGES_CREATED) - sumCounter(COUNTER_IMAGES_DESTROYED))));
  store<f64>(out + (STAT_ALLOCATED << 3), <f64>allocated);
  store<f64>(out + (STAT_REUSED << 3), <f64>sumCounter(COUNTER_REUSED));
  store<f64>(out + (STAT_FREED << 3), <f64>freed);
  store<f64>(out + (STAT_RECLAIMED << 3), <f64>sumCounter(COUNTER_RECLAIMED));
  store<f64>(out + (STAT_BYTES_HELD << 3), <f64>loadShared64(ARENA_HEADER + HEADER_BYTES_HELD));
  store<f64>(out + (STAT_BLOCKS_MAX << 3), <f64>loadShared32(ARENA_HEADER + HEADER_BLOCKS_MAX));
  store<f64>(out + (STAT_ATTACHMENTS << 3), <f64>live);
}
