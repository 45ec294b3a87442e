// Threads joining and leaving the arena: attach, detach, the fence on every call, and
// reclaim, which finishes what a thread that died was doing and releases what it held.
//
// A slot's state word (CAS, any thread):
//
//   bits  0..7   FREE, LIVE, DETACHED, FENCED, RECLAIMING (layout.ts)
//   bits  8..31  LIVE, DETACHED, FENCED: the token the thread attached with;
//                RECLAIMING: the slot of the thread reclaiming it
//   bits 32..63  generation, bumped at each attach: an attachment id is
//                generation × 256 + slot, so a stale id never names a later thread
//
// A thread's calls go through `enter`, which refuses them once its slot was fenced or
// reclaimed (its generation moved on), and which first finishes an operation of this
// thread that a trap cut short. Reclaim fences the slot, waits (by returning BUSY) while
// the thread is inside a call unless told it is dead (in an arena whose calls are tracked;
// in one whose calls are not, only a dead thread is reclaimed), then stands in for it: it binds
// itself to the dead slot and resumes or undoes each open frame there, innermost first
// (frames.ts), gives up its slabs, scratch blocks and cache, and drops its image
// references. A reclaimer that dies is reclaimed in the same way, and picks up where it
// stopped: everything it did in the dead slot's name is written in that slot's frames.

import {
  SLOT_STATE, SLOT_IN_CORE, SLOT_FREE, SLOT_LIVE, SLOT_DETACHED, SLOT_FENCED, SLOT_RECLAIMING,
  MAX_ATTACHMENTS, ARENA_HEADER, HEADER_NEXT_TOKEN, OK, ERR_NOT_READY, ERR_NO_SLOT, ERR_INVALID_HANDLE,
  ERR_BUSY, ERR_FENCED, ERR_UNTRACKED
} from "./alloc/layout";
import { loadShared64, casShared64, publish64, publishOwn32, loadShared32, fetchAdd32 } from "./shared/atomics";
import {
  DEBUG, slotBase, slotIndex, slotGeneration, slotAddress, bindSlot, unbindSlot, loadGeometry, fail, trackCalls,
  makeAttachmentId, idSlot, idGeneration
} from "./alloc/state";
import {
  frameAt, frameDepth, frameNext, frameOpen, frameClose, frameOp, phase, setPhase, arg, setArg,
  OP_TAKE_PAGES, OP_GIVE_PAGES, OP_ALLOCATE, OP_RELEASE_PAGE, OP_RELEASE_SMALL, OP_EVICT,
  OP_ACQUIRE_SLAB, OP_ABANDON_SLAB, OP_RETIRE_SLABS, OP_SET_BLOCKS_MAX, OP_FLUSH_SLOT, OP_GROW_RECORDS,
  OP_CREATE_IMAGE, OP_DROP_REFERENCE, OP_SHARE_IMAGE, OP_RECLAIM, OP_DETACH
} from "./alloc/frames";
import { arenaReady, undoAllocate, releaseScratch, abandonActiveSlabs } from "./alloc/arena";
import { undoTakePages, resumeGivePages } from "./alloc/pages";
import { resumeReleasePage, resumeEvict, resumeSetBlocksMax, resumeFlushSlot, flushSlot } from "./alloc/cache";
import { resumeFreeSmall, undoAcquireSlab, resumeAbandonSlab, resumeRetireSlabs } from "./alloc/slab";
import { resumeGrowRecords, recordsName } from "./image/references";
import { recoverCreateImage, resumeDropReference, undoShareImage, dropReferencesOf } from "./image/image";

// ── the state word ────────────────────────────────────────────────────────────────

// @ts-ignore: decorator
@inline function makeState(state: u32, aux: u32, generation: u32): u64 {
  return (<u64>generation << 32) | (<u64>(aux & 0xFFFFFF) << 8) | <u64>state;
}
// @ts-ignore: decorator
@inline function stateOf(word: u64): u32 { return <u32>word & 0xFF; }
// @ts-ignore: decorator
@inline function auxOf(word: u64): u32 { return (<u32>word >> 8) & 0xFFFFFF; }
// @ts-ignore: decorator
@inline function generationOf(word: u64): u32 { return <u32>(word >> 32); }

// @ts-ignore: decorator
@inline function stateWord(slot: u32): usize { return slotAddress(slot) + SLOT_STATE; }

// ── tokens ────────────────────────────────────────────────────────────────────────

/**
 * A token for a thread about to attach (1 .. 2^24 − 1, unique among the attachments of
 * this arena until it wraps): whoever starts the thread keeps it, and can find the slot by
 * it even if the thread dies before it could tell its attachment id.
 */
export function nextToken(): u32 {
  let token = (fetchAdd32(ARENA_HEADER + HEADER_NEXT_TOKEN, 1) + 1) & 0xFFFFFF;
  return token == 0 ? 1 : token;
}

/** The attachment id of the slot that attached with `token` and is not yet reclaimed, or -1. */
export function attachmentOfToken(token: u32): f64 {
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    let word = loadShared64(stateWord(i));
    let state = stateOf(word);
    if ((state == SLOT_LIVE || state == SLOT_DETACHED || state == SLOT_FENCED) && auxOf(word) == token) {
      return makeAttachmentId(generationOf(word), i);
    }
  }
  return -1;
}

// ── attach ────────────────────────────────────────────────────────────────────────

/** Claims slot `i` from `word` (FREE, or DETACHED with no record naming it); true on success. */
function claimSlot(i: u32, word: u64, token: u32): bool {
  let generation = generationOf(word) + 1;
  let live = makeState(SLOT_LIVE, token, generation);
  if (casShared64(stateWord(i), word, live) != word) return false;
  attachedState = live;
  bindSlot(i, generation);
  publishOwn32(slotBase + SLOT_IN_CORE, 0);
  return true;
}

/**
 * Attaches this instance to the arena with `token` (0: none): claims a free slot, or one
 * whose thread detached and whose references are all gone. Returns the attachment id
 * (generation × 256 + slot), or a negative error code.
 */
export function attach(token: u32): f64 {
  if (!arenaReady()) return -<f64>ERR_NOT_READY;
  loadGeometry();
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    let word = loadShared64(stateWord(i));
    if (stateOf(word) == SLOT_FREE && claimSlot(i, word, token)) return makeAttachmentId(slotGeneration, i);
  }
  for (let i: u32 = 0; i < MAX_ATTACHMENTS; i++) {
    let word = loadShared64(stateWord(i));
    // No new record can name a detached slot: only its own thread made them.
    if (stateOf(word) == SLOT_DETACHED && !recordsName(i) && claimSlot(i, word, token)) {
      return makeAttachmentId(slotGeneration, i);
    }
  }
  return -<f64>ERR_NO_SLOT;
}

/** Is `id` a thread attached now (not detached, fenced or reclaimed)? */
export function attachmentLive(id: f64): bool {
  let slot = idSlot(id);
  if (slot >= MAX_ATTACHMENTS) return false;
  let word = loadShared64(stateWord(slot));
  return stateOf(word) == SLOT_LIVE && generationOf(word) == idGeneration(id);
}

// ── the fence on every call ───────────────────────────────────────────────────────

/**
 * Begins a call of this thread: refused (ERR_FENCED) once the slot was fenced or handed
 * on; an operation that a trap cut short is finished first.
 */
// @ts-ignore: decorator
@inline export function enter(): bool {
  // One compare against the state word this thread attached with: any change (fenced,
  // reclaimed, handed on) goes the slow way. Before attach slotBase is 0, which reads as 0.
  // Where calls are tracked: IN_CORE, then the state word; reclaim() fences the state word,
  // then reads IN_CORE (Dekker's pattern): both stores must be sequentially consistent, or
  // this store can sit in a store buffer while the reclaimer reads IN_CORE = 0 and this
  // thread reads LIVE (test/litmus/fence-store-load.mjs sees that with a plain store within
  // seconds). Untracked, a thread is reclaimed only once it has stopped; the state word
  // still refuses the calls of a thread whose slot was reclaimed.
  if (trackCalls) publishOwn32(slotBase + SLOT_IN_CORE, 1);
  if (loadShared64(slotBase + SLOT_STATE) != attachedState || frameDepth(slotBase) != 0) return enterSlowly();
  return true;
}

/** The state word of this thread's slot while it is attached (set at attach). */
let attachedState: u64 = 0;

function enterSlowly(): bool {
  if (slotBase == 0 || loadShared64(slotBase + SLOT_STATE) != attachedState) {
    if (slotBase != 0) publishOwn32(slotBase + SLOT_IN_CORE, 0);
    fail(ERR_FENCED);
    return false;
  }
  recoverFrames();
  return true;
}

/** Ends a call of this thread. */
// @ts-ignore: decorator
@inline export function leave(): void {
  if (trackCalls) publishOwn32(slotBase + SLOT_IN_CORE, 0);
}

/** Should a long kernel stop now? (its slot was fenced: the thread is being reclaimed) */
export function stopRequested(): bool {
  let word = loadShared64(slotBase + SLOT_STATE);
  return stateOf(word) != SLOT_LIVE || generationOf(word) != slotGeneration;
}

// ── recovery ──────────────────────────────────────────────────────────────────────

/** Finishes (forward) or undoes one open frame, closing it; true if it went forward. */
function recoverFrame(frame: usize): bool {
  let op = frameOp(frame);
  if (op == OP_TAKE_PAGES) { undoTakePages(frame); return false; }
  if (op == OP_ALLOCATE) { undoAllocate(frame); return false; }
  if (op == OP_ACQUIRE_SLAB) { undoAcquireSlab(frame); return false; }
  if (op == OP_SHARE_IMAGE) { undoShareImage(frame); return false; }
  if (op == OP_CREATE_IMAGE) { recoverCreateImage(frame); return false; }
  if (op == OP_GIVE_PAGES) resumeGivePages(frame);
  else if (op == OP_RELEASE_PAGE) resumeReleasePage(frame);
  else if (op == OP_RELEASE_SMALL) resumeFreeSmall(frame);
  else if (op == OP_EVICT) resumeEvict(frame);
  else if (op == OP_ABANDON_SLAB) resumeAbandonSlab(frame);
  else if (op == OP_RETIRE_SLABS) resumeRetireSlabs(frame);
  else if (op == OP_SET_BLOCKS_MAX) resumeSetBlocksMax(frame);
  else if (op == OP_FLUSH_SLOT) resumeFlushSlot(frame);
  else if (op == OP_GROW_RECORDS) resumeGrowRecords(frame);
  else if (op == OP_DROP_REFERENCE) resumeDropReference(frame);
  else if (op == OP_RECLAIM) resumeReclaim(frame);
  else if (op == OP_DETACH) resumeDetach(frame);
  else if (DEBUG) assert(false, "unknown operation in a frame");
  return true;
}

/**
 * Recovers every open frame of the slot this instance is bound to, innermost first. An
 * operation that calls a nested one sets an odd phase just before the call and the next
 * even one just after: a nested operation finished here "returns" by that step.
 */
function recoverFrames(): void {
  while (frameDepth(slotBase) > 0) {
    let depth = frameDepth(slotBase);
    let forward = recoverFrame(frameAt(slotBase, depth - 1));
    if (DEBUG) assert(frameDepth(slotBase) == depth - 1, "recovery left a frame open");
    if (forward && depth > 1) {
      let outer = frameAt(slotBase, depth - 2);
      if ((phase(outer) & 1) != 0) setPhase(outer, phase(outer) + 1);
    }
  }
}

/** Releases what the slot this instance is bound to holds in the allocator. */
function releaseHoldings(): void {
  abandonActiveSlabs();
  releaseScratch();
}

// ── detach: OP_DETACH ─────────────────────────────────────────────────────────────
const DETACH_START: u32 = 0;
/** Flushing the slot's cache (nested). */
const DETACH_FLUSHING: u32 = 3;
const DETACH_FLUSHED: u32 = 4;

/** Detaches this instance (its thread is done with the arena). */
export function detach(): void {
  if (slotBase == 0) return;
  let frame = frameNext();
  frameOpen(frame, OP_DETACH);
  resumeDetach(frame);
  publishOwn32(slotBase + SLOT_IN_CORE, 0);
  unbindSlot();
}

function resumeDetach(frame: usize): void {
  if (phase(frame) == DETACH_START) {
    releaseHoldings();
    setPhase(frame, DETACH_FLUSHING);
    flushSlot(slotIndex);
    setPhase(frame, DETACH_FLUSHED);
  }
  if (phase(frame) == DETACH_FLUSHING) {
    flushSlot(slotIndex);
    setPhase(frame, DETACH_FLUSHED);
  }
  frameClose(frame);
  // References it still holds (or shared and nobody adopted yet) keep the slot until they
  // are gone or the slot is reclaimed: no other thread may take its place meanwhile. A
  // reclaim that finishes this detach leaves the slot's state to the reclaim.
  let word = loadShared64(slotBase + SLOT_STATE);
  if (stateOf(word) != SLOT_LIVE) return;
  let next = recordsName(slotIndex)
    ? makeState(SLOT_DETACHED, auxOf(word), generationOf(word))
    : makeState(SLOT_FREE, 0, generationOf(word));
  casShared64(slotBase + SLOT_STATE, word, next);
}

// ── reclaim: OP_RECLAIM ───────────────────────────────────────────────────────────
//
//  args  0 slot being reclaimed   1 its generation
const RECLAIM_ARG_SLOT: usize = 0;
const RECLAIM_ARG_GENERATION: usize = 1;
/** The slot says RECLAIMING by this one: standing in for it. */
const RECLAIM_CLAIMED: u32 = 2;
/** Its frames are recovered and its holdings released: dropping its references (a loop). */
const RECLAIM_RELEASED: u32 = 4;

let droppedByReclaim: i32 = 0;

/**
 * Releases everything attachment `id` held. `dead`: its thread has stopped for certain
 * (Node's 'exit' event); otherwise, while it is inside a call, this only fences it (its
 * later calls are refused) and returns -ERR_BUSY: call again once it has left. Returns
 * the image references dropped, or a negative error code (-ERR_INVALID_HANDLE for an id
 * that is not attached, reclaimed already, or this thread's own; -ERR_UNTRACKED, with no
 * effect, for a thread not known dead in an arena whose calls are not tracked).
 */
export function reclaim(id: f64, dead: bool): i32 {
  let slot = idSlot(id);
  let generation = idGeneration(id);
  if (slot >= MAX_ATTACHMENTS || (slot == slotIndex && slotBase != 0)) return -ERR_INVALID_HANDLE;
  let at = stateWord(slot);
  let word = loadShared64(at);
  while (true) {
    let state = stateOf(word);
    if (generationOf(word) != generation || state == SLOT_FREE) return -ERR_INVALID_HANDLE;
    // Untracked, nothing says whether a running thread is inside a call: nothing is done.
    if (!dead && !trackCalls) return -ERR_UNTRACKED;
    if (state == SLOT_RECLAIMING) return 0; // another thread is at it
    if (state == SLOT_FENCED) break;
    let found = casShared64(at, word, makeState(SLOT_FENCED, auxOf(word), generation));
    if (found == word) { word = makeState(SLOT_FENCED, auxOf(word), generation); break; }
    word = found;
  }
  if (!dead && loadShared32(slotAddress(slot) + SLOT_IN_CORE) != 0) return -ERR_BUSY;
  let frame = frameNext();
  setArg(frame, RECLAIM_ARG_SLOT, slot);
  setArg(frame, RECLAIM_ARG_GENERATION, generation);
  frameOpen(frame, OP_RECLAIM);
  if (casShared64(at, word, makeState(SLOT_RECLAIMING, slotIndex, generation)) != word) {
    frameClose(frame);
    return 0; // another thread took it over
  }
  setPhase(frame, RECLAIM_CLAIMED);
  droppedByReclaim = 0;
  resumeReclaim(frame);
  return droppedByReclaim;
}

function resumeReclaim(frame: usize): void {
  let slot = <u32>arg(frame, RECLAIM_ARG_SLOT);
  let generation = <u32>arg(frame, RECLAIM_ARG_GENERATION);
  if (phase(frame) == 0) { frameClose(frame); return; }
  if (phase(frame) == RECLAIM_CLAIMED) {
    // Stand in for the slot: its frames, slabs, scratch and cache are finished or
    // released in its name.
    let mySlot = slotIndex, myGeneration = slotGeneration;
    bindSlot(slot, generation);
    recoverFrames();
    releaseHoldings();
    flushSlot(slot);
    bindSlot(mySlot, myGeneration);
    setPhase(frame, RECLAIM_RELEASED);
  }
  droppedByReclaim += dropReferencesOf(slot);
  publish64(stateWord(slot), makeState(SLOT_FREE, 0, generation));
  frameClose(frame);
}

export { OK, SLOT_LIVE };
