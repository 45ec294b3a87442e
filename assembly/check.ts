// The heap walker: checks, while no other thread is working, that every page of the heap
// is accounted for exactly once, and that the counters agree with what the walk finds.
// Each rule is one small predicate below; heapCheck runs them in order and reports the
// first violation (VIOLATION_*) with the page or address in WALK_WHERE. Results go to this
// slot's stats area (f64s, WALK_* order). Linear in the heap and the records.

import {
  PAGE_SHIFT, KIND_FREE, KIND_INNER, KIND_BLOCK, KIND_CACHED, KIND_SLAB, KIND_REFS, CLASS_COUNT,
  MAX_ATTACHMENTS, SLOT_STATS, SLOT_STATE, ARENA_HEADER, HEADER_PAGES_HELD, HEADER_BLOCKS_MAX,
  COUNTER_ALLOCATED, COUNTER_FREED, COUNTER_IMAGES_CREATED, COUNTER_IMAGES_DESTROYED,
  SLAB_USED, SLAB_STARTS, SLAB_DATA_MASK, GRANULE_SHIFT, SLAB_FIRST_GRANULE, SMALL_LIVE, SLOT_FREE,
  SLOT_LIVE, SLOT_DETACHED
} from "./alloc/layout";
import { loadShared32, loadShared64 } from "./shared/atomics";
import { loadEntry, entryKind, entryTag, runPages, runLink, pageHinted, pageAddress } from "./alloc/pages";
import { cacheHead, cachedBlocks, creditsOutstanding } from "./alloc/cache";
import { headerState, headerGranules, smallBytes } from "./alloc/slab";
import { frameDepth } from "./alloc/frames";
import { pageCount, slotBase, slotAddress, counterAddress } from "./alloc/state";
import { IMAGE_MAGIC, IMAGE_LIVE, IMAGE_REFERENCES, IMAGE_CHECKED, REF_SIZE, REFS_PER_CHUNK, REF_IMAGE, REF_FREE } from "./image/layout";
import { firstChunk, nextChunk, recordWord, wordState } from "./image/references";

export const WALK_LIVE_BLOCKS: usize = 0;
export const WALK_LIVE_BYTES: usize = 1;
export const WALK_CACHED_BLOCKS: usize = 2;
export const WALK_FREE_PAGES: usize = 3;
export const WALK_SLAB_PAGES: usize = 4;
export const WALK_REF_CHUNKS: usize = 5;
export const WALK_LIVE_REFERENCES: usize = 6;
export const WALK_LIVE_IMAGES: usize = 7;
export const WALK_WHERE: usize = 8;
export const WALK_SMALL_BLOCKS: usize = 9;
export const WALK_PAGES_HELD: usize = 10;

export const VIOLATION_ORPHAN_PAGE: i32 = 1;       // a taken page that no run covers (a claim or give left behind)
export const VIOLATION_HINT: i32 = 2;              // the bitmap hint calls a free page taken (the page is lost to searches)
export const VIOLATION_INNER_KIND: i32 = 3;        // a page inside a run is not INNER, or a run overruns the heap
export const VIOLATION_FREE_PAGE: i32 = 4;         // a free page's entry is not empty
export const VIOLATION_CACHE_STACK: i32 = 5;       // a stack holds a block that is not cached
export const VIOLATION_CACHE_COUNT: i32 = 6;       // cached blocks found ≠ counted, or on two stacks
export const VIOLATION_SLAB: i32 = 7;              // slab granules and block headers disagree
export const VIOLATION_BLOCK_COUNT: i32 = 8;       // blocks in use ≠ allocations − frees
export const VIOLATION_CREDITS: i32 = 9;           // cached + credits ≠ blocksMax
export const VIOLATION_BYTES_HELD: i32 = 10;       // pages held ≠ pages taken
export const VIOLATION_REFERENCE: i32 = 11;        // a live reference names a dead image
export const VIOLATION_IMAGE_COUNT: i32 = 12;      // reference counts or live images disagree
export const VIOLATION_UNFINISHED: i32 = 13;       // a slot has an open frame, or is fenced or being reclaimed

// @ts-ignore: decorator
@inline function report(field: usize, value: f64): void {
  store<f64>(slotBase + SLOT_STATS + (field << 3), value);
}

function violation(code: i32, at: f64): i32 {
  report(WALK_WHERE, at);
  return code;
}

// What the page walk found.
let liveBlocks: u32 = 0;
let liveBytes: f64 = 0;
let smallBlocks: u32 = 0;
let smallBytesFound: f64 = 0;
let cachedFound: u32 = 0;
let freePages: u32 = 0;
let slabPages: u32 = 0;
let chunks: u32 = 0;
let pagesHeld: u64 = 0;

/** A slab: block starts inside taken granules, each with a live header, covering exactly the taken granules. */
function checkSlab(slab: usize): i32 {
  let used = loadShared64(slab + SLAB_USED);
  let starts = loadShared64(slab + SLAB_STARTS);
  if (used == 0xFFFFFFFFFFFFFFFF) return violation(VIOLATION_SLAB, <f64>slab);
  let taken = used & SLAB_DATA_MASK;
  if ((starts & ~taken) != 0) return violation(VIOLATION_SLAB, <f64>slab);
  let covered: u64 = 0;
  let rest = starts;
  while (rest != 0) {
    let first = <u32>ctz(rest);
    rest &= rest - 1;
    if (first < SLAB_FIRST_GRANULE) return violation(VIOLATION_SLAB, <f64>slab);
    let header = loadShared64(slab + (<usize>first << GRANULE_SHIFT));
    if (headerState(header) != SMALL_LIVE) return violation(VIOLATION_SLAB, <f64>slab);
    let granules = headerGranules(header);
    if (first + granules > 64) return violation(VIOLATION_SLAB, <f64>slab);
    let mask = (granules == 64 ? <u64>-1 : ((<u64>1 << granules) - 1)) << first;
    if ((covered & mask) != 0) return violation(VIOLATION_SLAB, <f64>slab);
    covered |= mask;
    smallBlocks++;
    smallBytesFound += <f64>smallBytes(granules);
  }
  if (covered != taken) return violation(VIOLATION_SLAB, <f64>slab);
  return 0;
}

/** One run starting at `page`: inner pages INNER with one tag; its kind counted. (Its hint may lag: pages.ts.) */
function checkRun(page: u32, kind: u32): i32 {
  let pages = runPages(page);
  if (pages == 0 || page + pages > pageCount) return violation(VIOLATION_INNER_KIND, <f64>page);
  let innerTag = pages > 1 ? entryTag(loadEntry(page + 1)) : 0;
  for (let inner: u32 = 1; inner < pages; inner++) {
    let entry = loadEntry(page + inner);
    if (entryKind(entry) != KIND_INNER || entryTag(entry) != innerTag) return violation(VIOLATION_INNER_KIND, <f64>(page + inner));
  }
  if (kind == KIND_BLOCK) { liveBlocks++; liveBytes += <f64>(<u64>pages << PAGE_SHIFT); }
  else if (kind == KIND_CACHED) cachedFound++;
  else if (kind == KIND_SLAB) {
    if (pages != 1) return violation(VIOLATION_SLAB, <f64>page);
    let status = checkSlab(pageAddress(page));
    if (status != 0) return status;
    slabPages++;
  } else chunks++;
  pagesHeld += pages;
  return 0;
}

/** Every page is free (empty entry, hint clear) or in exactly one run. */
function checkPages(): i32 {
  let page: u32 = 0;
  while (page < pageCount) {
    let entry = loadEntry(page);
    let kind = entryKind(entry);
    if (kind == KIND_FREE) {
      if (entry != 0) return violation(VIOLATION_FREE_PAGE, <f64>page);
      if (pageHinted(page)) return violation(VIOLATION_HINT, <f64>page);
      freePages++;
      page++;
      continue;
    }
    if (kind != KIND_BLOCK && kind != KIND_CACHED && kind != KIND_SLAB && kind != KIND_REFS) {
      return violation(VIOLATION_ORPHAN_PAGE, <f64>page);
    }
    let status = checkRun(page, kind);
    if (status != 0) return status;
    page += runPages(page);
  }
  return 0;
}

/**
 * Are all of slot `i`'s cache stacks empty? Its heads lie side by side: OR-ed together 16
 * bytes at a time, the node halves (the low word of each head) are zero for empty stacks.
 * Most slots of an arena are never used: this keeps the walk linear in the heap.
 */
function stacksEmpty(i: u32): bool {
  let head = cacheHead(i, 0);
  let any = i64x2.splat(0);
  for (let c: u32 = 0; c < CLASS_COUNT; c += 2) any = v128.or(any, v128.load(head + (<usize>c << 3)));
  return !v128.any_true(v128.and(any, i64x2.splat(0xFFFFFFFF)));
}

/** Every node on a cache stack is a cached block, each once, as many as counted; credits balance. */
function checkCache(): i32 {
  let onStacks: u32 = 0;
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    if (stacksEmpty(i)) continue;
    for (let c: u32 = 0; c < CLASS_COUNT; c++) {
      let node = <u32>loadShared64(cacheHead(i, c));
      while (node != 0) {
        if (node > pageCount || entryKind(loadEntry(node - 1)) != KIND_CACHED) {
          return violation(VIOLATION_CACHE_STACK, <f64>(node - 1));
        }
        onStacks++;
        if (onStacks > cachedFound) return violation(VIOLATION_CACHE_COUNT, <f64>(node - 1));
        node = runLink(node - 1);
      }
    }
  }
  if (onStacks != cachedFound || <i64>cachedFound != cachedBlocks()) return violation(VIOLATION_CACHE_COUNT, <f64>cachedFound);
  let blocksMax = <i64>loadShared32(ARENA_HEADER + HEADER_BLOCKS_MAX);
  if (<i64>cachedFound + creditsOutstanding() != blocksMax) return violation(VIOLATION_CREDITS, <f64>cachedFound);
  return 0;
}

// @ts-ignore: decorator
@inline function sumCounters(counter: usize): u64 {
  let total: u64 = 0;
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) total += load<u64>(counterAddress(slotAddress(i), counter));
  return total;
}

/** Pages held and blocks in use equal what the walk found. */
function checkCounters(): i32 {
  if (loadShared64(ARENA_HEADER + HEADER_PAGES_HELD) != pagesHeld) return violation(VIOLATION_BYTES_HELD, <f64>pagesHeld);
  let inUse = sumCounters(COUNTER_ALLOCATED) - sumCounters(COUNTER_FREED);
  if (inUse != <u64>(liveBlocks + smallBlocks)) return violation(VIOLATION_BLOCK_COUNT, <f64>(<i64>inUse));
  return 0;
}

/** No slot is in the middle of anything: no open frame, none fenced or being reclaimed. */
function checkSlots(): i32 {
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    let slot = slotAddress(i);
    let state = <u32>loadShared64(slot + SLOT_STATE) & 0xFF;
    if (state != SLOT_FREE && state != SLOT_LIVE && state != SLOT_DETACHED) return violation(VIOLATION_UNFINISHED, <f64>i);
    if (frameDepth(slot) != 0) return violation(VIOLATION_UNFINISHED, <f64>i);
  }
  return 0;
}

/**
 * Live references name live images, and each image's count equals its live references:
 * counted in the images' own `checked` word in two passes over the records (linear).
 */
function checkReferences(): i32 {
  let references: u32 = 0;
  for (let chunk = firstChunk(); chunk != 0; chunk = nextChunk(chunk)) {
    for (let i: u32 = 1; i < REFS_PER_CHUNK; i++) {
      let record = chunk + <usize>i * REF_SIZE;
      if (wordState(recordWord(record)) == REF_FREE) continue;
      let image = <usize>load<u32>(record + REF_IMAGE);
      if (image < pageAddress(0) || load<u32>(image + IMAGE_MAGIC) != IMAGE_LIVE) {
        return violation(VIOLATION_REFERENCE, <f64>record);
      }
      store<u32>(image + IMAGE_CHECKED, 0);
      references++;
    }
  }
  report(WALK_LIVE_REFERENCES, <f64>references);
  for (let chunk = firstChunk(); chunk != 0; chunk = nextChunk(chunk)) {
    for (let i: u32 = 1; i < REFS_PER_CHUNK; i++) {
      let record = chunk + <usize>i * REF_SIZE;
      if (wordState(recordWord(record)) == REF_FREE) continue;
      let image = <usize>load<u32>(record + REF_IMAGE);
      store<u32>(image + IMAGE_CHECKED, load<u32>(image + IMAGE_CHECKED) + 1);
    }
  }
  let images: u32 = 0;
  for (let chunk = firstChunk(); chunk != 0; chunk = nextChunk(chunk)) {
    for (let i: u32 = 1; i < REFS_PER_CHUNK; i++) {
      let record = chunk + <usize>i * REF_SIZE;
      if (wordState(recordWord(record)) == REF_FREE) continue;
      let image = <usize>load<u32>(record + REF_IMAGE);
      let seen = load<u32>(image + IMAGE_CHECKED);
      if (seen == 0xFFFFFFFF) continue; // counted already
      if (seen != loadShared32(image + IMAGE_REFERENCES)) return violation(VIOLATION_IMAGE_COUNT, <f64>image);
      store<u32>(image + IMAGE_CHECKED, 0xFFFFFFFF);
      images++;
    }
  }
  report(WALK_LIVE_IMAGES, <f64>images);
  if (<u64>images != sumCounters(COUNTER_IMAGES_CREATED) - sumCounters(COUNTER_IMAGES_DESTROYED)) {
    return violation(VIOLATION_IMAGE_COUNT, <f64>images);
  }
  return 0;
}

/** Checks the whole arena; the caller makes sure no other thread works meanwhile. */
export function heapCheck(): i32 {
  liveBlocks = 0; liveBytes = 0; smallBlocks = 0; smallBytesFound = 0; cachedFound = 0;
  freePages = 0; slabPages = 0; chunks = 0; pagesHeld = 0;
  let status = checkSlots();
  if (status == 0) status = checkPages();
  report(WALK_LIVE_BLOCKS, <f64>(liveBlocks + smallBlocks));
  report(WALK_LIVE_BYTES, liveBytes + smallBytesFound);
  report(WALK_CACHED_BLOCKS, <f64>cachedFound);
  report(WALK_FREE_PAGES, <f64>freePages);
  report(WALK_SLAB_PAGES, <f64>slabPages);
  report(WALK_REF_CHUNKS, <f64>chunks);
  report(WALK_SMALL_BLOCKS, <f64>smallBlocks);
  report(WALK_PAGES_HELD, <f64>pagesHeld);
  if (status == 0) status = checkCache();
  if (status == 0) status = checkCounters();
  if (status == 0) status = checkReferences();
  return status;
}
