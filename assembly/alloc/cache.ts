// The block cache: freed page blocks kept for reuse (Pillow's blocks_max), bounded
// exactly under concurrency without a shared counter on the fast path.
//
// Each slot has one Treiber stack per size class. The owner pushes and pops its own
// stacks (the line stays in its core's cache); a thread whose own stack is empty may
// steal from another slot's, and a flush may empty anyone's.
//
// The bound is kept with credits. A block may enter a cache only by spending a credit.
// Credits live in one global pool (the arena header) and in each slot, and a slot takes
// them from the pool CREDIT_BATCH at a time (from another slot when the pool is empty).
// When a block leaves a cache its credit goes to the thread that took it. At every moment
//     pool + Σ slot credits + Σ cached blocks + blocks in flight = blocksMax,
// so once every operation has finished, cached ≤ blocksMax. Lowering blocksMax takes the
// difference out of the pool (it may go negative), revokes slot credits, and evicts blocks
// until the pool is back at zero; a push that meets a negative pool evicts a block itself.
//
// Every step here that moves a credit or a block is one atomic operation whose outcome
// the thread records in its frame before its next step (frames.ts): a thread that dies
// anywhere leaves each credit and each block either where it was or where it went.

import {
  ARENA_HEADER, HEADER_CREDIT_POOL, HEADER_BLOCKS_MAX, SLOT_CACHE, SLOT_CREDITS, CLASS_COUNT,
  COUNTER_CACHE_PUSHED, COUNTER_CACHE_POPPED, MAX_ATTACHMENTS, KIND_CACHED, KIND_BLOCK, SLOT_COUNTERS,
  COUNTER_FREED, COUNTER_BYTES_FREED, PAGE_SHIFT, OK, ERR_DOUBLE_FREE, SLOT_STATE, SLOT_FREE
} from "./layout";
import {
  loadShared32, casShared32, fetchAdd32, swapShared32, loadShared64, casShared64, fetchAdd64
} from "../shared/atomics";
import { pushRun, popRun, peekRun } from "./stack";
import { loadEntry, entryTag, entryKind, makeEntry, entryAddress, runPages, givePages } from "./pages";
import { classOf } from "./classes";
import { DEBUG, slotBase, slotIndex, slotAddress, count, counterAddress, fail } from "./state";
import {
  frameNext, frameOpen, frameClose, phase, setPhase, arg, setArg,
  OP_RELEASE_PAGE, OP_EVICT, OP_SET_BLOCKS_MAX, OP_FLUSH_SLOT
} from "./frames";

const CREDIT_BATCH: u32 = 8;

// @ts-ignore: decorator
@inline export function stackOf(slot: usize, c: u32): usize {
  return slot + SLOT_CACHE + (<usize>c << 3);
}

// @ts-ignore: decorator
@inline function creditPool(): usize { return ARENA_HEADER + HEADER_CREDIT_POOL; }

/** A glance at a stack (no ordering: the pop that may follow decides). */
// @ts-ignore: decorator
@inline function stackEmpty(head: usize): bool { return <u32>load<u64>(head) == 0; }

/** Slots whose caches may hold blocks: attached ones (a slot's cache is emptied when it is released). */
// @ts-ignore: decorator
@inline function slotInUse(i: u32): bool {
  return (<u32>load<u64>(slotAddress(i) + SLOT_STATE) & 0xFF) != SLOT_FREE;
}

// ── credits ───────────────────────────────────────────────────────────────────────
//
// Steps of the operations that move credits, as phases of their frames. Each operation
// that uses them reserves these numbers.

/** No credit yet. */
export const CREDIT_NONE: u32 = 0;
/** Took arg CREDIT_TAKE_ARG credits from the pool or another slot; all but one still to add to this slot. */
export const CREDIT_FROM_POOL: u32 = 1;
/** Holds one credit. */
export const CREDIT_HELD: u32 = 2;
/** Found no credit anywhere. */
export const CREDIT_DENIED: u32 = 3;

/**
 * Spends one credit of this slot, refilling from the pool, or else from another slot's
 * credits; records CREDIT_HELD or CREDIT_DENIED as the frame's phase. Resumable from
 * CREDIT_FROM_POOL.
 */
function takeCredit(frame: usize, takeArg: usize): void {
  let at = slotBase + SLOT_CREDITS;
  if (phase(frame) == CREDIT_NONE) {
    let mine = loadShared32(at);
    while (mine > 0) {
      let found = casShared32(at, mine, mine - 1);
      if (found == mine) { setPhase(frame, CREDIT_HELD); return; }
      mine = found;
    }
    let pool = <i64>loadShared64(creditPool());
    while (true) {
      if (pool <= 0) {
        if (!stealCredits(frame, takeArg)) setPhase(frame, CREDIT_DENIED);
        break;
      }
      let take = min<i64>(pool, <i64>CREDIT_BATCH);
      let found = <i64>casShared64(creditPool(), <u64>pool, <u64>(pool - take));
      if (found == pool) {
        setArg(frame, takeArg, <u64>take);
        setPhase(frame, CREDIT_FROM_POOL);
        break;
      }
      pool = found;
    }
  }
  if (phase(frame) == CREDIT_FROM_POOL) {
    let take = <u32>arg(frame, takeArg);
    if (take > 1) fetchAdd32(at, take - 1);
    setPhase(frame, CREDIT_HELD);
  }
}

/**
 * The pool is empty: takes up to CREDIT_BATCH credits from another slot, as CREDIT_FROM_POOL
 * (arg `takeArg` = how many). A thread that takes blocks out of caches earns their credits
 * and may never spend them (a producer whose blocks another thread frees): without this,
 * credits would gather in such slots and every other thread's frees would find none.
 * False when no slot has a credit.
 */
function stealCredits(frame: usize, takeArg: usize): bool {
  for (let n: u32 = 1; n < MAX_ATTACHMENTS; n++) {
    let i = (slotIndex + n) % MAX_ATTACHMENTS;
    if (!slotInUse(i)) continue;
    let at = slotAddress(i) + SLOT_CREDITS;
    let theirs = loadShared32(at);
    while (theirs > 0) {
      let take = min<u32>(theirs, CREDIT_BATCH);
      let found = casShared32(at, theirs, theirs - take);
      if (found == theirs) {
        setArg(frame, takeArg, <u64>take);
        setPhase(frame, CREDIT_FROM_POOL);
        return true;
      }
      theirs = found;
    }
  }
  return false;
}

/** Phases of returning a credit (a block left a cache). */
export const RETURN_NONE: u32 = 0;
/** The credit is in this slot. */
export const RETURN_DONE: u32 = 1;
/** This slot took CREDIT_BATCH surplus credits back, still to add to the pool. */
export const RETURN_SURPLUS: u32 = 2;
/** The surplus is in the pool. */
export const RETURN_SETTLED: u32 = 3;

/**
 * A block left a cache: its credit comes to this slot; a surplus goes back to the pool.
 * `base` is the phase that stands for RETURN_NONE in the caller's frame; the frame ends at
 * base + RETURN_SETTLED. Resumable.
 */
// @ts-ignore: decorator
@inline function returnCredit(frame: usize, base: u32): void {
  let at = slotBase + SLOT_CREDITS;
  let p = phase(frame);
  if (p == base + RETURN_NONE) {
    let mine = fetchAdd32(at, 1) + 1;
    setPhase(frame, base + RETURN_DONE);
    if (mine > 2 * CREDIT_BATCH && casShared32(at, mine, mine - CREDIT_BATCH) == mine) {
      setPhase(frame, base + RETURN_SURPLUS);
      p = base + RETURN_SURPLUS;
    } else {
      setPhase(frame, base + RETURN_SETTLED);
      return;
    }
  }
  if (p == base + RETURN_DONE) setPhase(frame, base + RETURN_SETTLED);
  if (p == base + RETURN_SURPLUS) {
    fetchAdd64(creditPool(), <u64>CREDIT_BATCH);
    setPhase(frame, base + RETURN_SETTLED);
  }
}

// ── releasing a page block: OP_RELEASE_PAGE ───────────────────────────────────────
//
//  args  0 page   1 pages   2 credits taken from the pool
//  phases 0..3 are the credit phases above (the entry says CACHED(tag): the block is this
//  thread's), then:
const RELEASE_ARG_PAGE: usize = 0;
const RELEASE_ARG_PAGES: usize = 1;
const RELEASE_ARG_TAKE: usize = 2;
/** In the cache (pushed onto this slot's stack). */
const RELEASE_CACHED: u32 = 11;
/** Giving its pages back (a nested OP_GIVE_PAGES). */
const RELEASE_GIVING: u32 = 13;
const RELEASE_GIVEN: u32 = 14;
/** Settling a debt of the pool by evictions (a loop: may be run again). */
const RELEASE_SETTLING: u32 = 16;

/** Frees the page block at `page` with `tag` (any thread). Returns OK or ERR_DOUBLE_FREE. */
// @ts-ignore: decorator
@inline export function releasePage(page: u32, tag: u64): i32 {
  // Read before the claim: while the entry says BLOCK(tag) the run's size cannot change,
  // and a caller that knows the tag saw the hand-out complete.
  let pages = runPages(page);
  let block = makeEntry(KIND_BLOCK, tag);
  // Anything but this very hand-out at a run start is a block freed before (its pages may
  // now be cached, free, inside another run, or a slab).
  if (casShared64(entryAddress(page), block, makeEntry(KIND_CACHED, tag)) != block) return fail(ERR_DOUBLE_FREE);
  // From here this thread alone owns the block; its frame is written before any point
  // where the thread could stop.
  let frame = frameNext();
  setArg(frame, RELEASE_ARG_PAGE, page);
  setArg(frame, RELEASE_ARG_PAGES, pages);
  frameOpen(frame, OP_RELEASE_PAGE, CREDIT_NONE);
  // The common case straight through: a credit of this slot, a push onto its stack. The
  // same steps, recorded in the same phases, as resumeReleasePage takes from CREDIT_NONE.
  let at = slotBase + SLOT_CREDITS;
  let mine = loadShared32(at);
  if (mine > 0 && casShared32(at, mine, mine - 1) == mine) {
    setPhase(frame, CREDIT_HELD);
    pushRun(stackOf(slotBase, classOf(pages)), page);
    count(COUNTER_CACHE_PUSHED, 1);
    setPhase(frame, RELEASE_SETTLING);
    settleIfInDebt();
    count(COUNTER_FREED, 1);
    count(COUNTER_BYTES_FREED, <u64>pages << PAGE_SHIFT);
    frameClose(frame);
    return OK;
  }
  return resumeReleasePage(frame);
}

/** Runs a page release from the phase it reached, and closes its frame. */
export function resumeReleasePage(frame: usize): i32 {
  let page = <u32>arg(frame, RELEASE_ARG_PAGE);
  let pages = <u32>arg(frame, RELEASE_ARG_PAGES);
  if (phase(frame) <= CREDIT_FROM_POOL) takeCredit(frame, RELEASE_ARG_TAKE);
  if (phase(frame) == CREDIT_HELD) {
    pushRun(stackOf(slotBase, classOf(pages)), page);
    count(COUNTER_CACHE_PUSHED, 1);
    setPhase(frame, RELEASE_SETTLING);
  }
  if (phase(frame) == CREDIT_DENIED) {
    setPhase(frame, RELEASE_GIVING);
    givePages(page, pages);
    setPhase(frame, RELEASE_GIVEN);
  }
  if (phase(frame) == RELEASE_GIVING) {
    // Stopped as the nested give began: it never opened its frame.
    givePages(page, pages);
    setPhase(frame, RELEASE_GIVEN);
  }
  // The bound was lowered while we held a credit: settle the debt with evictions.
  if (phase(frame) == RELEASE_SETTLING) settleIfInDebt();
  count(COUNTER_FREED, 1);
  count(COUNTER_BYTES_FREED, <u64>pages << PAGE_SHIFT);
  frameClose(frame);
  return OK;
}

// ── popping for an allocation ─────────────────────────────────────────────────────

/**
 * Pops from slot `slot`'s stack of class `c` if its top has at least `pages` pages (a
 * class holds blocks from its size up), else from the class above (every block there is
 * long enough); -1 when neither has one. The top can change between the look and the pop:
 * the caller checks the size of what it got.
 */
// @ts-ignore: decorator
@inline function popFromSlot(slot: usize, c: u32, pages: u32): i32 {
  let head = stackOf(slot, c);
  let top = peekRun(head);
  if (top >= 0 && runPages(<u32>top) >= pages) {
    let page = popRun(head);
    if (page >= 0) return page;
  }
  if (c + 1 < CLASS_COUNT) {
    let above = stackOf(slot, c + 1);
    if (!stackEmpty(above)) return popRun(above);
  }
  return -1;
}

/**
 * Takes a cached block, most likely of at least `pages` pages (class `c`): this slot's
 * stacks first, then other slots'. Returns its first page, or -1. The caller records the
 * page straight after the call returns, counts COUNTER_CACHE_POPPED, and either keeps the
 * block (then `cacheReturnCredit`) or, when a race left it too short, `cacheRepush`es it.
 */
// @ts-ignore: decorator
@inline export function cachePop(c: u32, pages: u32): i32 {
  // A pop returns at once: no loop header between a pop that landed and the caller's record.
  let page = popFromSlot(slotBase, c, pages);
  if (page >= 0) return page;
  return popFromOthers(c, pages);
}

/** cachePop from the other slots' stacks (a steal). */
function popFromOthers(c: u32, pages: u32): i32 {
  let page: i32;
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    if (i == slotIndex || !slotInUse(i)) continue;
    page = popFromSlot(slotAddress(i), c, pages);
    if (page >= 0) return page;
  }
  return -1;
}

/** After a pop: the popped block's credit comes to this slot (phases from `base`). */
// @ts-ignore: decorator
@inline export function cacheReturnCredit(frame: usize, base: u32): void {
  returnCredit(frame, base);
}

/** Puts a popped block back on this slot's stack, credit and all; the caller counts COUNTER_CACHE_PUSHED. */
export function cacheRepush(page: u32): void {
  pushRun(stackOf(slotBase, classOf(runPages(page))), page);
}

// ── eviction: OP_EVICT ────────────────────────────────────────────────────────────
//
//  args  0 stack head   1 page popped
const EVICT_ARG_HEAD: usize = 0;
const EVICT_ARG_PAGE: usize = 1;
const EVICT_START: u32 = 0;
/** Popped; the pool does not have its credit back yet. */
const EVICT_POPPED: u32 = 2;
const EVICT_GIVING: u32 = 3;
const EVICT_GIVEN: u32 = 4;

/** Takes the top block off the stack at `head` and gives its pages back; false when empty. */
function evict(head: usize): bool {
  let frame = frameNext();
  setArg(frame, EVICT_ARG_HEAD, head);
  frameOpen(frame, OP_EVICT);
  let page = popRun(head);
  if (page < 0) { frameClose(frame); return false; }
  setArg(frame, EVICT_ARG_PAGE, <u64>page);
  count(COUNTER_CACHE_POPPED, 1);
  setPhase(frame, EVICT_POPPED);
  resumeEvict(frame);
  return true;
}

/** Runs an eviction from the phase it reached, and closes its frame. */
export function resumeEvict(frame: usize): void {
  if (phase(frame) == EVICT_START) { frameClose(frame); return; }
  let page = <u32>arg(frame, EVICT_ARG_PAGE);
  // The block is this thread's since the pop: its size cannot change.
  let pages = runPages(page);
  if (phase(frame) == EVICT_POPPED) {
    if (DEBUG) assert(entryKind(loadEntry(page)) == KIND_CACHED, "evicting a block that is not cached");
    fetchAdd64(creditPool(), 1);
    setPhase(frame, EVICT_GIVING);
  }
  if (phase(frame) == EVICT_GIVING) {
    givePages(page, pages);
    setPhase(frame, EVICT_GIVEN);
  }
  frameClose(frame);
}

/** Evicts one block from anywhere; false when every cache is empty. */
function evictOne(): bool {
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    if (!slotInUse(i)) continue;
    let slot = slotAddress(i);
    for (let c: u32 = 0; c < CLASS_COUNT; c++) {
      let head = stackOf(slot, c);
      if (!stackEmpty(head) && evict(head)) return true;
    }
  }
  return false;
}

/** Evicts while the pool is in debt (a loop that may be run again: each eviction stands alone). */
export function settleDebt(): void {
  while (<i64>loadShared64(creditPool()) < 0) {
    if (!evictOne()) return; // remaining debt: blocks in flight will find it
  }
}

/** After a push: the bound was lowered while the block was out of every cache (a credit held, or popped); evicts to settle. */
// @ts-ignore: decorator
@inline export function settleIfInDebt(): void {
  if (<i64>loadShared64(creditPool()) < 0) settleDebt();
}

/** Cached blocks, summed over all slots. */
export function cachedBlocks(): i64 {
  let pushed: i64 = 0, popped: i64 = 0;
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    let slot = slotAddress(i);
    pushed += <i64>load<u64>(counterAddress(slot, COUNTER_CACHE_PUSHED));
    popped += <i64>load<u64>(counterAddress(slot, COUNTER_CACHE_POPPED));
  }
  return pushed - popped;
}

/** Evicts cached blocks until at most `keep` remain (all slots). Returns blocks evicted. */
export function flushCaches(keep: i64): u32 {
  let evicted: u32 = 0;
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    if (!slotInUse(i)) continue;
    let slot = slotAddress(i);
    for (let c: u32 = 0; c < CLASS_COUNT; c++) {
      let head = stackOf(slot, c);
      while (!stackEmpty(head) && cachedBlocks() > keep) {
        if (!evict(head)) break;
        evicted++;
      }
    }
  }
  return evicted;
}

// ── emptying a slot: OP_FLUSH_SLOT ────────────────────────────────────────────────
//
//  args  0 slot index   1 credits taken out of the slot
const FLUSH_ARG_SLOT: usize = 0;
const FLUSH_ARG_TAKEN: usize = 1;
/** Evicting the slot's blocks (a loop). */
const FLUSH_EVICTING: u32 = 0;
/** Took the slot's credits; still to add them to the pool. */
const FLUSH_TAKEN: u32 = 2;

/** Empties the caches of slot `index` and returns its credits to the pool (detach, reclaim). */
export function flushSlot(index: u32): void {
  let frame = frameNext();
  setArg(frame, FLUSH_ARG_SLOT, index);
  frameOpen(frame, OP_FLUSH_SLOT);
  resumeFlushSlot(frame);
}

export function resumeFlushSlot(frame: usize): void {
  let slot = slotAddress(<u32>arg(frame, FLUSH_ARG_SLOT));
  if (phase(frame) == FLUSH_EVICTING) {
    for (let c: u32 = 0; c < CLASS_COUNT; c++) {
      let head = stackOf(slot, c);
      while (evict(head)) {}
    }
    let taken = swapShared32(slot + SLOT_CREDITS, 0);
    setArg(frame, FLUSH_ARG_TAKEN, taken);
    setPhase(frame, FLUSH_TAKEN);
  }
  let taken = arg(frame, FLUSH_ARG_TAKEN);
  if (taken != 0) fetchAdd64(creditPool(), taken);
  frameClose(frame);
}

// ── the bound: OP_SET_BLOCKS_MAX ──────────────────────────────────────────────────
//
//  args  0 new bound   1 bound before   2 slots revoked so far   3 credits taken from that slot
const BOUND_ARG_NEW: usize = 0;
const BOUND_ARG_BEFORE: usize = 1;
const BOUND_ARG_SLOT: usize = 2;
const BOUND_ARG_TAKEN: usize = 3;
const BOUND_START: u32 = 0;
/** The bound is swapped; the pool not yet adjusted. */
const BOUND_SWAPPED: u32 = 2;
/** The pool is adjusted; revoking slot credits if it is in debt. */
const BOUND_REVOKING: u32 = 4;
/** Took arg 3 credits from slot arg 2; still to add them to the pool. */
const BOUND_REVOKED_ONE: u32 = 5;
/** Settling the debt (a loop). */
const BOUND_SETTLING: u32 = 6;

/** Sets the bound; evicts what no longer fits. */
export function setBlocksMax(n: u32): void {
  let frame = frameNext();
  setArg(frame, BOUND_ARG_NEW, n);
  setArg(frame, BOUND_ARG_SLOT, 0);
  frameOpen(frame, OP_SET_BLOCKS_MAX);
  let before = swapShared32(ARENA_HEADER + HEADER_BLOCKS_MAX, n);
  setArg(frame, BOUND_ARG_BEFORE, before);
  setPhase(frame, BOUND_SWAPPED);
  resumeSetBlocksMax(frame);
}

export function resumeSetBlocksMax(frame: usize): void {
  if (phase(frame) == BOUND_START) { frameClose(frame); return; }
  if (phase(frame) == BOUND_SWAPPED) {
    let delta = <i64>arg(frame, BOUND_ARG_NEW) - <i64>arg(frame, BOUND_ARG_BEFORE);
    let after = <i64>fetchAdd64(creditPool(), <u64>delta) + delta;
    setPhase(frame, after < 0 ? BOUND_REVOKING : BOUND_SETTLING);
  }
  while (phase(frame) == BOUND_REVOKING || phase(frame) == BOUND_REVOKED_ONE) {
    let i = <u32>arg(frame, BOUND_ARG_SLOT);
    if (phase(frame) == BOUND_REVOKING) {
      if (i >= MAX_ATTACHMENTS) { setPhase(frame, BOUND_SETTLING); break; }
      let taken = swapShared32(slotAddress(i) + SLOT_CREDITS, 0);
      setArg(frame, BOUND_ARG_TAKEN, taken);
      setPhase(frame, BOUND_REVOKED_ONE);
    }
    let taken = arg(frame, BOUND_ARG_TAKEN);
    if (taken != 0) fetchAdd64(creditPool(), taken);
    setArg(frame, BOUND_ARG_SLOT, i + 1);
    setPhase(frame, BOUND_REVOKING);
  }
  settleDebt();
  frameClose(frame);
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

export { CREDIT_BATCH };
