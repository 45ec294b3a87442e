// Small blocks: runs of 64-byte granules inside slab pages (layout in layout.ts).
//
// A slab's `used` word holds both its granule bits and its two flags, so one CAS decides
// every question about it: a thread claims granules; ACTIVE means some thread allocates
// from it; LISTED means it sits on the partial-slab stack; all ones means retired (its
// page went back to the heap). Any thread may free a small block; the thread that
// allocates from a slab is whichever made it active, and it gives it up when it is full.
//
// Who may touch a slab's `used` word: a thread that holds a claim on the slab (granules of
// a live block it is freeing, the ACTIVE flag, or the LISTED flag of a slab it popped).
// Every CAS that gives up the last claim a thread holds also decides, in the same step,
// what becomes of the slab: if the result would be idle (neither active nor listed) and
// empty, the CAS writes RETIRED, and the thread gives the page back; if idle with room for
// the largest block of its bin, the CAS sets LISTED, and the thread pushes it. After that
// CAS the thread never reads the word again: the page may already be someone else's.
//
// Blocks are binned by size (layout.ts, SMALL_BINS): a slab serves one bin, each bin has
// its own partial-slab stack, and a slab is listed only once it has room for the largest
// block of its bin, so that a slab taken from the stack almost always fits.

import {
  SLAB_USED, SLAB_STARTS, SLAB_BIN, SLAB_DATA_MASK, GRANULE_SHIFT, GRANULE_SIZE, SMALL_HEADER,
  SMALL_MAGIC, SMALL_LIVE, SMALL_DEAD, PAGE_SIZE, KIND_SLAB, ARENA_HEADER, HEADER_PARTIAL_SLABS,
  OK, ERR_DOUBLE_FREE, ERR_NOT_A_BLOCK, SLAB_FIRST_GRANULE, SMALL_BINS, SMALL_BIN_LIMIT_0,
  SMALL_BIN_LIMIT_1, SMALL_MAX_GRANULES, TAG_MASK, COUNTER_FREED, COUNTER_BYTES_FREED
} from "./layout";
import { loadShared64, casShared64, fetchClearBits64, fetchSetBits64, publish64 } from "../shared/atomics";
import { pushRun, popRun, pushChain } from "./stack";
import { takePages, givePages, loadEntry, entryKind, makeEntry, entryAddress, pageOf, pageAddress, setRunWord } from "./pages";
import { DEBUG, activeSlab, setActiveSlab, freshTag, fail, count } from "./state";
import {
  frameNext, frameOpen, frameClose, phase, setPhase, arg, setArg,
  OP_RELEASE_SMALL, OP_ABANDON_SLAB, OP_ACQUIRE_SLAB, OP_RETIRE_SLABS
} from "./frames";

const PARTIAL_TRIES: i32 = 4;

/** The ACTIVE and LISTED flags, and the word of a retired slab. */
const ACTIVE: u64 = 1;
const LISTED: u64 = 2;
const RETIRED: u64 = 0xFFFFFFFFFFFFFFFF;

// @ts-ignore: decorator
@inline function partialHead(bin: u32): usize { return ARENA_HEADER + HEADER_PARTIAL_SLABS + (<usize>bin << 6); }

/** The bin of a block of `granules` granules. */
// @ts-ignore: decorator
@inline export function binOf(granules: u32): u32 {
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

// ── small-block headers ───────────────────────────────────────────────────────────

// @ts-ignore: decorator
@inline function makeHeader(state: u32, granules: u32, tag: u64): u64 {
  return (SMALL_MAGIC << 56) | (<u64>state << 53) | (<u64>(granules - 1) << 48) | (tag & TAG_MASK);
}
// @ts-ignore: decorator
@inline export function headerState(header: u64): u32 {
  return (header >> 56) == SMALL_MAGIC ? <u32>(header >> 53) & 7 : 0;
}
// @ts-ignore: decorator
@inline export function headerGranules(header: u64): u32 { return (<u32>(header >> 48) & 31) + 1; }
// @ts-ignore: decorator
@inline function headerTag(header: u64): u64 { return header & TAG_MASK; }

/** Bytes of a small block of `granules` granules. */
// @ts-ignore: decorator
@inline export function smallBytes(granules: u32): usize { return (<usize>granules << GRANULE_SHIFT) - SMALL_HEADER; }

// ── the decision ──────────────────────────────────────────────────────────────────

/** What the CAS that gives up a thread's last claim on a slab decided. */
const DECIDED_NOTHING: u32 = 0;
const DECIDED_RETIRE: u32 = 1;
const DECIDED_LIST: u32 = 2;

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

/** What the word becomes once a thread drops `bits` (its last claim) from `seen`, and why. */
// @ts-ignore: decorator
@inline function decide(seen: u64, bits: u64, bin: u32): u64 {
  let after = seen & ~bits;
  if ((after & (ACTIVE | LISTED)) != 0) return after;
  if ((after & SLAB_DATA_MASK) == 0) return RETIRED;
  if (findGranules(after, binLimit(bin)) >= 0) return after | LISTED;
  return after;
}

// @ts-ignore: decorator
@inline function decisionOf(next: u64, seen: u64): u32 {
  if (next == RETIRED) return DECIDED_RETIRE;
  return (next & LISTED) != 0 && (seen & LISTED) == 0 ? DECIDED_LIST : DECIDED_NOTHING;
}

/**
 * Drops `bits` from the slab's word, deciding its fate in the same CAS. Returns the
 * decision; the caller records it straight after the call returns. Inlined: it is on the
 * path of every small free.
 */
// @ts-ignore: decorator
@inline function dropClaim(slab: usize, bits: u64): u32 {
  if (isDefined(PA_MUTANT_SLAB)) return dropClaimThenDecide(slab, bits);
  let at = slab + SLAB_USED;
  let bin = load<u32>(slab + SLAB_BIN);
  let seen = loadShared64(at);
  while (true) {
    if (DEBUG) assert(seen != RETIRED && (seen & bits) == bits, "dropping a claim not held");
    let next = decide(seen, bits, bin);
    let found = casShared64(at, seen, next);
    if (found == seen) return decisionOf(next, seen);
    seen = found;
  }
}

/**
 * The schedule explorer's proof of its own worth (built only with `--use PA_MUTANT_SLAB=1`,
 * never shipped): the slab code as it was before claim and decision were one CAS. The
 * claim is dropped first, and the decision is taken by a second CAS that holds no claim:
 * if meanwhile the slab was retired and its page handed out again, that CAS writes into
 * the new owner's bytes and may retire a live page. test/explore.test.ts checks that the
 * explorer finds this.
 */
function dropClaimThenDecide(slab: usize, bits: u64): u32 {
  let at = slab + SLAB_USED;
  let bin = load<u32>(slab + SLAB_BIN);
  let seen = fetchClearBits64(at, bits) & ~bits;
  while (true) {
    let next = decide(seen, 0, bin);
    if (next == seen) return DECIDED_NOTHING;
    let found = casShared64(at, seen, next);
    if (found == seen) return decisionOf(next, seen);
    seen = found;
  }
}

/**
 * Carries out a decision (retire or list) recorded in `frame`: phase `base` means "about
 * to", base + 1 "in the nested give", base + 2 "done". Resumable.
 */
function carryOut(frame: usize, slab: usize, decision: u32, base: u32): void {
  if (decision == DECIDED_RETIRE) {
    if (phase(frame) == base) setPhase(frame, base + 1);
    if (phase(frame) == base + 1) {
      givePages(pageOf(slab), 1);
      setPhase(frame, base + 2);
    }
  } else if (decision == DECIDED_LIST) {
    if (phase(frame) == base) {
      pushRun(partialHead(load<u32>(slab + SLAB_BIN)), pageOf(slab));
      setPhase(frame, base + 2);
    }
  }
}

// ── freeing: OP_RELEASE_SMALL ─────────────────────────────────────────────────────
//
//  args  0 slab   1 first granule   2 granules   3 decision
const FREE_ARG_SLAB: usize = 0;
const FREE_ARG_FIRST: usize = 1;
const FREE_ARG_GRANULES: usize = 2;
const FREE_ARG_DECISION: usize = 3;
/** The header says DEAD: the block is this thread's alone (the frame begins here). */
const FREE_DEAD: u32 = 2;
/** The granules are given back with the decision (arg 3); carrying it out: 6, 7, 8. */
const FREE_DECIDED: u32 = 6;

/** Checks that `address` is where a small block's data starts; returns its header's address or 0. */
// @ts-ignore: decorator
@inline function headerOf(address: usize): usize {
  let header = address - SMALL_HEADER;
  let slab = header & ~(PAGE_SIZE - 1);
  if ((header & (GRANULE_SIZE - 1)) != 0) return 0;
  if (<u32>((header - slab) >> GRANULE_SHIFT) < SLAB_FIRST_GRANULE) return 0;
  return header;
}

/** The size of the small block at `address` if it is live with `tag`, else 0. */
export function smallBlockLive(address: usize, tag: u64): usize {
  let header = headerOf(address);
  if (header == 0) return 0;
  let slab = header & ~(PAGE_SIZE - 1);
  let first = <u32>((header - slab) >> GRANULE_SHIFT);
  if (entryKind(loadEntry(pageOf(slab))) != KIND_SLAB) return 0;
  if (((loadShared64(slab + SLAB_STARTS) >> first) & 1) == 0) return 0;
  let seen = loadShared64(header);
  if (headerState(seen) != SMALL_LIVE || headerTag(seen) != tag) return 0;
  return smallBytes(headerGranules(seen));
}

/** Frees a small block (any thread); returns OK or an error code. */
// @ts-ignore: decorator
@inline export function freeSmall(address: usize, tag: u64): i32 {
  let header = headerOf(address);
  if (header == 0) return fail(ERR_NOT_A_BLOCK);
  let slab = header & ~(PAGE_SIZE - 1);
  let first = <u32>((header - slab) >> GRANULE_SHIFT);
  if (entryKind(loadEntry(pageOf(slab))) != KIND_SLAB) return fail(ERR_DOUBLE_FREE);
  if (((loadShared64(slab + SLAB_STARTS) >> first) & 1) == 0) return fail(ERR_DOUBLE_FREE);
  let seen = loadShared64(header);
  if (headerState(seen) != SMALL_LIVE || headerTag(seen) != tag) return fail(ERR_DOUBLE_FREE);
  let granules = headerGranules(seen);
  if (casShared64(header, seen, makeHeader(SMALL_DEAD, granules, tag)) != seen) return fail(ERR_DOUBLE_FREE);
  // This thread alone now owns the block, and through it holds a claim on the slab; its
  // frame is written before any point where the thread could stop.
  let frame = frameNext();
  setArg(frame, FREE_ARG_SLAB, slab);
  setArg(frame, FREE_ARG_FIRST, first);
  setArg(frame, FREE_ARG_GRANULES, granules);
  frameOpen(frame, OP_RELEASE_SMALL, FREE_DEAD);
  // The steps of resumeFreeSmall from FREE_DEAD, with what they need at hand.
  fetchClearBits64(slab + SLAB_STARTS, <u64>1 << first);
  let decision = dropClaim(slab, granuleMask(first, granules));
  setArg(frame, FREE_ARG_DECISION, decision);
  setPhase(frame, FREE_DECIDED);
  if (decision != DECIDED_NOTHING) carryOut(frame, slab, decision, FREE_DECIDED);
  count(COUNTER_FREED, 1);
  count(COUNTER_BYTES_FREED, <u64>smallBytes(granules));
  frameClose(frame);
  return OK;
}

/** Runs a small free from the phase it reached, and closes its frame. */
export function resumeFreeSmall(frame: usize): void {
  let slab = <usize>arg(frame, FREE_ARG_SLAB);
  let first = <u32>arg(frame, FREE_ARG_FIRST);
  let granules = <u32>arg(frame, FREE_ARG_GRANULES);
  if (phase(frame) == FREE_DEAD) {
    // Clearing the start bit again after a restart is harmless: the granules are still
    // this thread's until the CAS below.
    fetchClearBits64(slab + SLAB_STARTS, <u64>1 << first);
    let decision = dropClaim(slab, granuleMask(first, granules));
    setArg(frame, FREE_ARG_DECISION, decision);
    setPhase(frame, FREE_DECIDED);
  }
  carryOut(frame, slab, <u32>arg(frame, FREE_ARG_DECISION), FREE_DECIDED);
  count(COUNTER_FREED, 1);
  count(COUNTER_BYTES_FREED, <u64>smallBytes(granules));
  frameClose(frame);
}

// ── giving up a slab: OP_ABANDON_SLAB ─────────────────────────────────────────────
//
//  args  0 slab   1 decision
const ABANDON_ARG_SLAB: usize = 0;
const ABANDON_ARG_DECISION: usize = 1;
const ABANDON_START: u32 = 0;
/** ACTIVE is dropped with the decision (arg 1); carrying it out: 2, 3, 4. */
const ABANDON_DECIDED: u32 = 2;

/** The owner stops allocating from `slab` (also reclaim, for an owner that died). */
export function abandonSlab(slab: usize): void {
  let frame = frameNext();
  setArg(frame, ABANDON_ARG_SLAB, slab);
  frameOpen(frame, OP_ABANDON_SLAB);
  resumeAbandonSlab(frame);
}

export function resumeAbandonSlab(frame: usize): void {
  let slab = <usize>arg(frame, ABANDON_ARG_SLAB);
  if (phase(frame) == ABANDON_START) {
    let decision = dropClaim(slab, ACTIVE);
    setArg(frame, ABANDON_ARG_DECISION, decision);
    let bin = load<u32>(slab + SLAB_BIN);
    if (activeSlab(bin) == slab) setActiveSlab(bin, 0);
    setPhase(frame, ABANDON_DECIDED);
  }
  carryOut(frame, slab, <u32>arg(frame, ABANDON_ARG_DECISION), ABANDON_DECIDED);
  frameClose(frame);
}

// ── getting a slab: OP_ACQUIRE_SLAB ───────────────────────────────────────────────
//
//  args  0 bin   1 granules needed   2 slab (popped or fresh)   3 attempts so far
const ACQUIRE_ARG_BIN: usize = 0;
const ACQUIRE_ARG_NEED: usize = 1;
const ACQUIRE_ARG_SLAB: usize = 2;
const ACQUIRE_ARG_TRIES: usize = 3;
const ACQUIRE_SEARCHING: u32 = 0;
/** Popped a listed slab (arg 2): this thread holds its LISTED claim. */
const ACQUIRE_POPPED: u32 = 2;
/** Turned it ACTIVE: this thread holds the ACTIVE claim. */
const ACQUIRE_ACTIVATED: u32 = 4;
/** Abandoning a popped slab that was too full (a nested abandon). */
const ACQUIRE_ABANDONING: u32 = 5;
const ACQUIRE_ABANDONED: u32 = 6;
/** Taking a fresh page (a nested take; its page is stored in arg 2 straight after). */
const ACQUIRE_TAKING: u32 = 7;
const ACQUIRE_TAKEN: u32 = 8;
/** The fresh page's slab word says ACTIVE. */
const ACQUIRE_FORMATTED: u32 = 10;
/** Its page map entry says SLAB. */
const ACQUIRE_MARKED: u32 = 12;
/** Undoing: giving a fresh page that never became a slab back (a nested give). */
const ACQUIRE_RETURNING: u32 = 13;
const ACQUIRE_RETURNED: u32 = 14;

/**
 * Makes a slab of `bin` with room for `need` granules this thread's active slab: a
 * partial one if one fits, else a fresh page. Returns it, or 0 when no page is left.
 */
export function acquireSlab(bin: u32, need: u32): usize {
  let frame = frameNext();
  setArg(frame, ACQUIRE_ARG_BIN, bin);
  setArg(frame, ACQUIRE_ARG_NEED, need);
  setArg(frame, ACQUIRE_ARG_TRIES, 0);
  frameOpen(frame, OP_ACQUIRE_SLAB);
  while (<i32>arg(frame, ACQUIRE_ARG_TRIES) < PARTIAL_TRIES) {
    let page = popRun(partialHead(bin));
    if (page < 0) break;
    let slab = pageAddress(<u32>page);
    setArg(frame, ACQUIRE_ARG_SLAB, slab);
    setPhase(frame, ACQUIRE_POPPED);
    // Popped slabs stay LISTED until this CAS, so no free pushes them again meanwhile.
    let at = slab + SLAB_USED;
    let seen = loadShared64(at);
    while (true) {
      let found = casShared64(at, seen, (seen & ~LISTED) | ACTIVE);
      if (found == seen) break;
      seen = found;
    }
    setPhase(frame, ACQUIRE_ACTIVATED);
    if (DEBUG) assert((seen & LISTED) != 0 && (seen & ACTIVE) == 0, "partial slab in a bad state");
    if (findGranules(seen, need) >= 0) {
      setActiveSlab(bin, slab);
      frameClose(frame);
      return slab;
    }
    // Too full for this request: give it up (the next free inside it lists it again).
    setPhase(frame, ACQUIRE_ABANDONING);
    abandonSlab(slab);
    setPhase(frame, ACQUIRE_ABANDONED);
    setArg(frame, ACQUIRE_ARG_TRIES, arg(frame, ACQUIRE_ARG_TRIES) + 1);
    setPhase(frame, ACQUIRE_SEARCHING);
  }
  setPhase(frame, ACQUIRE_TAKING);
  let page = takePages(1, true, true);
  if (page < 0) { frameClose(frame); return 0; }
  let slab = pageAddress(<u32>page);
  setArg(frame, ACQUIRE_ARG_SLAB, slab);
  setPhase(frame, ACQUIRE_TAKEN);
  store<u64>(slab + SLAB_STARTS, 0);
  store<u32>(slab + SLAB_BIN, bin);
  publish64(slab + SLAB_USED, ACTIVE);
  setPhase(frame, ACQUIRE_FORMATTED);
  setRunWord(<u32>page, 1, 0);
  publish64(entryAddress(<u32>page), makeEntry(KIND_SLAB, freshTag()));
  setPhase(frame, ACQUIRE_MARKED);
  setActiveSlab(bin, slab);
  frameClose(frame);
  return slab;
}

/** Undoes a slab acquisition from whatever phase it reached (recovery), and closes its frame. */
export function undoAcquireSlab(frame: usize): void {
  let slab = <usize>arg(frame, ACQUIRE_ARG_SLAB);
  let p = phase(frame);
  if (p == ACQUIRE_POPPED) {
    pushRun(partialHead(<u32>arg(frame, ACQUIRE_ARG_BIN)), pageOf(slab));
  } else if (p == ACQUIRE_ACTIVATED || p == ACQUIRE_MARKED || p == ACQUIRE_ABANDONING) {
    setPhase(frame, ACQUIRE_ABANDONING);
    abandonSlab(slab);
    setPhase(frame, ACQUIRE_ABANDONED);
  } else if (p == ACQUIRE_TAKEN || p == ACQUIRE_FORMATTED || p == ACQUIRE_RETURNING) {
    // Not yet a slab anyone can find: its page goes straight back.
    setPhase(frame, ACQUIRE_RETURNING);
    givePages(pageOf(slab), 1);
    setPhase(frame, ACQUIRE_RETURNED);
  }
  frameClose(frame);
}

// ── allocating (the caller, allocate() in arena.ts, holds the frame) ──────────────

/** Claims `need` granules in `slab`; returns the first, or -1 when they do not fit. */
// @ts-ignore: decorator
@inline export function claimGranules(slab: usize, need: u32): i32 {
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

/**
 * Writes the header of a block just claimed. A plain store: the granules are this
 * thread's alone, and whoever frees the block later learned of it through a message (or
 * this thread), which orders this store before their read.
 */
// @ts-ignore: decorator
@inline export function stampSmall(slab: usize, first: u32, need: u32, tag: u64): void {
  store<u64>(slab + (<usize>first << GRANULE_SHIFT), makeHeader(SMALL_LIVE, need, tag));
}

/** Marks where a block just claimed starts. */
export function startSmall(slab: usize, first: u32): void {
  fetchSetBits64(slab + SLAB_STARTS, <u64>1 << first);
}

/**
 * Undoes an allocation of granules [first, first+need) in this thread's active slab
 * (recovery): the start bit and the header may or may not be written yet; the granules
 * are this thread's, so clearing both is safe either way, and again after a restart.
 */
export function unclaimSmall(slab: usize, first: u32, need: u32): void {
  fetchClearBits64(slab + SLAB_STARTS, <u64>1 << first);
  publish64(slab + (<usize>first << GRANULE_SHIFT), makeHeader(SMALL_DEAD, need, 0));
  // The slab is active for this thread: dropping granules decides nothing.
  fetchClearBits64(slab + SLAB_USED, granuleMask(first, need));
}

// ── retiring empty listed slabs: OP_RETIRE_SLABS ──────────────────────────────────
//
//  args  0 bin   1 first kept slab's page + 1   2 last kept slab's page + 1   3 slab popped
const RETIRE_ARG_BIN: usize = 0;
const RETIRE_ARG_KEPT: usize = 1;
const RETIRE_ARG_LAST: usize = 2;
const RETIRE_ARG_SLAB: usize = 3;
/** Popping the next listed slab of the bin. */
const RETIRE_POPPING: u32 = 0;
/** Popped arg 3: this thread holds its LISTED claim. */
const RETIRE_POPPED: u32 = 2;
/** Retired it: giving its page back (nested). */
const RETIRE_GIVING: u32 = 3;
const RETIRE_GIVEN: u32 = 4;

/**
 * Retires every listed slab that is empty; keeps the others listed. Used before giving up
 * on a page request, so that small-block pages serve it, and by clearCache.
 */
export function retireEmptySlabs(): void {
  let frame = frameNext();
  setArg(frame, RETIRE_ARG_BIN, 0);
  setArg(frame, RETIRE_ARG_KEPT, 0);
  setArg(frame, RETIRE_ARG_LAST, 0);
  frameOpen(frame, OP_RETIRE_SLABS);
  resumeRetireSlabs(frame);
}

export function resumeRetireSlabs(frame: usize): void {
  while (<u32>arg(frame, RETIRE_ARG_BIN) < SMALL_BINS) {
    let bin = <u32>arg(frame, RETIRE_ARG_BIN);
    if (phase(frame) == RETIRE_POPPING) {
      let page = popRun(partialHead(bin));
      if (page >= 0) {
        setArg(frame, RETIRE_ARG_SLAB, pageAddress(<u32>page));
        setPhase(frame, RETIRE_POPPED);
      } else {
        // The bin is done: the kept slabs go back in one step.
        let kept = <u32>arg(frame, RETIRE_ARG_KEPT);
        if (kept != 0) pushChain(partialHead(bin), kept - 1, <u32>arg(frame, RETIRE_ARG_LAST) - 1);
        setArg(frame, RETIRE_ARG_KEPT, 0);
        setArg(frame, RETIRE_ARG_LAST, 0);
        setArg(frame, RETIRE_ARG_BIN, bin + 1);
        continue;
      }
    }
    let slab = <usize>arg(frame, RETIRE_ARG_SLAB);
    if (phase(frame) == RETIRE_POPPED) {
      // Popped slabs stay LISTED, so no free pushes them again while we hold them.
      if (casShared64(slab + SLAB_USED, LISTED, RETIRED) == LISTED) {
        setPhase(frame, RETIRE_GIVING);
      } else {
        let kept = <u32>arg(frame, RETIRE_ARG_KEPT);
        setRunWord(pageOf(slab), 1, kept);
        setArg(frame, RETIRE_ARG_KEPT, pageOf(slab) + 1);
        if (kept == 0) setArg(frame, RETIRE_ARG_LAST, pageOf(slab) + 1);
        setPhase(frame, RETIRE_POPPING);
        continue;
      }
    }
    if (phase(frame) == RETIRE_GIVING) {
      givePages(pageOf(slab), 1);
      setPhase(frame, RETIRE_GIVEN);
    }
    setPhase(frame, RETIRE_POPPING);
  }
  frameClose(frame);
}

export { DECIDED_NOTHING, OK };
