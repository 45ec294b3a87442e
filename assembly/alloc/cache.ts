// The block cache: freed page blocks kept for reuse (Pillow's blocks_max), bounded
// exactly under concurrency without a shared counter on the fast path.
//
// Each slot has one Treiber stack per size class. The owner pushes and pops its own
// stacks (the line stays in its core's cache); a thread whose own stack is empty may
// steal from another slot's, and a flush may empty anyone's.
//
// The bound is kept with credits. A block may enter a cache only by spending a credit.
// Credits live in one global pool (the arena header) and in each slot, and a slot takes
// them from the pool CREDIT_BATCH at a time. When a block leaves a cache its credit goes
// to the thread that took it. At every moment
//     pool + Σ slot credits + Σ cached blocks + blocks in flight = blocksMax,
// so the cached blocks never exceed blocksMax. Lowering blocksMax takes the difference
// out of the pool (it may go negative), revokes slot credits, and evicts blocks until the
// pool is back at zero; a push that meets a negative pool evicts one block itself.

import {
  ARENA_HEADER, HEADER_CACHE_CREDITS, HEADER_BLOCKS_MAX, HEADER_LIVE_SLOTS, SLOT_CACHE, SLOT_CREDITS,
  CLASS_COUNT, COUNTER_CACHE_PUSHED, COUNTER_CACHE_POPPED, MAX_ATTACHMENTS, KIND_CACHED, SLOT_COUNTERS
} from "./layout";
import {
  loadShared32, casShared32, fetchAdd32, swapShared32, loadShared64, casShared64, fetchAdd64
} from "../shared/atomics";
import { pushNode, popNode, stackEmpty } from "./stack";
import { loadEntry, entryTag, entryPages, pageOf, pageAddress, givePages } from "./pages";
import { DEBUG, slotBase, slotIndex, slotAddress, count } from "./state";

const CREDIT_BATCH: u32 = 8;
const CACHE_LINK: usize = 0;

// @ts-ignore: decorator
@inline function stackOf(slot: usize, c: u32): usize {
  return slot + SLOT_CACHE + (<usize>c << 3);
}

// @ts-ignore: decorator
@inline function creditPool(): usize { return ARENA_HEADER + HEADER_CACHE_CREDITS; }

/** Is slot `index` attached? */
export function slotIsLive(index: u32): bool {
  let word = loadShared64(ARENA_HEADER + HEADER_LIVE_SLOTS + (<usize>(index >> 6) << 3));
  return ((word >> (index & 63)) & 1) != 0;
}

// ── credits ───────────────────────────────────────────────────────────────────────

/** Spends one credit of this slot, refilling from the pool; false when none is left. */
function takeCredit(): bool {
  let at = slotBase + SLOT_CREDITS;
  let mine = loadShared32(at);
  while (mine > 0) {
    let found = casShared32(at, mine, mine - 1);
    if (found == mine) return true;
    mine = found;
  }
  let pool = <i64>loadShared64(creditPool());
  while (pool > 0) {
    let take = min<i64>(pool, <i64>CREDIT_BATCH);
    let found = <i64>casShared64(creditPool(), <u64>pool, <u64>(pool - take));
    if (found == pool) {
      if (take > 1) fetchAdd32(at, <u32>(take - 1));
      return true;
    }
    pool = found;
  }
  return false;
}

/** A block left a cache: its credit comes to this slot; a surplus goes back to the pool. */
function returnCredit(): void {
  let at = slotBase + SLOT_CREDITS;
  let mine = fetchAdd32(at, 1) + 1;
  if (mine > 2 * CREDIT_BATCH) {
    if (casShared32(at, mine, mine - CREDIT_BATCH) == mine) {
      fetchAdd64(creditPool(), <u64>CREDIT_BATCH);
    }
  }
}

/** Moves every slot's credits back to the pool (when the bound is lowered). */
function revokeCredits(): void {
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    let taken = swapShared32(slotAddress(i) + SLOT_CREDITS, 0);
    if (taken != 0) fetchAdd64(creditPool(), <u64>taken);
  }
}

// ── push and pop ──────────────────────────────────────────────────────────────────

/**
 * Offers a freed page block to this thread's cache. The block's entry already says
 * KIND_CACHED. Returns false when the bound leaves no room (the caller frees the pages).
 */
export function cachePush(page: u32, c: u32): bool {
  if (!takeCredit()) return false;
  pushNode(stackOf(slotBase, c), pageAddress(page), CACHE_LINK);
  count(COUNTER_CACHE_PUSHED, 1);
  // The bound was lowered while we held a credit: settle the debt with one block.
  if (<i64>loadShared64(creditPool()) < 0) settleDebt();
  return true;
}

/** Pops a block of at least `pages` pages from one stack, or returns 0 (a short one goes back). */
function popFitting(head: usize, pages: u32): usize {
  let address = popNode(head, CACHE_LINK);
  if (address != 0 && entryPages(loadEntry(pageOf(address))) < pages) {
    pushNode(head, address, CACHE_LINK);
    return 0;
  }
  return address;
}

/** Pops a block of at least `pages` pages from slot `slot`'s stacks of class `c` and the one above. */
function popFromSlot(slot: usize, c: u32, pages: u32): usize {
  let head = stackOf(slot, c);
  let address: usize = stackEmpty(head) ? 0 : popFitting(head, pages);
  if (address == 0 && c + 1 < CLASS_COUNT) {
    let above = stackOf(slot, c + 1);
    if (!stackEmpty(above)) address = popNode(above, CACHE_LINK);
  }
  return address;
}

/**
 * Takes a cached block of at least `pages` pages (class `c`): this slot's stacks first,
 * then other live slots'. Returns its first page, or -1.
 */
export function cachePop(c: u32, pages: u32): i32 {
  let address = popFromSlot(slotBase, c, pages);
  for (let i: u32 = 0; i < MAX_ATTACHMENTS && address == 0; i++) {
    if (i == slotIndex || !slotIsLive(i)) continue;
    address = popFromSlot(slotAddress(i), c, pages);
  }
  if (address == 0) return -1;
  count(COUNTER_CACHE_POPPED, 1);
  returnCredit();
  return <i32>pageOf(address);
}

/** Takes a block out of a cache and gives its pages back to the heap. */
function evict(address: usize): void {
  let page = pageOf(address);
  let entry = loadEntry(page);
  if (DEBUG) assert(((entry >> 24) & 0xFF) == <u64>KIND_CACHED, "evicting a block that is not cached");
  count(COUNTER_CACHE_POPPED, 1);
  fetchAdd64(creditPool(), 1);
  givePages(page, entryPages(entry), entryTag(entry));
}

/** Evicts one block from anywhere; false when every cache is empty. */
function evictOne(): bool {
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    let slot = slotAddress(i);
    for (let c: u32 = 0; c < CLASS_COUNT; c++) {
      let head = stackOf(slot, c);
      if (stackEmpty(head)) continue;
      let address = popNode(head, CACHE_LINK);
      if (address != 0) { evict(address); return true; }
    }
  }
  return false;
}

function settleDebt(): void {
  while (<i64>loadShared64(creditPool()) < 0) {
    if (!evictOne()) return; // remaining debt: blocks in flight will find it
  }
}

/** Cached blocks, summed over all slots. */
export function cachedBlocks(): i64 {
  let pushed: i64 = 0, popped: i64 = 0;
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    let counters = slotAddress(i) + SLOT_COUNTERS;
    pushed += <i64>load<u64>(counters + (COUNTER_CACHE_PUSHED << 3));
    popped += <i64>load<u64>(counters + (COUNTER_CACHE_POPPED << 3));
  }
  return pushed - popped;
}

/** Evicts cached blocks until at most `keep` remain (all slots). Returns blocks evicted. */
export function flushCaches(keep: i64): u32 {
  let excess = cachedBlocks() - keep;
  let evicted: u32 = 0;
  for (let i: u32 = 0; i < MAX_ATTACHMENTS && excess > 0; i++) {
    let slot = slotAddress(i);
    for (let c: u32 = 0; c < CLASS_COUNT && excess > 0; c++) {
      let head = stackOf(slot, c);
      while (excess > 0) {
        let address = popNode(head, CACHE_LINK);
        if (address == 0) break;
        evict(address);
        excess--;
        evicted++;
      }
    }
  }
  return evicted;
}

/** Empties the caches of slot `index` (detach, reclaim). */
export function flushSlot(index: u32): void {
  let slot = slotAddress(index);
  for (let c: u32 = 0; c < CLASS_COUNT; c++) {
    let head = stackOf(slot, c);
    while (true) {
      let address = popNode(head, CACHE_LINK);
      if (address == 0) break;
      evict(address);
    }
  }
  let credits = swapShared32(slot + SLOT_CREDITS, 0);
  if (credits != 0) fetchAdd64(creditPool(), <u64>credits);
}

/** Sets the bound; evicts what no longer fits. */
export function setBlocksMax(n: u32): void {
  let before = swapShared32(ARENA_HEADER + HEADER_BLOCKS_MAX, n);
  fetchAdd64(creditPool(), <u64>(<i64>n - <i64>before));
  if (<i64>loadShared64(creditPool()) < 0) {
    revokeCredits();
    settleDebt();
  }
}

/** Cache credits in the pool and in every slot (heap walker). */
export function creditsOutstanding(): i64 {
  let total = <i64>loadShared64(creditPool());
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) total += <i64>loadShared32(slotAddress(i) + SLOT_CREDITS);
  return total;
}

/** Address of slot `index`'s cache head for class `c` (heap walker). */
export function cacheHead(index: u32, c: u32): usize {
  return stackOf(slotAddress(index), c);
}

export const CACHE_LINK_OFFSET = CACHE_LINK;
