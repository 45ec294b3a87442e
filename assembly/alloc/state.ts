// Per-attachment state: wasm globals are private to each instance, so they are this
// thread's own. The arena's geometry is written once at creation and copied here at
// attach; `slotBase` points at this thread's record in shared memory.

import {
  ARENA_HEADER, HEADER_BITMAP, HEADER_BITMAP_WORDS, HEADER_HEAP_START, HEADER_PAGE_COUNT,
  HEADER_PAGE_MAP, HEADER_BLOCK_SIZE, HEADER_ALIGNMENT, SLOTS_BASE, SLOT_SIZE, SLOT_RESULTS,
  SLOT_COUNTERS, SLOT_ACTIVE_SLABS, RESULT_ERROR, HEADER_FLAGS, FLAG_DEBUG, FLAG_TRACK_CALLS, SLOT_TAG_COUNTER,
  SLOT_RESULT_TAG, TAG_SLOT_BITS, TAG_MASK
} from "./layout";

/** True in the debug build (asc --use PA_DEBUG=1): invariants are asserted. */
export const DEBUG: bool = isDefined(PA_DEBUG);

/** Address of page 0 of the heap. */
export let heapStart: usize = 0;
/** Pages in the heap. */
export let pageCount: u32 = 0;
/** Address of the page bitmap. */
export let bitmapBase: usize = 0;
/** u64 words in the page bitmap. */
export let bitmapWords: u32 = 0;
/** Address of the page map. */
export let pageMapBase: usize = 0;
/** Largest block one image uses. */
export let blockSize: u32 = 0;
/** Row alignment of images. */
export let rowAlignment: u32 = 1;

/** Does each call publish SLOT_IN_CORE? (the arena's FLAG_TRACK_CALLS) */
export let trackCalls: bool = false;

/** This attachment's slot index, and the address of its record. */
export let slotIndex: u32 = 0;
export let slotBase: usize = 0;
/** The generation this instance attached with: if the slot's differs, it was reclaimed. */
export let slotGeneration: u32 = 0;

/** Copies the arena geometry from the shared header into this instance. */
export function loadGeometry(): void {
  trackCalls = (load<u32>(ARENA_HEADER + HEADER_FLAGS) & FLAG_TRACK_CALLS) != 0;
  heapStart = <usize>load<u32>(ARENA_HEADER + HEADER_HEAP_START);
  pageCount = load<u32>(ARENA_HEADER + HEADER_PAGE_COUNT);
  bitmapBase = <usize>load<u32>(ARENA_HEADER + HEADER_BITMAP);
  bitmapWords = load<u32>(ARENA_HEADER + HEADER_BITMAP_WORDS);
  pageMapBase = <usize>load<u32>(ARENA_HEADER + HEADER_PAGE_MAP);
  blockSize = load<u32>(ARENA_HEADER + HEADER_BLOCK_SIZE);
  rowAlignment = load<u32>(ARENA_HEADER + HEADER_ALIGNMENT);
}

export function bindSlot(index: u32, generation: u32): void {
  slotIndex = index;
  slotBase = SLOTS_BASE + <usize>index * SLOT_SIZE;
  slotGeneration = generation;
}

export function unbindSlot(): void {
  slotBase = 0;
}

/** Address of slot `index`'s record. */
// @ts-ignore: decorator
@inline export function slotAddress(index: u32): usize {
  return SLOTS_BASE + <usize>index * SLOT_SIZE;
}

/** The slab this thread allocates small blocks of `bin` from (0: none); kept in its slot, where reclaim finds it. */
// @ts-ignore: decorator
@inline export function activeSlab(bin: u32): usize {
  return <usize>load<u32>(slotBase + SLOT_ACTIVE_SLABS + (<usize>bin << 2));
}

// @ts-ignore: decorator
@inline export function setActiveSlab(bin: u32, slab: usize): void {
  store<u32>(slotBase + SLOT_ACTIVE_SLABS + (<usize>bin << 2), <u32>slab);
}

// ── attachment ids: generation × 2^TAG_SLOT_BITS + slot, up to 2^40 ─────────────────

// @ts-ignore: decorator
@inline export function makeAttachmentId(generation: u32, slot: u32): f64 {
  return <f64>(((<u64>generation) << TAG_SLOT_BITS) | <u64>slot);
}

// @ts-ignore: decorator
@inline export function idSlot(id: f64): u32 { return <u32>(<u64>id & ((1 << TAG_SLOT_BITS) - 1)); }
// @ts-ignore: decorator
@inline export function idGeneration(id: f64): u32 { return <u32>(<u64>id >> TAG_SLOT_BITS); }

/** This thread's attachment id. */
// @ts-ignore: decorator
@inline export function attachmentIdHere(): f64 {
  return makeAttachmentId(slotGeneration, slotIndex);
}

// ── tags ──────────────────────────────────────────────────────────────────────────

/**
 * A fresh tag: this slot's counter above the slot index, 48 bits. No two hand-outs or
 * ownership steps anywhere in the arena get the same tag until a slot has made 2^40 of
 * them; the counter is never rolled back.
 */
export function freshTag(): u64 {
  let at = slotBase + SLOT_TAG_COUNTER;
  let n = load<u64>(at) + 1;
  store<u64>(at, n);
  return ((n << TAG_SLOT_BITS) | <u64>slotIndex) & TAG_MASK;
}

/** The slot that made a tag. */
// @ts-ignore: decorator
@inline export function tagSlot(tag: u64): u32 { return <u32>tag & 0xFF; }

// ── results and errors ────────────────────────────────────────────────────────────

/** The error code the last failing call of this thread recorded. */
// @ts-ignore: decorator
@inline export function lastError(): i32 {
  return <i32>load<u32>(slotBase + SLOT_RESULTS + (RESULT_ERROR << 2));
}

/** Sets one of this thread's result words (read by JS after the call). */
// @ts-ignore: decorator
@inline export function setResult(index: usize, value: u32): void {
  store<u32>(slotBase + SLOT_RESULTS + (index << 2), value);
}

// @ts-ignore: decorator
@inline export function result(index: usize): u32 {
  return load<u32>(slotBase + SLOT_RESULTS + (index << 2));
}

/** Sets the tag result (read by JS as a number). */
// @ts-ignore: decorator
@inline export function setResultTag(tag: u64): void {
  store<f64>(slotBase + SLOT_RESULT_TAG, <f64>tag);
}

// @ts-ignore: decorator
@inline export function resultTag(): u64 {
  return <u64>load<f64>(slotBase + SLOT_RESULT_TAG);
}

/** Records why the current call failed; returns `code` for convenient `return fail(...)`. */
// @ts-ignore: decorator
@inline export function fail(code: i32): i32 {
  store<u32>(slotBase + SLOT_RESULTS + (RESULT_ERROR << 2), <u32>code);
  return code;
}

/**
 * The bytes of the last request this thread could not place (ARENA_FULL), or 0: a pool
 * worker hands it back with a job that ran out of memory, and the pool runs that job again
 * only once the arena has as many bytes free. A plain global: each thread has its own.
 */
let shortfall: usize = 0;

/** Notes a request that found no memory (see shortfall). */
// @ts-ignore: decorator
@inline export function noteShortfall(bytes: usize): void {
  shortfall = bytes;
}

/** The last request that found no memory since the last call (0: none), and forgets it. */
export function takeShortfall(): usize {
  let bytes = shortfall;
  shortfall = 0;
  return bytes;
}

// ── counters ──────────────────────────────────────────────────────────────────────

// @ts-ignore: decorator
@inline export function counterAddress(slot: usize, counter: usize): usize {
  return slot + SLOT_COUNTERS + (counter << 3);
}

/** Adds to one of this thread's own counters (plain: only the owner writes them). */
// @ts-ignore: decorator
@inline export function count(counter: usize, delta: u64): void {
  let at = counterAddress(slotBase, counter);
  store<u64>(at, load<u64>(at) + delta);
}

export function isDebugArena(): bool {
  return (load<u32>(ARENA_HEADER + HEADER_FLAGS) & FLAG_DEBUG) != 0;
}
