// Per-attachment state: wasm globals are private to each instance, so they are this
// thread's own. The arena's geometry is written once at creation and copied here at
// attach; the slot address points at this thread's record in shared memory.

import {
  ARENA_HEADER, HEADER_BITMAP, HEADER_BITMAP_WORDS, HEADER_HEAP_START, HEADER_PAGE_COUNT,
  HEADER_PAGE_MAP, HEADER_BLOCK_SIZE, HEADER_ALIGNMENT, SLOTS_BASE, SLOT_SIZE, SLOT_RESULTS,
  SLOT_COUNTERS, SLOT_ACTIVE_SLABS, SLOT_GENERATION, RESULT_ERROR, HEADER_FLAGS, FLAG_DEBUG
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

/** This attachment's slot index, and the address of its record. */
export let slotIndex: u32 = 0;
export let slotBase: usize = 0;
/** The slab this thread allocates small blocks of `bin` from (0: none); kept in its slot, where reclaim finds it. */
// @ts-ignore: decorator
@inline export function activeSlab(bin: u32): usize {
  return <usize>load<u32>(slotBase + SLOT_ACTIVE_SLABS + (<usize>bin << 2));
}

// @ts-ignore: decorator
@inline export function setActiveSlab(bin: u32, slab: usize): void {
  store<u32>(slotBase + SLOT_ACTIVE_SLABS + (<usize>bin << 2), <u32>slab);
}

/** Copies the arena geometry from the shared header into this instance. */
export function loadGeometry(): void {
  heapStart = <usize>load<u32>(ARENA_HEADER + HEADER_HEAP_START);
  pageCount = load<u32>(ARENA_HEADER + HEADER_PAGE_COUNT);
  bitmapBase = <usize>load<u32>(ARENA_HEADER + HEADER_BITMAP);
  bitmapWords = load<u32>(ARENA_HEADER + HEADER_BITMAP_WORDS);
  pageMapBase = <usize>load<u32>(ARENA_HEADER + HEADER_PAGE_MAP);
  blockSize = load<u32>(ARENA_HEADER + HEADER_BLOCK_SIZE);
  rowAlignment = load<u32>(ARENA_HEADER + HEADER_ALIGNMENT);
}

export function bindSlot(index: u32): void {
  slotIndex = index;
  slotBase = SLOTS_BASE + <usize>index * SLOT_SIZE;
}

export function unbindSlot(): void {
  slotBase = 0;
}

/** Address of slot `index`'s record. */
// @ts-ignore: decorator
@inline export function slotAddress(index: u32): usize {
  return SLOTS_BASE + <usize>index * SLOT_SIZE;
}

/** This thread's attachment id: generation << 8 | slot index. */
// @ts-ignore: decorator
@inline export function attachmentIdHere(): u32 {
  return ((load<u32>(slotBase + SLOT_GENERATION) & 0xFFFF) << 8) | slotIndex;
}

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

/** Records why the current call failed; returns `code` for convenient `return fail(...)`. */
// @ts-ignore: decorator
@inline export function fail(code: i32): i32 {
  store<u32>(slotBase + SLOT_RESULTS + (RESULT_ERROR << 2), <u32>code);
  return code;
}

/** Adds to one of this thread's own counters (plain: only the owner writes them). */
// @ts-ignore: decorator
@inline export function count(counter: usize, delta: u64): void {
  let at = slotBase + SLOT_COUNTERS + (counter << 3);
  store<u64>(at, load<u64>(at) + delta);
}

export function isDebugArena(): bool {
  return (load<u32>(ARENA_HEADER + HEADER_FLAGS) & FLAG_DEBUG) != 0;
}
