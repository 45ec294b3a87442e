// Every atomic operation of the core goes through these helpers.
//
// The same sources compile several ways: with the `threads` feature for a shared memory,
// without it for runtimes that cannot share memory (one thread), and for the schedule
// explorer (`--use PA_EXPLORE=1`), where every helper first calls the imported
// `schedulePoint`: the explorer suspends the calling virtual thread there (binaryen's
// asyncify), runs another one, or kills this one. `ASC_FEATURE_THREADS` and `PA_EXPLORE`
// are compile-time constants, so the plain build keeps only the ordinary load/store
// branch and the others carry no call they do not need.
//
// WebAssembly atomics are sequentially consistent, so every helper here is a full
// ordering point; the names say what the caller means by it, not a weaker order.

// @ts-ignore: decorator
@external("env", "schedulePoint") declare function schedulePoint(): i32;

/**
 * Explorer builds: schedule points this instance passes before it next calls
 * `schedulePoint`, which answers with the next count (the explorer knows in advance how far
 * a thread runs before its strategy decides anything); 0: never (the explorer's own
 * instance, and every instance until the explorer sets it with explore.ts's
 * `setPointCountdown`).
 */
export let pointCountdown: i32 = 0;

/** A place where the explorer may switch threads or kill this one (nothing in other builds). */
// @ts-ignore: decorator
@inline export function point(): void {
  if (isDefined(PA_EXPLORE)) {
    if (pointCountdown > 0) {
      pointCountdown--;
      if (pointCountdown == 0) pointCountdown = schedulePoint();
    }
  }
}

/** Reads a word that other threads may be writing at this moment. */
// @ts-ignore: decorator
@inline export function loadShared32(ptr: usize): u32 {
  point();
  if (ASC_FEATURE_THREADS) return atomic.load<u32>(ptr);
  return load<u32>(ptr);
}

/** Reads a 64-bit word that other threads may be writing at this moment. */
// @ts-ignore: decorator
@inline export function loadShared64(ptr: usize): u64 {
  point();
  if (ASC_FEATURE_THREADS) return atomic.load<u64>(ptr);
  return load<u64>(ptr);
}

/** Publishes a word to other threads: everything written before is visible to a reader that sees it. */
// @ts-ignore: decorator
@inline export function publish32(ptr: usize, value: u32): void {
  point();
  if (ASC_FEATURE_THREADS) atomic.store<u32>(ptr, value);
  else store<u32>(ptr, value);
}

/**
 * Publishes a word of this thread's own slot (its in-a-call flag) with no switch point: a
 * sequentially consistent store that the explorer treats as part of the step around it
 * (it runs every thread sequentially consistently, so the store's order is all it could
 * add, and a kill there would only split a finished call from its return).
 */
// @ts-ignore: decorator
@inline export function publishOwn32(ptr: usize, value: u32): void {
  if (ASC_FEATURE_THREADS) atomic.store<u32>(ptr, value);
  else store<u32>(ptr, value);
}

/** Publishes a 64-bit word to other threads. */
// @ts-ignore: decorator
@inline export function publish64(ptr: usize, value: u64): void {
  point();
  if (ASC_FEATURE_THREADS) atomic.store<u64>(ptr, value);
  else store<u64>(ptr, value);
}

/** Compare-and-swap on a 32-bit word; returns the value found (== expected on success). */
// @ts-ignore: decorator
@inline export function casShared32(ptr: usize, expected: u32, replacement: u32): u32 {
  point();
  if (ASC_FEATURE_THREADS) return atomic.cmpxchg<u32>(ptr, expected, replacement);
  let found = load<u32>(ptr);
  if (found == expected) store<u32>(ptr, replacement);
  return found;
}

/** Compare-and-swap on a 64-bit word; returns the value found (== expected on success). */
// @ts-ignore: decorator
@inline export function casShared64(ptr: usize, expected: u64, replacement: u64): u64 {
  point();
  if (ASC_FEATURE_THREADS) return atomic.cmpxchg<u64>(ptr, expected, replacement);
  let found = load<u64>(ptr);
  if (found == expected) store<u64>(ptr, replacement);
  return found;
}

/** Adds to a shared 32-bit counter; returns the value before. */
// @ts-ignore: decorator
@inline export function fetchAdd32(ptr: usize, delta: u32): u32 {
  point();
  if (ASC_FEATURE_THREADS) return atomic.add<u32>(ptr, delta);
  let before = load<u32>(ptr);
  store<u32>(ptr, before + delta);
  return before;
}

/** Adds to a shared 64-bit counter; returns the value before. */
// @ts-ignore: decorator
@inline export function fetchAdd64(ptr: usize, delta: u64): u64 {
  point();
  if (ASC_FEATURE_THREADS) return atomic.add<u64>(ptr, delta);
  let before = load<u64>(ptr);
  store<u64>(ptr, before + delta);
  return before;
}

/** Swaps in a new 32-bit value; returns the value before. */
// @ts-ignore: decorator
@inline export function swapShared32(ptr: usize, value: u32): u32 {
  point();
  if (ASC_FEATURE_THREADS) return atomic.xchg<u32>(ptr, value);
  let before = load<u32>(ptr);
  store<u32>(ptr, value);
  return before;
}

/** Swaps in a new 64-bit value; returns the value before. */
// @ts-ignore: decorator
@inline export function swapShared64(ptr: usize, value: u64): u64 {
  point();
  if (ASC_FEATURE_THREADS) return atomic.xchg<u64>(ptr, value);
  let before = load<u64>(ptr);
  store<u64>(ptr, value);
  return before;
}

/** Clears bits of a shared 64-bit word; returns the value before. */
// @ts-ignore: decorator
@inline export function fetchClearBits64(ptr: usize, bits: u64): u64 {
  point();
  if (ASC_FEATURE_THREADS) return atomic.and<u64>(ptr, ~bits);
  let before = load<u64>(ptr);
  store<u64>(ptr, before & ~bits);
  return before;
}

/** Sets bits of a shared 64-bit word; returns the value before. */
// @ts-ignore: decorator
@inline export function fetchSetBits64(ptr: usize, bits: u64): u64 {
  point();
  if (ASC_FEATURE_THREADS) return atomic.or<u64>(ptr, bits);
  let before = load<u64>(ptr);
  store<u64>(ptr, before | bits);
  return before;
}

/** Raises a shared 64-bit maximum to at least `value` (idempotent: safe to repeat). */
// @ts-ignore: decorator
@inline export function raiseMax64(ptr: usize, value: u64): void {
  let seen = loadShared64(ptr);
  while (seen < value) {
    let found = casShared64(ptr, seen, value);
    if (found == seen) break;
    seen = found;
  }
}
