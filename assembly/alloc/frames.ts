// Intent frames: what a thread is in the middle of (layout in layout.ts, recovery in
// recover.ts).
//
// An operation that changes shared state in more than one atomic step runs over a frame
// in its thread's slot: it writes its arguments, opens the frame, and after each atomic
// step records how far it got (the phase, or a progress count) by plain stores, before any
// other atomic step, call or loop header. The operation is written as a resumable state
// machine over that frame, so that `reclaim`, standing in for a thread that died, can run
// the same code from the recorded phase (or undo what it did).
//
// Frames nest: an operation's nested calls open frames above it. A nested operation's
// result is stored by its caller straight after the call returns. An operation whose first
// step is a single CAS may write its frame straight after that CAS instead of before it
// (no point between them where the thread can stop): then a frame exists only for a step
// that landed.

import { SLOT_FRAMES, SLOT_FRAME_DEPTH, FRAME_SIZE, FRAME_OP, FRAME_PHASE, FRAME_ARGS, FRAME_COUNT } from "./layout";
import { DEBUG, slotBase } from "./state";

// @ts-ignore: decorator
@inline export function frameAt(slot: usize, index: u32): usize {
  return slot + SLOT_FRAMES + <usize>index * FRAME_SIZE;
}

// @ts-ignore: decorator
@inline export function frameDepth(slot: usize): u32 {
  return load<u32>(slot + SLOT_FRAME_DEPTH);
}

/** The next frame of this thread, not yet open: write its arguments, then `frameOpen` it. */
// @ts-ignore: decorator
@inline export function frameNext(): usize {
  let depth = load<u32>(slotBase + SLOT_FRAME_DEPTH);
  if (DEBUG) assert(depth < FRAME_COUNT, "intent frames exhausted");
  return frameAt(slotBase, depth);
}

/** Makes a prepared frame visible to recovery, at phase 0 (or `phase`). */
// @ts-ignore: decorator
@inline export function frameOpen(frame: usize, op: u32, phase: u32 = 0): void {
  store<u64>(frame + FRAME_OP, (<u64>phase << 32) | <u64>op);
  let at = slotBase + SLOT_FRAME_DEPTH;
  store<u32>(at, load<u32>(at) + 1);
}

/** Closes this thread's top frame: the operation is over. */
// @ts-ignore: decorator
@inline export function frameClose(frame: usize): void {
  let at = slotBase + SLOT_FRAME_DEPTH;
  let depth = load<u32>(at) - 1;
  if (DEBUG) assert(frameAt(slotBase, depth) == frame, "closing a frame that is not on top");
  store<u32>(at, depth);
}

// @ts-ignore: decorator
@inline export function frameOp(frame: usize): u32 { return load<u32>(frame + FRAME_OP); }
// @ts-ignore: decorator
@inline export function phase(frame: usize): u32 { return load<u32>(frame + FRAME_PHASE); }
// @ts-ignore: decorator
@inline export function setPhase(frame: usize, value: u32): void { store<u32>(frame + FRAME_PHASE, value); }
// @ts-ignore: decorator
@inline export function arg(frame: usize, index: usize): u64 { return load<u64>(frame + FRAME_ARGS + (index << 3)); }
// @ts-ignore: decorator
@inline export function setArg(frame: usize, index: usize, value: u64): void {
  store<u64>(frame + FRAME_ARGS + (index << 3), value);
}

// ── operations ────────────────────────────────────────────────────────────────────
// Each names its arguments next to its code (pages.ts, cache.ts, slab.ts, arena.ts,
// image/image.ts, image/references.ts); recover.ts dispatches on these.
export const OP_TAKE_PAGES: u32 = 1;
export const OP_GIVE_PAGES: u32 = 2;
export const OP_ALLOCATE: u32 = 3;
export const OP_RELEASE_PAGE: u32 = 4;
export const OP_RELEASE_SMALL: u32 = 5;
export const OP_EVICT: u32 = 6;
export const OP_ACQUIRE_SLAB: u32 = 7;
export const OP_ABANDON_SLAB: u32 = 8;
export const OP_RETIRE_SLABS: u32 = 9;
export const OP_SET_BLOCKS_MAX: u32 = 10;
export const OP_FLUSH_SLOT: u32 = 11;
export const OP_GROW_RECORDS: u32 = 12;
export const OP_CREATE_IMAGE: u32 = 13;
export const OP_DROP_REFERENCE: u32 = 14;
export const OP_SHARE_IMAGE: u32 = 15;
export const OP_RECLAIM: u32 = 16;
export const OP_DETACH: u32 = 17;
export const OP_SCRATCH: u32 = 18;
