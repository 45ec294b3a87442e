// The heap walker: checks, while no other thread is working, that every page of the heap
// is accounted for exactly once, and that the counters agree with what the walk finds.
//
//   - a page is free (bit clear, map says free) or belongs to exactly one block, slab or
//     reference chunk (bit set; only the first page carries a kind);
//   - a cached block is on exactly one cache stack, and every block on a stack is cached;
//   - a slab's block starts lie inside its taken granules, each start has a live header,
//     and the blocks' granules are exactly the taken granules;
//   - blocks in use = allocations − frees; cached = pushes − pops;
//     cached + credits = blocksMax; bytes held = pages taken;
//   - every live reference names a live image, each image's count equals its references,
//     and live images = images created − destroyed.
//
// Results go to this slot's stats area (f64s, WALK_* order); the return value is 0 or the
// first violation found (VIOLATION_*), with the page or address in WALK_WHERE.

import {
  PAGE_SIZE, PAGE_SHIFT, KIND_FREE, KIND_BLOCK, KIND_CACHED, KIND_SLAB, KIND_REFS, CLASS_COUNT,
  MAX_ATTACHMENTS, SLOT_STATS, SLOT_COUNTERS, ARENA_HEADER, HEADER_BYTES_HELD, HEADER_BLOCKS_MAX,
  COUNTER_ALLOCATED, COUNTER_FREED, COUNTER_IMAGES_CREATED, COUNTER_IMAGES_DESTROYED,
  SLAB_USED, SLAB_STARTS, SLAB_RETIRED, SLAB_DATA_MASK, SMALL_LIVE, GRANULE_SHIFT, SLAB_FIRST_GRANULE
} from "./layout";
import { loadShared32, loadShared64 } from "../shared/atomics";
import { loadEntry, entryKind, entryPages, pageTaken, pageAddress, pageOf, inHeap } from "./pages";
import { cacheHead, CACHE_LINK_OFFSET, cachedBlocks, creditsOutstanding } from "./cache";
import { pageCount, slotBase, slotAddress } from "./state";
import { IMAGE_MAGIC, IMAGE_LIVE, IMAGE_REFERENCES, REF_SIZE, REFS_PER_CHUNK, REF_IMAGE, REF_FREE } from "../image/layout";
import { firstChunk, nextChunk, recordWord, wordState } from "../image/references";

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

export const VIOLATION_ORPHAN_PAGE: i32 = 1;       // taken, but no block covers it
export const VIOLATION_UNTAKEN_BLOCK: i32 = 2;     // a block's page is not taken
export const VIOLATION_INNER_KIND: i32 = 3;        // a page inside a block carries a kind
export const VIOLATION_FREE_HEAD: i32 = 4;         // a free page carries a kind
export const VIOLATION_CACHE_STACK: i32 = 5;       // a stack holds a block that is not cached
export const VIOLATION_CACHE_COUNT: i32 = 6;       // cached blocks found ≠ counted, or on two stacks
export const VIOLATION_SLAB: i32 = 7;              // slab granules and block headers disagree
export const VIOLATION_BLOCK_COUNT: i32 = 8;       // blocks in use ≠ allocations − frees
export const VIOLATION_CREDITS: i32 = 9;           // cached + credits ≠ blocksMax
export const VIOLATION_BYTES_HELD: i32 = 10;       // bytes held ≠ pages taken
export const VIOLATION_REFERENCE: i32 = 11;        // a live reference names a dead image
export const VIOLATION_IMAGE_COUNT: i32 = 12;      // reference counts or live images disagree

const MAX_PAIRWISE_REFERENCES: u32 = 8192;

// @ts-ignore: decorator
@inline function report(field: usize, value: f64): void {
  store<f64>(slotBase + SLOT_STATS + (field << 3), value);
}

function violation(code: i32, at: f64): i32 {
  report(WALK_WHERE, at);
  return code;
}

/** Walks one slab; returns 0 or a violation. Counts its live small blocks. */
function checkSlab(slab: usize): i32 {
  let used = loadShared64(slab + SLAB_USED);
  let starts = loadShared64(slab + SLAB_STARTS);
  if (used == SLAB_RETIRED) return violation(VIOLATION_SLAB, <f64>slab);
  let taken = used & SLAB_DATA_MASK;
  if ((starts & ~taken) != 0) return violation(VIOLATION_SLAB, <f64>slab);
  let covered: u64 = 0;
  let rest = starts;
  while (rest != 0) {
    let first = <u32>ctz(rest);
    rest &= rest - 1;
    if (first < SLAB_FIRST_GRANULE) return violation(VIOLATION_SLAB, <f64>slab);
    let header = loadShared64(slab + (<usize>first << GRANULE_SHIFT));
    if ((header >> 48) != SMALL_LIVE) return violation(VIOLATION_SLAB, <f64>slab);
    let granules = <u32>(header >> 32) & 0xFFFF;
    if (granules == 0 || first + granules > 64) return violation(VIOLATION_SLAB, <f64>slab);
    let mask = (granules == 64 ? <u64>-1 : ((<u64>1 << granules) - 1)) << first;
    if ((covered & mask) != 0) return violation(VIOLATION_SLAB, <f64>slab);
    covered |= mask;
    smallBlocks++;
    smallBytes += <f64>((<usize>granules << GRANULE_SHIFT) - 8);
  }
  if (covered != taken) return violation(VIOLATION_SLAB, <f64>slab);
  return 0;
}

let smallBlocks: u32 = 0;
let smallBytes: f64 = 0;

/** Checks the whole arena; the caller makes sure no other thread works meanwhile. */
export function heapCheck(): i32 {
  smallBlocks = 0;
  smallBytes = 0;
  let liveBlocks: u32 = 0, cached: u32 = 0, freePages: u32 = 0, slabs: u32 = 0, chunks: u32 = 0;
  let liveBytes: f64 = 0;
  let pagesHeld: u64 = 0;
  let page: u32 = 0;
  while (page < pageCount) {
    let entry = loadEntry(page);
    let kind = entryKind(entry);
    if (!pageTaken(page)) {
      if (kind != KIND_FREE) return violation(VIOLATION_FREE_HEAD, <f64>page);
      freePages++;
      page++;
      continue;
    }
    if (kind == KIND_FREE) return violation(VIOLATION_ORPHAN_PAGE, <f64>page);
    let pages = entryPages(entry);
    if (pages == 0 || page + pages > pageCount) return violation(VIOLATION_INNER_KIND, <f64>page);
    for (let inner: u32 = 1; inner < pages; inner++) {
      if (!pageTaken(page + inner)) return violation(VIOLATION_UNTAKEN_BLOCK, <f64>(page + inner));
      if (entryKind(loadEntry(page + inner)) != KIND_FREE) return violation(VIOLATION_INNER_KIND, <f64>(page + inner));
    }
    if (kind == KIND_BLOCK) { liveBlocks++; liveBytes += <f64>(<usize>pages << PAGE_SHIFT); }
    else if (kind == KIND_CACHED) cached++;
    else if (kind == KIND_SLAB) {
      if (pages != 1) return violation(VIOLATION_SLAB, <f64>page);
      let status = checkSlab(pageAddress(page));
      if (status != 0) return status;
      slabs++;
    } else if (kind == KIND_REFS) chunks++;
    else return violation(VIOLATION_INNER_KIND, <f64>page);
    pagesHeld += pages;
    page += pages;
  }
  report(WALK_LIVE_BLOCKS, <f64>(liveBlocks + smallBlocks));
  report(WALK_LIVE_BYTES, liveBytes + smallBytes);
  report(WALK_CACHED_BLOCKS, <f64>cached);
  report(WALK_FREE_PAGES, <f64>freePages);
  report(WALK_SLAB_PAGES, <f64>slabs);
  report(WALK_REF_CHUNKS, <f64>chunks);
  report(WALK_SMALL_BLOCKS, <f64>smallBlocks);
  report(WALK_PAGES_HELD, <f64>pagesHeld);

  // Cache stacks: every node cached, and as many nodes as cached blocks.
  let onStacks: u32 = 0;
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    for (let c: u32 = 0; c < CLASS_COUNT; c++) {
      let node = <usize><u32>loadShared64(cacheHead(i, c));
      while (node != 0) {
        if (!inHeap(node) || ((node - pageAddress(0)) & (PAGE_SIZE - 1)) != 0
          || entryKind(loadEntry(pageOf(node))) != KIND_CACHED) {
          return violation(VIOLATION_CACHE_STACK, <f64>node);
        }
        onStacks++;
        if (onStacks > cached) return violation(VIOLATION_CACHE_COUNT, <f64>node);
        node = <usize>loadShared32(node + CACHE_LINK_OFFSET);
      }
    }
  }
  if (onStacks != cached || <i64>cached != cachedBlocks()) return violation(VIOLATION_CACHE_COUNT, <f64>cached);
  let blocksMax = <i64>loadShared32(ARENA_HEADER + HEADER_BLOCKS_MAX);
  if (<i64>cached + creditsOutstanding() != blocksMax) return violation(VIOLATION_CREDITS, <f64>cached);
  if (loadShared64(ARENA_HEADER + HEADER_BYTES_HELD) != pagesHeld << PAGE_SHIFT) {
    return violation(VIOLATION_BYTES_HELD, <f64>pagesHeld);
  }
  let allocated: u64 = 0, freed: u64 = 0, created: u64 = 0, destroyed: u64 = 0;
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    let counters = slotAddress(i) + SLOT_COUNTERS;
    allocated += load<u64>(counters + (COUNTER_ALLOCATED << 3));
    freed += load<u64>(counters + (COUNTER_FREED << 3));
    created += load<u64>(counters + (COUNTER_IMAGES_CREATED << 3));
    destroyed += load<u64>(counters + (COUNTER_IMAGES_DESTROYED << 3));
  }
  if (allocated - freed != <u64>(liveBlocks + smallBlocks)) {
    return violation(VIOLATION_BLOCK_COUNT, <f64>(<i64>(allocated - freed)));
  }

  // References: live ones name live images; counts agree (pairwise, when few enough).
  let references: u32 = 0;
  for (let chunk = firstChunk(); chunk != 0; chunk = nextChunk(chunk)) {
    for (let i: u32 = 1; i < REFS_PER_CHUNK; i++) {
      let record = chunk + <usize>i * REF_SIZE;
      if (wordState(recordWord(record)) == REF_FREE) continue;
      references++;
      let image = <usize>load<u32>(record + REF_IMAGE);
      if (!inHeap(image) || load<u32>(image + IMAGE_MAGIC) != IMAGE_LIVE) {
        return violation(VIOLATION_REFERENCE, <f64>record);
      }
    }
  }
  report(WALK_LIVE_REFERENCES, <f64>references);
  let images: u32 = 0;
  if (references <= MAX_PAIRWISE_REFERENCES) {
    for (let chunk = firstChunk(); chunk != 0; chunk = nextChunk(chunk)) {
      for (let i: u32 = 1; i < REFS_PER_CHUNK; i++) {
        let record = chunk + <usize>i * REF_SIZE;
        if (wordState(recordWord(record)) == REF_FREE) continue;
        let image = load<u32>(record + REF_IMAGE);
        let same: u32 = 0;
        let first = true;
        for (let other = firstChunk(); other != 0; other = nextChunk(other)) {
          for (let j: u32 = 1; j < REFS_PER_CHUNK; j++) {
            let candidate = other + <usize>j * REF_SIZE;
            if (wordState(recordWord(candidate)) == REF_FREE || load<u32>(candidate + REF_IMAGE) != image) continue;
            same++;
            if (candidate < record) first = false;
          }
        }
        if (same != load<u32>(<usize>image + IMAGE_REFERENCES)) return violation(VIOLATION_IMAGE_COUNT, <f64>image);
        if (first) images++;
      }
    }
    if (<u64>images != created - destroyed) return violation(VIOLATION_IMAGE_COUNT, <f64>images);
  }
  report(WALK_LIVE_IMAGES, <f64>images);
  return 0;
}
